"""Creators, categories and teams: drawn once per world as numpy arrays plus value objects."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from numpy.typing import NDArray

from pipeline.twin.world import purposes as P
from pipeline.twin.world.config import WORLD_EPOCH, WorldConfig
from pipeline.twin.world.hashing import (
    hash_array,
    hash_int,
    hex_id,
    normal_array,
    pick,
    uniform_array,
)
from pipeline.twin.world.models import Category, Creator, Team, TeamMember, UserRef
from pipeline.twin.world.names import (
    BIO_TEMPLATES,
    CATEGORIES,
    LANGUAGES,
    NAME_FIRST,
    NAME_SECOND,
    NAME_SUFFIX,
    TEAM_PREFIX,
    TEAM_WORD,
)

FOLLOWER_XMIN = 40.0  # smallest follower count of the Pareto law
FOLLOWER_ALPHA = 0.85  # Pareto tail index: P(F > x) = (x / xmin) ** -alpha
FOLLOWER_CAP = 5_000_000
CREATORS_PER_TEAM = 40
STATIC = "https://static.velora.tv"


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def build_categories(count: int) -> tuple[Category, ...]:
    cats = []
    for idx, (name, tags) in enumerate(CATEGORIES[:count]):
        slug = slugify(name)
        cats.append(
            Category(
                id=f"c_{hex_id(0xCA7, idx, length=10)}",
                slug=slug,
                name=name,
                tags=tags,
                image_url=f"{STATIC}/categories/{slug}.jpg",
                weight=1.0 / (idx + 1) ** 0.9,
            )
        )
    return tuple(cats)


@dataclass(frozen=True)
class Population:
    """Per-creator parameters as arrays (index = creator index) and the public objects."""

    followers0: NDArray[np.int64]  # followers at the epoch
    trend_rate: NDArray[np.float64]  # per-day log growth
    peak_level: NDArray[np.float64]  # typical plateau viewers at the epoch
    day_mask: NDArray[np.bool_]  # (N, 7) streams on weekday (Mon=0)
    start_minute: NDArray[np.float64]  # usual start, minutes after 00:00 UTC
    start_jitter: NDArray[np.float64]  # std-dev of the daily start, minutes
    duration_mean: NDArray[np.float64]  # usual session length, minutes
    main_category: NDArray[np.int64]
    chat_ratio: NDArray[np.float64]  # chatters per viewer
    creators: tuple[Creator, ...]
    teams: tuple[Team, ...]


def _weighted_choice(u: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.int64]:
    cdf = np.cumsum(weights) / weights.sum()
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(weights) - 1).astype(np.int64)


def _usernames(seed: int, n: int) -> list[tuple[str, str]]:
    """Unique (username, display_name) pairs; display name is the username with capitals."""
    taken: set[str] = set()
    out: list[tuple[str, str]] = []
    for i in range(n):
        h = hash_int(seed, P.CREATOR_NAME, i)
        first = NAME_FIRST[h % len(NAME_FIRST)]
        second = NAME_SECOND[(h >> 16) % len(NAME_SECOND)]
        suffix = NAME_SUFFIX[(h >> 32) % len(NAME_SUFFIX)]
        parts = [first.capitalize(), second.capitalize()] + ([suffix.upper()] if suffix else [])
        display = "".join(parts)
        username = display.lower()
        number = 1 + (h >> 40) % 97
        while username in taken:
            display = f"{''.join(parts)}{number}"
            username = display.lower()
            number += 1 + (h >> 48) % 13
        taken.add(username)
        out.append((username, display))
    return out


def build_population(config: WorldConfig, categories: tuple[Category, ...]) -> Population:
    seed, n = config.seed, config.creators
    idx = np.arange(n, dtype=np.int64)

    def u(purpose: int, *extra: int) -> NDArray[np.float64]:
        return uniform_array(seed, purpose, idx, *extra)

    # Pareto followers: most channels are tiny, a few hold most of the audience.
    followers = FOLLOWER_XMIN * (1.0 - u(P.FOLLOWERS)) ** (-1.0 / FOLLOWER_ALPHA)
    followers0 = np.minimum(np.floor(followers), FOLLOWER_CAP).astype(np.int64)

    # Trend: 20% rising, 20% declining, 60% steady (log growth per day).
    tu, tv = u(P.TREND), u(P.TREND, 1)
    trend_rate = np.where(
        tu < 0.2,
        0.01 + 0.02 * tv,
        np.where(tu < 0.4, -0.005 - 0.015 * tv, 0.002 * normal_array(seed, P.TREND, idx, 2)),
    )
    trend_label = np.where(tu < 0.2, "rising", np.where(tu < 0.4, "declining", "steady"))

    # Concurrent viewers at the plateau: ~1% of followers with lognormal spread.
    peak_level = (0.01 * followers0 * np.exp(0.5 * normal_array(seed, P.VIEW_RATIO, idx))).astype(
        np.float64
    )

    # Schedule: bigger channels stream on more days; regions set the usual start time.
    n_days = np.clip(
        np.round(1.8 + 2.5 * u(P.SCHEDULE_DAYS) + 0.45 * np.log10(followers0)), 1, 7
    ).astype(np.int64)
    day_scores = uniform_array(seed, P.SCHEDULE_DAYS, idx[:, None], np.arange(7)[None, :])
    day_rank = np.argsort(np.argsort(day_scores, axis=1), axis=1)
    day_mask = day_rank < n_days[:, None]
    region = u(P.START_TIME)
    centre = np.where(region < 0.5, 23.0, np.where(region < 0.8, 18.0, 11.0))  # Americas/EU/Asia
    start_hour = (centre + 2.0 * normal_array(seed, P.START_TIME, idx, 1)) % 24.0
    start_minute = np.clip(start_hour * 60.0, 0.0, 1439.0)
    start_jitter = 10.0 + 35.0 * u(P.JITTER)
    duration_mean = 100.0 + 260.0 * u(P.DURATION) ** 1.3 + 20.0 * np.log10(followers0)

    weights = np.array([c.weight for c in categories])
    main_category = _weighted_choice(u(P.CATEGORY), weights)
    lang_weights = np.array([w for _, w in LANGUAGES])
    language = _weighted_choice(u(P.LANGUAGE), lang_weights)
    mature = u(P.MATURE) < 0.15
    partner = (followers0 >= 5000) | ((followers0 >= 800) & (u(P.PARTNER) < 0.3))
    created_days = 30.0 + 2500.0 * u(P.CREATED) ** 1.5
    chat_ratio = 0.06 + 0.25 * u(P.CHAT)

    names = _usernames(seed, n)
    ids = [f"u_{hex_id(seed, P.CREATOR_ID, i)}" for i in range(n)]
    team_of, teams = _build_teams(seed, followers0, ids, names, created_days)
    creators = tuple(
        Creator(
            id=ids[i],
            username=names[i][0],
            display_name=names[i][1],
            created_at=WORLD_EPOCH - timedelta(days=float(created_days[i])),
            bio=pick(BIO_TEMPLATES, seed, P.CREATOR_NAME, i, 7).format(
                cat=categories[main_category[i]].name
            ),
            avatar_url=f"{STATIC}/avatars/{ids[i]}.png",
            is_partner=bool(partner[i]),
            trend=str(trend_label[i]),
            trend_rate=float(trend_rate[i]),
            main_category=categories[main_category[i]],
            team_slug=team_of.get(i),
            language=LANGUAGES[language[i]][0],
            is_mature=bool(mature[i]),
            base_followers=int(followers0[i]),
        )
        for i in range(n)
    )
    return Population(
        followers0=followers0,
        trend_rate=trend_rate,
        peak_level=peak_level,
        day_mask=day_mask,
        start_minute=start_minute,
        start_jitter=start_jitter,
        duration_mean=duration_mean,
        main_category=main_category,
        chat_ratio=chat_ratio,
        creators=creators,
        teams=teams,
    )


def _build_teams(
    seed: int,
    followers0: NDArray[np.int64],
    ids: list[str],
    names: list[tuple[str, str]],
    created_days: NDArray[np.float64],
) -> tuple[dict[int, str], tuple[Team, ...]]:
    """About one team per 40 creators; sizes 3-40; the biggest member owns the team."""
    n = len(ids)
    n_teams = n // CREATORS_PER_TEAM
    if n_teams == 0:
        return {}, ()
    idx = np.arange(n, dtype=np.int64)
    order = np.argsort(uniform_array(seed, P.TEAM, idx), kind="stable")
    sizes = np.clip(
        np.round(np.exp(2.4 + 0.6 * normal_array(seed, P.TEAM, np.arange(n_teams), 1))), 3, 40
    ).astype(np.int64)
    team_of: dict[int, str] = {}
    teams: list[Team] = []
    used_slugs: set[str] = set()
    pos = 0
    for t in range(n_teams):
        members_idx = order[pos : pos + int(sizes[t])]
        pos += int(sizes[t])
        if len(members_idx) == 0:
            break
        h = hash_int(seed, P.TEAM, t, 2)
        name = f"{TEAM_PREFIX[h % len(TEAM_PREFIX)]} {TEAM_WORD[(h >> 20) % len(TEAM_WORD)]}"
        slug = slugify(name)
        if slug in used_slugs:
            name, slug = f"{name} {t + 1}", f"{slug}-{t + 1}"
        used_slugs.add(slug)
        youngest = float(np.min(created_days[members_idx]))
        team_created = WORLD_EPOCH - timedelta(days=youngest * (0.3 + 0.6 * (h >> 40) / 2**24))
        owner = int(members_idx[np.argmax(followers0[members_idx])])
        members = []
        for m in sorted(members_idx.tolist(), key=lambda i: (i != owner, -int(followers0[i]), i)):
            span = (WORLD_EPOCH - team_created).total_seconds()
            joined = team_created + timedelta(
                seconds=0.0 if m == owner else span * (hash_int(seed, P.TEAM, t, m) >> 11) / 2**53
            )
            members.append(
                TeamMember(
                    user_id=ids[m],
                    username=names[m][0],
                    display_name=names[m][1],
                    role="owner" if m == owner else "member",
                    joined_at=joined,
                )
            )
            team_of[m] = slug
        teams.append(
            Team(
                id=f"t_{hex_id(seed, P.TEAM, t, length=12)}",
                slug=slug,
                name=name,
                description=f"{name}: {len(members)} creators streaming together.",
                avatar_url=f"{STATIC}/teams/{slug}.png",
                created_at=team_created,
                members=tuple(members),
            )
        )
    return team_of, tuple(teams)


def viewer_ref(seed: int, viewer: int) -> UserRef:
    """A synthetic viewer account; ``viewer`` is its index in the world's viewer space."""
    h = hash_int(seed, P.VIEWER_NAME, viewer)
    first = NAME_FIRST[h % len(NAME_FIRST)]
    second = NAME_SECOND[(h >> 16) % len(NAME_SECOND)]
    display = f"{first.capitalize()}{second.capitalize()}{viewer}"
    return UserRef(
        id=f"u_{hex_id(seed, P.VIEWER_ID, viewer)}", username=display.lower(), display_name=display
    )


def viewer_refs(seed: int, viewers: NDArray[np.int64]) -> list[UserRef]:
    """``[viewer_ref(seed, v) for v in viewers]``, hashed in bulk (many times faster)."""
    ids = hash_array(seed, P.VIEWER_ID, viewers).tolist()
    names = hash_array(seed, P.VIEWER_NAME, viewers).tolist()
    n_first, n_second = len(NAME_FIRST), len(NAME_SECOND)
    out: list[UserRef] = []
    for v, hid, h in zip(viewers.tolist(), ids, names, strict=True):
        display = (
            f"{NAME_FIRST[h % n_first].capitalize()}"
            f"{NAME_SECOND[(h >> 16) % n_second].capitalize()}{v}"
        )
        out.append(UserRef(id=f"u_{hid:016x}", username=display.lower(), display_name=display))
    return out
