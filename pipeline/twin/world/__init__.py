"""Velora twin world: a deterministic, pure-Python simulation of velora.tv (no HTTP).

Usage (the twin server is the only user)::

    from pipeline.twin.world import World, WorldConfig
    w = World(WorldConfig(seed=42, creators=2000, categories=60, authorized_creators=100))
    w.live_streams(t); w.viewers_at(creator_id, t); w.events_between(t0, t1, creator_ids)

Time and determinism
--------------------
* Every world has the same fixed epoch ``WORLD_EPOCH`` = 2026-01-01T00:00Z; any aware datetime at
  or after it is valid (naive or earlier datetimes raise ``WorldTimeError``). The world never
  reads the wall clock: every answer is a pure function of ``(config, t)``, independent of the
  order of queries. Same seed => identical answers; another seed => another world.
* Randomness is counter-based: each quantity is ``splitmix64(seed, purpose, keys...)`` (see
  ``hashing.py``), or, for per-day Poisson counts, a numpy Generator seeded from ``(seed, day)``.
  So one creator, one day or one minute can be computed alone and equals the bulk result.
* Ranges are half-open ``[t0, t1)``. State "at t" (follower counts, leaderboards, clip lists)
  reflects events with ``at < t``, so ``follower_count(c, t1) - follower_count(c, t0)`` equals the
  ``channel.follow`` events of ``events_between(t0, t1, [c])``.

Creators (``population.py``)
----------------------------
* Followers at the epoch: Pareto, ``F = floor(40 * U ** (-1 / 0.85))`` capped at 5M (median ~90;
  the top 1% hold a large share). ``authorized_creator_ids`` are the top ``authorized_creators``
  by epoch followers (ties by creation order): the channels whose events webhooks deliver.
* Trend: 20% ``rising`` (log growth r ~ U(0.01, 0.03) per day), 20% ``declining``
  (r ~ -U(0.005, 0.02)), 60% ``steady`` (r ~ N(0, 0.002)). Multiplier ``m(d) = exp(clip(r d, +-3))``
  scales that day's viewer level and follow/sub-end rates.
* Plateau viewers ``L = 0.01 F exp(0.5 z)``. Streaming days per week
  ``clip(round(1.8 + 2.5 U + 0.45 log10 F), 1, 7)``; usual start from a regional mix (50% ~23:00,
  30% ~18:00, 20% ~11:00 UTC, sigma 2 h); daily jitter sigma 10-45 min (clipped at 3 sigma); usual
  duration ``100 + 260 U^1.3 + 20 log10 F`` minutes. About 60 real categories with popularity
  weights ``1 / rank^0.9``; ~1 team per 40 creators (3-40 members, biggest member owns it).

Sessions and viewers (``sessions.py``)
--------------------------------------
* Minute ``m`` counts from the epoch; day ``d`` = minutes ``[1440 d, 1440 d + 1440)``. On each
  scheduled weekday a creator streams with probability 0.9: start ``1440 d + usual + jitter``,
  duration ``usual * exp(0.25 z)`` clipped to [30 min, 14 h], category = main (80%) or a weighted
  random one, level ``L m(d) exp(0.3 z)``. One session per schedule day; they never overlap.
  At the busiest hour about 20% of creators are live, at the quietest a few percent.
* Viewers are piecewise constant per minute: ``viewers_at(c, t)`` is the value of the minute
  containing ``t``. For minute ``m`` of a session [s, e) with ``x = m - s``::

      mean = level * (1 - exp(-(x + 1) / tau)) * (0.35 + 0.65 min(1, (e - 1 - m) / D))
                   * (1 + A sin(2 pi x / P + phi))           tau 8-28, D 20-60, A 0.05-0.13
      v = round(mean + (0.05 mean + 0.5 sqrt(mean)) z(c, m) + raid bumps), at least 0

  with ``z(c, m)`` a hashed normal per (creator, minute). A session ends on a hashed second of
  its last minute (``tail_seconds``, 1-60): ``stream.offline`` and ``endedAt`` carry that exact
  time, and the directory lists the stream through that minute. Hours watched (truth) = the sum
  of ``viewers * seconds / 3600`` over ``live_minutes`` (live minutes only; offline is 0).
* Raids: 30% of sessions end with a raid into a random channel that is live then and for at
  least 30 more minutes. It carries the source's last-minute viewers ``V`` (bumps excluded);
  the target gets ``0.85 V exp(-k / 45)`` extra viewers ``k`` minutes later, for 4 hours. The
  ``channel.raid`` event belongs to the target channel, at the source's end minute (which is
  also the source's ``stream.offline``).

Events (``events.py``, ``render.py``)
-------------------------------------
Per (creator, day): live minutes ``T`` and audience ``A = 0.8 T L m(d)`` (viewer-minutes). Counts
are Poisson with means: follows ``0.003 F m(d)`` (x1.5 on live days, x0.5 otherwise; 70% during
the stream on live days), paid subs ``A / 2000``, gifts ``A / 20000``, Volts ``A / 2500``, points
redemptions ``A / 700`` (these four only while live), subscription ends ``0.0004 F m(d)``.
``stream.online``/``stream.offline``/``channel.raid`` come from the sessions. For 2,000 creators
that is ~12-14k events per simulated day. Event ``k`` of kind ``code`` of creator ``c`` on day
``d`` draws its time and fields from ``hash(seed, d, code, c, k)``; its id is
``"evt_" + 16 hex digits`` of that hash (unique, stable). Per-day counts are cached and cumulated
(follows from 16-day checkpoints), so ``follower_count`` and ``event_totals`` stay cheap over
months without materialising events; ``event_totals(t0, t1)`` equals counting
``events_between(t0, t1)`` by type.

Event ``data`` is semantic (snake_case, datetimes, users as ``{id, username, display_name,
is_anonymous}``): follow ``follower, followed_at``; subscribe ``subscriber, tier (1000|2000|3000),
months, streak_months, is_renewal, is_gift, gifter, message``; subscription.gift ``gifter (may be
anonymous), gift_count, tier, recipients``; subscription.end ``user, tier, is_gift, gifter, reason
(canceled|expired), ended_at, expires_at``; volts ``sender, amount, message``; points.redeem
``redemption_id, reward{id, name, cost}, user_input, status, redeemer, redeemed_at``; raid
``from, to, viewers``; stream.online/offline ``stream_id, title, category{id, slug, name},
started_at, ended_at (None when online), viewer_count``.

**Gifted subs appear twice**, as Velora sends them: one ``channel.subscription.gift`` and, 1 ms
apart after it, one ``channel.subscribe`` with ``is_gift=True`` per recipient. Analytics must
count each gifted sub once (either from ``gift_count`` or from the ``is_gift`` subscribes, never
both). Test events (``is_test``) are not part of the world; the server adds them.

Followers, leaderboards, extras
-------------------------------
* ``followers(c, t, limit, offset)``: newest first; post-epoch entries are exactly the follow
  events; the ``F`` pre-epoch followers are synthetic accounts dated between the channel's
  creation and the epoch. Viewer accounts are ``u_<hash>`` with names like ``lunarotter4821937``.
* Leaderboards (``boards.py``) sum the same events: Volts per sender, gift_count per
  (non-anonymous) gifter, reward cost per redeemer (points spent); periods ``all`` (since the
  epoch), ``month`` and ``week`` (the last 30 / 7 days before ``t``).
* Subscribers (``subscriptions.py``): ``subscribers(c, t)`` is a user's latest
  ``channel.subscribe`` in ``[t - 30 d, t)`` unless a ``channel.subscription.end`` for that user
  came at or after it. Subscribe and end events are drawn independently (no per-subscriber
  billing history), so the list is *defined* by the events rather than driving them.
* ``events_between(..., types=)`` filters by canonical type before building events.
* Clips, polls, giveaways and chat statistics are derived from sessions and viewer curves; see
  ``extras.py`` and ``clips.py`` for their formulas. Clip ids encode (creator index, day, k) so ``clip(id, t)`` is
  a direct lookup; ``clips(c, t)`` lists the last 90 days unless ``since`` is given.
* ``following_count(c, t)``: a hashed base ``exp(3.5 + 1.1 z)`` (capped at 5,000) plus
  ``0.02-0.32`` new follows per day since the epoch; no follow graph.
"""

from pipeline.twin.world.config import (
    WORLD_EPOCH,
    UnknownCreatorError,
    UnknownEventTypeError,
    WorldConfig,
    WorldConfigError,
    WorldError,
    WorldTimeError,
)
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
    PollOption,
    Subscriber,
    Team,
    TeamMember,
    UserRef,
    Vod,
    WorldEvent,
)
from pipeline.twin.world.world import World

__all__ = [
    "WORLD_EPOCH",
    "Category",
    "ChatStats",
    "Clip",
    "Creator",
    "Follower",
    "Giveaway",
    "LeaderboardEntry",
    "LiveStream",
    "Poll",
    "PollOption",
    "Subscriber",
    "Team",
    "TeamMember",
    "UnknownCreatorError",
    "UnknownEventTypeError",
    "UserRef",
    "Vod",
    "World",
    "WorldConfig",
    "WorldConfigError",
    "WorldError",
    "WorldEvent",
    "WorldTimeError",
]
