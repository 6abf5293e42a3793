"""The World facade: the only entry point the twin server uses (see the package docstring)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from pipeline.twin.world import extras
from pipeline.twin.world import purposes as P
from pipeline.twin.world.boards import Boards
from pipeline.twin.world.cache import LruCache
from pipeline.twin.world.clips import ClipModel
from pipeline.twin.world.config import (
    WORLD_EPOCH,
    UnknownCreatorError,
    UnknownEventTypeError,
    WorldConfig,
    WorldTimeError,
)
from pipeline.twin.world.events import (
    ALL_TYPES,
    DAY_MS,
    EVENT_TYPES,
    EventModel,
    EventTable,
)
from pipeline.twin.world.hashing import hash_int, hex_id, normal_int, uniform_int
from pipeline.twin.world.models import (
    Category,
    ChatStats,
    Clip,
    Creator,
    Follower,
    Giveaway,
    LeaderboardEntry,
    LiveStream,
    Poll,
    Subscriber,
    Team,
    Vod,
    WorldEvent,
)
from pipeline.twin.world.names import TITLE_TEMPLATES
from pipeline.twin.world.population import STATIC, build_categories, build_population, viewer_ref
from pipeline.twin.world.render import render_events
from pipeline.twin.world.sessions import (
    MINUTES_PER_DAY,
    RAID_WINDOW,
    RaidTable,
    SessionTable,
    base_viewers,
    build_day_sessions,
    build_raids,
    finish,
    raid_bump,
)
from pipeline.twin.world.subscriptions import active_subscribers

MINUTE = timedelta(minutes=1)
FOLLOWING_CAP = 5_000
VOD_RETENTION_DAYS = 60  # assumed (docs silent): past broadcasts are listed for 60 days
MILLISECOND = timedelta(milliseconds=1)
LANGUAGE_TAGS = {
    "en": "English",
    "es": "Spanish",
    "pt": "Portuguese",
    "de": "German",
    "fr": "French",
    "ja": "Japanese",
    "ko": "Korean",
    "ru": "Russian",
    "it": "Italian",
    "pl": "Polish",
}


@dataclass
class _Window:
    """Everything that can be live during one day: sessions of days d-1..d+1 and their raids."""

    sessions: SessionTable
    raids: RaidTable
    statics: dict[int, SessionInfo] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    stream_id: str
    title: str
    category: Category
    started_at: datetime
    ended_at: datetime


def to_minute(t: datetime, name: str = "t") -> int:
    """Minute index (since the epoch) of the minute containing ``t``."""
    return _offset(t, name) // MINUTE


def to_ms(t: datetime, name: str = "t") -> int:
    return _offset(t, name) // MILLISECOND


def _offset(t: datetime, name: str) -> timedelta:
    if not isinstance(t, datetime):
        raise WorldTimeError(f"{name} must be a datetime, got {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise WorldTimeError(f"{name} must be timezone-aware (UTC), got naive {t.isoformat()}")
    delta = t - WORLD_EPOCH
    if delta < timedelta(0):
        raise WorldTimeError(
            f"{name}={t.isoformat()} is before the world epoch {WORLD_EPOCH.isoformat()}"
        )
    return delta


def at_time(ms: int) -> datetime:
    return WORLD_EPOCH + ms * MILLISECOND


def minute_time(minute: int) -> datetime:
    return WORLD_EPOCH + minute * MINUTE


def session_end_time(end_minute: int, tail_seconds: int) -> datetime:
    """The exact end of a session live in minutes [start, end_minute), the last one partly."""
    return minute_time(end_minute - 1) + timedelta(seconds=tail_seconds)


class World:
    """A deterministic Velora: every answer is a pure function of (config, t)."""

    def __init__(self, config: WorldConfig | None = None) -> None:
        self.config = config or WorldConfig()
        self.epoch = WORLD_EPOCH
        self.seed = self.config.seed
        self.categories: tuple[Category, ...] = build_categories(self.config.categories)
        self._pop = build_population(self.config, self.categories)
        self.creators: tuple[Creator, ...] = self._pop.creators
        self.teams: tuple[Team, ...] = self._pop.teams
        self._index = {c.id: i for i, c in enumerate(self.creators)}
        self._by_username = {c.username: c for c in self.creators}
        self._team_by_slug = {t.slug: t for t in self.teams}
        self._category_weights = np.array([c.weight for c in self.categories])
        n_auth = min(self.config.authorized_creators, len(self.creators))
        by_followers = np.lexsort((np.arange(len(self.creators)), -self._pop.followers0))
        self.authorized_creator_ids: tuple[str, ...] = tuple(
            self.creators[i].id for i in by_followers[:n_auth]
        )
        # about 23 MB of session tables at any size: ~200 days for 2,000 creators, 16 for 100k
        day_tables = min(200, max(16, 4_000_000 // len(self.creators)))
        self._sessions: LruCache[SessionTable] = LruCache(day_tables)
        self._raids: LruCache[RaidTable] = LruCache(16)
        self._windows: LruCache[_Window] = LruCache(4)
        self._events = EventModel(self)
        self._boards = Boards(self._events)
        self._clips = ClipModel(self)

    # ----- lookups -------------------------------------------------------------------------
    def creator(self, creator_id: str) -> Creator | None:
        i = self._index.get(creator_id)
        return None if i is None else self.creators[i]

    def creator_by_username(self, username: str) -> Creator | None:
        return self._by_username.get(username.lower())

    def team(self, slug: str) -> Team | None:
        return self._team_by_slug.get(slug)

    def category_by_slug(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)

    def creator_index(self, creator_id: str) -> int:
        i = self._index.get(creator_id)
        if i is None:
            raise UnknownCreatorError(f"unknown creator id {creator_id!r}")
        return i

    # ----- sessions ------------------------------------------------------------------------
    def day_sessions(self, day: int) -> SessionTable:
        """Sessions of schedule day ``day`` (all creators); cached."""
        return self._sessions.get_or_compute(
            day,
            lambda: build_day_sessions(self._pop, self.seed, day, self._category_weights),
        )

    def day_raids(self, day: int) -> RaidTable:
        """Raids at the end of the sessions of schedule day ``day``; cached."""

        def compute() -> RaidTable:
            candidates = SessionTable.concat(
                [self.day_sessions(d) for d in (day - 1, day, day + 1) if d >= 0]
            )
            return build_raids(self.seed, day, self.day_sessions(day), candidates)

        if day < 0:
            return _empty_raids()
        return self._raids.get_or_compute(day, compute)

    def _window(self, day: int) -> _Window:
        def compute() -> _Window:
            days = [d for d in (day - 1, day, day + 1) if d >= 0]
            return _Window(
                sessions=SessionTable.concat([self.day_sessions(d) for d in days]),
                raids=RaidTable.concat([self.day_raids(d) for d in days]),
            )

        return self._windows.get_or_compute(day, compute)

    def stream_id(self, creator_index: int, day: int) -> str:
        return f"s_{hex_id(self.seed, P.STREAM_ID, creator_index, day)}"

    def session_info(self, creator_index: int, day: int) -> SessionInfo:
        """Identity of creator ``creator_index``'s session of schedule day ``day`` (must exist)."""
        table = self.day_sessions(day)
        row = int(np.searchsorted(table.creator, creator_index))
        if row >= len(table) or int(table.creator[row]) != creator_index:
            raise LookupError(f"creator {creator_index} has no session on day {day}")
        category = self.categories[int(table.category[row])]
        templates = TITLE_TEMPLATES
        template = templates[
            hash_int(self.seed, P.SESSION_TITLE, day, creator_index) % len(templates)
        ]
        return SessionInfo(
            stream_id=self.stream_id(creator_index, day),
            title=template.format(cat=category.name, day=day + 1),
            category=category,
            started_at=minute_time(int(table.start[row])),
            ended_at=session_end_time(int(table.end[row]), int(table.tail_seconds[row])),
        )

    def _static(self, window: _Window, row: int) -> SessionInfo:
        found = window.statics.get(row)
        if found is None:
            table = window.sessions
            found = self.session_info(int(table.creator[row]), int(table.day[row]))
            window.statics[row] = found
        return found

    def _live_rows(self, minute: int) -> tuple[_Window, NDArray[np.int64], NDArray[np.int64]]:
        """Window, live rows and their viewer counts at ``minute``."""
        window = self._window(minute // MINUTES_PER_DAY)
        table = window.sessions
        rows = np.flatnonzero((table.start <= minute) & (minute < table.end))
        values = base_viewers(self.seed, table, rows, np.full(len(rows), minute, dtype=np.int64))
        raids = window.raids
        recent = (raids.minute <= minute) & (raids.minute > minute - RAID_WINDOW)
        if recent.any():
            bump = np.zeros(len(self.creators))
            np.add.at(
                bump,
                raids.target[recent],
                raid_bump(raids.viewers[recent].astype(np.float64), minute - raids.minute[recent]),
            )
            values = values + bump[table.creator[rows]]
        return window, rows, finish(values)

    def _stream(self, window: _Window, row: int, viewers: int) -> LiveStream:
        creator = self.creators[int(window.sessions.creator[row])]
        info = self._static(window, row)
        category = info.category
        return LiveStream(
            stream_id=info.stream_id,
            user_id=creator.id,
            username=creator.username,
            display_name=creator.display_name,
            title=info.title,
            category=category,
            viewer_count=viewers,
            started_at=info.started_at,
            language=creator.language,
            tags=(*category.tags, LANGUAGE_TAGS[creator.language]),
            is_mature=creator.is_mature,
            thumbnail_url=f"{STATIC}/previews/live_user_{creator.username}-{{width}}x{{height}}.jpg",
        )

    def live_streams(self, t: datetime) -> list[LiveStream]:
        """Every session live at ``t``, by viewers desc then stream id."""
        window, rows, viewers = self._live_rows(to_minute(t))
        out = [
            self._stream(window, row, v)
            for row, v in zip(rows.tolist(), viewers.tolist(), strict=True)
        ]
        out.sort(key=lambda s: (-s.viewer_count, s.stream_id))
        return out

    def top_live_creator_ids(self, t: datetime, n: int) -> list[str]:
        """Ids of the ``n`` most watched live creators at ``t`` (same order as live_streams)."""
        return [s.user_id for s in self.live_streams(t)[: max(n, 0)]]

    def live_stream(self, creator_id: str, t: datetime) -> LiveStream | None:
        """The creator's live stream at ``t`` (same values as in live_streams), or None."""
        c = self.creator_index(creator_id)
        window, rows, viewers = self._live_rows(to_minute(t))
        hit = np.flatnonzero(window.sessions.creator[rows] == c)
        if len(hit) == 0:
            return None
        return self._stream(window, int(rows[hit[0]]), int(viewers[hit[0]]))

    def _creator_sessions(
        self, c: int, first_day: int, last_day: int
    ) -> list[tuple[int, int, int]]:
        """(table day, start, end) of creator ``c``'s sessions in schedule days [first, last]."""
        out = []
        for day in range(max(first_day, 0), last_day + 1):
            table = self.day_sessions(day)
            pos = int(np.searchsorted(table.creator, c))
            if pos < len(table) and int(table.creator[pos]) == c:
                out.append((day, int(table.start[pos]), int(table.end[pos])))
        return out

    def _tail_seconds(self, c: int, day: int) -> int:
        """Seconds creator ``c``'s schedule-day session is live in its last minute (1..60)."""
        table = self.day_sessions(day)
        return int(table.tail_seconds[int(np.searchsorted(table.creator, c))])

    def _session_viewers(self, c: int, day: int, minutes: NDArray[np.int64]) -> NDArray[np.int64]:
        """Viewers of creator ``c``'s schedule-day session at ``minutes`` (all inside it)."""
        table = self.day_sessions(day)
        row = int(np.searchsorted(table.creator, c))
        rows = np.full(len(minutes), row, dtype=np.int64)
        values = base_viewers(self.seed, table, rows, minutes)
        lo, hi = int(minutes.min()) // MINUTES_PER_DAY, int(minutes.max()) // MINUTES_PER_DAY
        raids = RaidTable.concat([self.day_raids(d) for d in range(lo - 1, hi + 2)])
        mine = raids.target == c
        if mine.any():
            since = minutes[:, None] - raids.minute[mine][None, :]
            values = values + raid_bump(raids.viewers[mine][None, :].astype(np.float64), since).sum(
                axis=1
            )
        return finish(values)

    def viewers_at(self, creator_id: str, t: datetime) -> int:
        """Viewers of the creator at ``t``: the value of the minute containing ``t``, 0 offline
        (from the session's exact end on)."""
        c = self.creator_index(creator_id)
        minute = to_minute(t)
        day = minute // MINUTES_PER_DAY
        for table_day, start, end in self._creator_sessions(c, day - 1, day + 1):
            ended = minute == end - 1 and t >= session_end_time(
                end, self._tail_seconds(c, table_day)
            )
            if start <= minute < end and not ended:
                return int(self._session_viewers(c, table_day, np.array([minute]))[0])
        return 0

    def viewer_minutes(
        self, creator_id: str, t0: datetime, t1: datetime
    ) -> list[tuple[datetime, int]]:
        """Per-minute viewers: (minute start, viewers) for every live minute starting in [t0, t1).

        The minute containing ``t0`` is included. Offline minutes are omitted (they are 0). A
        session's last minute is listed although it is live only ``tail_seconds`` of it: use
        ``live_minutes`` for the truth of hours watched.
        """
        return [(at, v) for at, v, _ in self.live_minutes(creator_id, t0, t1)]

    def live_minutes(
        self, creator_id: str, t0: datetime, t1: datetime
    ) -> list[tuple[datetime, int, int]]:
        """Truth per live minute starting in [t0, t1): (minute start, viewers, seconds live).

        Seconds live is 60 except in a session's last minute. Hours watched over the range =
        sum(viewers * seconds) / 3600; airtime = sum(seconds) / 3600.
        """
        c = self.creator_index(creator_id)
        m0, m1 = self._minute_range(t0, t1)
        out: list[tuple[datetime, int, int]] = []
        for table_day, start, end in self._creator_sessions(
            c, m0 // MINUTES_PER_DAY - 1, (m1 - 1) // MINUTES_PER_DAY + 1
        ):
            minutes = np.arange(max(start, m0), min(end, m1), dtype=np.int64)
            if len(minutes):
                values = self._session_viewers(c, table_day, minutes)
                tail = self._tail_seconds(c, table_day)
                out.extend(
                    (minute_time(m), v, tail if m == end - 1 else 60)
                    for m, v in zip(minutes.tolist(), values.tolist(), strict=True)
                )
        return out

    def sessions_between(
        self, creator_id: str, t0: datetime, t1: datetime
    ) -> list[tuple[datetime, datetime]]:
        """(started_at, ended_at) of every session overlapping [t0, t1), ended_at exclusive.

        Sessions are reported whole: one still running at ``t1`` keeps its scheduled end.
        """
        c = self.creator_index(creator_id)
        m0, m1 = self._minute_range(t0, t1)
        return [
            (minute_time(start), session_end_time(end, self._tail_seconds(c, day)))
            for day, start, end in self._creator_sessions(
                c, m0 // MINUTES_PER_DAY - 1, (m1 - 1) // MINUTES_PER_DAY + 1
            )
            if start < m1 and end > m0
        ]

    # ----- events ------------------------------------------------------------------------
    def _select(self, creator_ids: Iterable[str] | None) -> NDArray[np.int64] | None:
        if creator_ids is None:
            return None
        if isinstance(creator_ids, str):
            raise TypeError("creator_ids must be a collection of ids, not a single string")
        return np.unique(np.array([self.creator_index(c) for c in creator_ids], dtype=np.int64))

    def _codes(self, types: Iterable[str] | None) -> tuple[int, ...] | None:
        """Internal event codes of the canonical ``types`` (None: every type)."""
        if types is None:
            return None
        if isinstance(types, str):
            raise TypeError("types must be a collection of event type names, not a single string")
        wanted = set(types)
        unknown = sorted(wanted - set(ALL_TYPES))
        if unknown:
            raise UnknownEventTypeError(
                f"unknown event type(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(ALL_TYPES)}"
            )
        return tuple(code for code, name in EVENT_TYPES.items() if name in wanted)

    def _event_rows(
        self,
        t0: datetime,
        t1: datetime,
        select: NDArray[np.int64] | None,
        codes: tuple[int, ...] | None = None,
    ) -> list[EventTable]:
        ms0, ms1 = to_ms(t0, "t0"), to_ms(t1, "t1")
        if ms1 < ms0:
            raise WorldTimeError(f"t1 ({t1.isoformat()}) is before t0 ({t0.isoformat()})")
        parts = []
        for day in range(ms0 // DAY_MS, -(-ms1 // DAY_MS)):
            table = self._events.table(day, select, codes)
            lo, hi = np.searchsorted(table.ms, [ms0, ms1], side="left")
            if hi > lo:
                parts.append(table.take(np.arange(lo, hi)))
        return parts

    def events_between(
        self,
        t0: datetime,
        t1: datetime,
        creator_ids: Iterable[str] | None = None,
        types: Iterable[str] | None = None,
    ) -> list[WorldEvent]:
        """Events with ``t0 <= at < t1`` (of ``creator_ids``' channels and of the canonical
        ``types`` if given), sorted by (at, id). Unknown types raise ``UnknownEventTypeError``.

        Filtering by type happens before events are built, so asking only for the rare kinds of
        a big channel is cheap.

        A gifted sub appears twice, as Velora sends it: one ``channel.subscription.gift`` (gifter,
        gift_count, recipients) and, 1 ms apart after it, one ``channel.subscribe`` with
        ``is_gift=True`` per recipient. Analytics must count the gifted subs once (from either).
        """
        codes = self._codes(types)
        out: list[WorldEvent] = []
        for part in self._event_rows(t0, t1, self._select(creator_ids), codes):
            out.extend(render_events(self, part))
        return out

    # ----- subscribers -------------------------------------------------------------------
    def subscribers(self, creator_id: str, t: datetime) -> list[Subscriber]:
        """Active subscribers at ``t``, newest first (see ``subscriptions.py`` for the rule).

        Derived from the same ``channel.subscribe`` / ``channel.subscription.end`` events that
        ``events_between`` returns: a user's latest subscribe in the last 30 days counts unless
        an end for that user followed it.
        """
        return active_subscribers(self, self.creator_index(creator_id), to_ms(t))

    def event_totals(
        self, t0: datetime, t1: datetime, creator_ids: Iterable[str] | None = None
    ) -> dict[str, int]:
        """Number of events per canonical type with ``t0 <= at < t1`` (every type present).

        Equal to counting ``events_between(t0, t1, creator_ids)`` by type; whole days come from
        the per-day counts, so long ranges stay cheap.
        """
        select = self._select(creator_ids)
        ms0, ms1 = to_ms(t0, "t0"), to_ms(t1, "t1")
        if ms1 < ms0:
            raise WorldTimeError(f"t1 ({t1.isoformat()}) is before t0 ({t0.isoformat()})")
        by_code = np.zeros(len(EVENT_TYPES), dtype=np.int64)
        first_full, last_full = -(-ms0 // DAY_MS), ms1 // DAY_MS  # whole days [first, last)
        for day in range(first_full, last_full):
            counts = self._events.counts(day).counts
            by_code += counts.sum(axis=1) if select is None else counts[:, select].sum(axis=1)
        if first_full > last_full:  # the range sits inside one day
            edges = [(ms0, ms1)]
        else:
            edges = [(ms0, first_full * DAY_MS), (last_full * DAY_MS, ms1)]
        for lo, hi in edges:
            if hi > lo:
                for part in self._event_rows(at_time(lo), at_time(hi), select):
                    by_code += np.bincount(part.code, minlength=len(EVENT_TYPES))
        totals = dict.fromkeys(ALL_TYPES, 0)
        for code, name in EVENT_TYPES.items():
            totals[name] += int(by_code[code])
        return totals

    # ----- followers ---------------------------------------------------------------------
    def follower_count(self, creator_id: str, t: datetime) -> int:
        """Followers at ``t``: base (at the epoch) + channel.follow events with ``at < t``."""
        c = self.creator_index(creator_id)
        ms = to_ms(t)
        day = ms // DAY_MS
        index = self._events.follow_index(day)
        day_ms = index.ms[index.bounds[c] : index.bounds[c + 1]]
        today = int(np.searchsorted(day_ms, ms, side="left"))
        return int(self._pop.followers0[c] + self._events.follows_before(day)[c] + today)

    def following_count(self, creator_id: str, t: datetime) -> int:
        """How many channels the creator follows at ``t``: a hashed base at the epoch plus one
        new follow every few days (never decreasing). The world has no follow graph."""
        c = self.creator_index(creator_id)
        days = to_ms(t) / DAY_MS
        base = int(math.exp(3.5 + 1.1 * normal_int(self.seed, P.FOLLOWING, c)))
        per_day = 0.02 + 0.3 * uniform_int(self.seed, P.FOLLOWING, c, 1) ** 2
        return min(base, FOLLOWING_CAP) + int(days * per_day)

    def followers(
        self, creator_id: str, t: datetime, limit: int = 100, offset: int = 0
    ) -> list[Follower]:
        """Followers at ``t``, newest first; ``len`` over all pages equals follower_count.

        Followers from before the epoch are synthetic accounts with follow dates spread between
        the channel's creation and the epoch; later ones are exactly the channel.follow events.
        """
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset must be >= 0, got limit={limit} offset={offset}")
        c = self.creator_index(creator_id)
        total = self.follower_count(creator_id, t)
        base = int(self._pop.followers0[c])
        numbers = range(total - 1 - offset, max(total - 1 - offset - limit, -1), -1)
        out: list[Follower] = []
        post = [n - base for n in numbers if n >= base]
        if post:
            out.extend(self._post_epoch_followers(c, post, to_ms(t) // DAY_MS))
        pre = np.array([n for n in numbers if n < base], dtype=np.int64)
        if len(pre):
            creator = self.creators[c]
            span = WORLD_EPOCH - creator.created_at
            users = self._events.follower_viewer(c, pre)
            for n, v in zip(pre.tolist(), users.tolist(), strict=True):
                out.append(
                    Follower(
                        user=viewer_ref(self.seed, v),
                        followed_at=creator.created_at + span * ((n + 1) / (base + 1)) ** 0.6,
                    )
                )
        return out

    def _post_epoch_followers(self, c: int, wanted: list[int], last_day: int) -> list[Follower]:
        """Follow events number ``wanted`` (0-based since the epoch, descending) of creator c."""
        out: list[Follower] = []
        day = last_day
        for j in wanted:
            while int(self._events.follows_before(day)[c]) > j:
                day -= 1
            before = int(self._events.follows_before(day)[c])
            index = self._events.follow_index(day)
            row = int(index.bounds[c]) + j - before
            out.append(
                Follower(
                    user=viewer_ref(self.seed, int(index.user[row])),
                    followed_at=at_time(int(index.ms[row])),
                )
            )
        return out

    # ----- leaderboards ------------------------------------------------------------------
    def volts_leaderboard(
        self, creator_id: str, t: datetime, period: str = "all", limit: int = 100
    ) -> list[LeaderboardEntry]:
        """Top Volts senders (sum of channel.volts amounts with at < t in the period)."""
        return self._boards.leaderboard(
            "volts", self.creator_index(creator_id), to_ms(t), period, limit
        )

    def gift_leaderboard(
        self, creator_id: str, t: datetime, period: str = "all", limit: int = 100
    ) -> list[LeaderboardEntry]:
        """Top gifters (sum of gift_count of non-anonymous channel.subscription.gift events)."""
        return self._boards.leaderboard(
            "gifts", self.creator_index(creator_id), to_ms(t), period, limit
        )

    def points_leaderboard(
        self, creator_id: str, t: datetime, period: str = "all", limit: int = 100
    ) -> list[LeaderboardEntry]:
        """Top channel-points spenders (sum of reward costs of channel.points.redeem events)."""
        return self._boards.leaderboard(
            "points", self.creator_index(creator_id), to_ms(t), period, limit
        )

    # ----- clips, polls, giveaways, chat --------------------------------------------------
    def clips(self, creator_id: str, t: datetime, since: datetime | None = None) -> list[Clip]:
        """Clips created before ``t`` and at/after ``since``, newest first; views grow with age.

        Without ``since`` only the last ``clips.CLIP_HISTORY_DAYS`` (90) days are listed, so the
        cost stays bounded however old the world gets; pass ``since`` for older clips.
        """
        return self._clips.listing(self.creator_index(creator_id), t, since)

    def clips_page(
        self, creator_id: str, t: datetime, offset: int, limit: int
    ) -> tuple[list[Clip], bool]:
        """``clips(creator_id, t)[offset:offset + limit]`` and whether more clips follow, built
        without the clips before or after the page (its cost follows the page, not the history)."""
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset must be >= 0, got limit={limit} offset={offset}")
        return self._clips.page(self.creator_index(creator_id), t, None, offset, limit)

    def clip(self, clip_id: str, t: datetime) -> Clip | None:
        """The clip with id ``clip_id`` as seen at ``t`` (any age), or None if there is no such
        clip yet. The id names its creator and session, so this builds one session at most."""
        to_ms(t)  # validate t even when the id is malformed
        return self._clips.by_id(clip_id, t)

    def vods(self, creator_id: str, t: datetime, offset: int, limit: int) -> tuple[list[Vod], bool]:
        """VODs of sessions ended by ``t``, newest first, ``[offset:offset + limit]``, and whether
        more follow. VODs are kept ``VOD_RETENTION_DAYS``, so a page walks a bounded window."""
        if limit < 0 or offset < 0:
            raise ValueError(f"limit and offset must be >= 0, got limit={limit} offset={offset}")
        c = self.creator_index(creator_id)
        now_ms = to_ms(t)
        last_day = now_ms // 60_000 // MINUTES_PER_DAY
        ended: list[Vod] = []
        for day, _, _ in reversed(
            self._creator_sessions(c, last_day - VOD_RETENTION_DAYS, last_day)
        ):
            info = self.session_info(c, day)
            if info.ended_at <= at_time(now_ms):
                ended.append(
                    Vod(
                        id=f"v_{hex_id(self.seed, P.VOD_ID, c, day)}",
                        stream_id=info.stream_id,
                        title=info.title,
                        category=info.category,
                        started_at=info.started_at,
                        ended_at=info.ended_at,
                    )
                )
            if len(ended) > offset + limit:
                break
        return ended[offset : offset + limit], len(ended) > offset + limit

    def active_poll(self, creator_id: str, t: datetime) -> Poll | None:
        return extras.active_poll(self, self.creator_index(creator_id), t)

    def active_giveaways(self, creator_id: str, t: datetime) -> list[Giveaway]:
        return extras.active_giveaways(self, self.creator_index(creator_id), t)

    def chat_stats(self, creator_id: str, t: datetime) -> ChatStats:
        """Chat activity at ``t`` (the minute containing it) and over the last 60 minutes."""
        return extras.chat_stats(self, self.creator_index(creator_id), t)

    @staticmethod
    def _minute_range(t0: datetime, t1: datetime) -> tuple[int, int]:
        """Minutes whose start lies in [t0, t1) plus the one containing t0: [m0, m1)."""
        ms0, ms1 = to_ms(t0, "t0"), to_ms(t1, "t1")
        if ms1 < ms0:
            raise WorldTimeError(f"t1 ({t1.isoformat()}) is before t0 ({t0.isoformat()})")
        return ms0 // 60_000, -(-ms1 // 60_000)


def _empty_raids() -> RaidTable:
    empty = np.zeros(0, dtype=np.int64)
    return RaidTable(
        source=empty, source_day=empty, target=empty, minute=empty, ms=empty, viewers=empty
    )
