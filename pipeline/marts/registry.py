"""The marts, one registry: what each is (grain, partition), what it reads, how it is built.

Every mart is partitioned by UTC day and built by replacing whole day partitions: delete the
days, run the mart's SQL files for them (pipeline/marts/sql). That makes every build idempotent
(a rebuild never duplicates a row) and incremental (a run touches only the days its new data
falls in: pipeline/marts/plan.py decides which). ``changed_by`` says which days of core a mart's
partition reads: its own ("days") or those of the sessions it owns ("sessions": a session reads
up to 48 h past its day). ``upstream_lookback_days`` says how many days before its own a
partition reads of the marts it depends on: a change to day D also rebuilds D + 1 .. D + lookback
of that mart. Order matters: a mart comes after the marts it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipeline.marts import revenue
from pipeline.schemas.registry import table_spec

# A channel-day with fewer viewers, or less of its airtime observed, than this is flagged
# low-confidence (docs/metrics.md gives the measured error of such days).
LOW_CONFIDENCE_VIEWERS = 10.0
LOW_CONFIDENCE_COVERAGE = 0.8
BREAKOUT_TOP_N = 50  # a channel "breaks out" when it enters the top N of a growth ranking
SESSION_SPAN_DAYS = 2  # a session is read up to 48 h after its first sample
# A channel-day's follower delta is against its last total at most this many days before.
PROFILE_DAYS = 7


@dataclass(frozen=True)
class Mart:
    name: str  # the asset and registry name, e.g. "stream_sessions"
    tables: tuple[str, ...]  # tables whose day partitions it replaces, first = the mart itself
    upstream: tuple[str, ...]  # core tables and marts it reads
    steps: tuple[str, ...]  # SQL files, in order (a first "prepare" step may fill temp tables)
    description: str
    upstream_lookback_days: int = 0
    params: dict[str, object] = field(default_factory=dict)
    changed_by: str = "days"  # "days": the days its core rows fall in; "sessions": see above
    # False: a change to its day D changes no given day of its readers (the plan names the days
    # from the data instead: a channel's first webhook event changes all its channel-days)
    readers_follow_days: bool = True

    @property
    def table(self) -> str:
        return self.tables[0]

    @property
    def grain(self) -> tuple[str, ...]:
        return table_spec(self.table).grain

    @property
    def partition_columns(self) -> tuple[str, ...]:
        """Per table, the column whose UTC day is its partition (from the schema registry)."""
        return tuple(str(table_spec(t).partition_column) for t in self.tables)

    @property
    def partition_types(self) -> tuple[str, ...]:
        """Per table, "date" or "timestamp": the type of its partition column."""
        return tuple(
            "date" if table_spec(t).columns[column] == pl.Date else "timestamp"
            for t, column in zip(self.tables, self.partition_columns, strict=True)
        )


def _mart(name: str, **kwargs: object) -> tuple[str, Mart]:
    return name, Mart(name=name, **kwargs)  # type: ignore[arg-type]


MARTS: dict[str, Mart] = dict(
    [
        _mart(
            "live_totals",
            tables=("marts.live_totals",),
            upstream=("core.stream_snapshots",),
            steps=("live_totals.sql",),
            description="live channels and total viewers at every live poll",
        ),
        _mart(
            "stream_sessions",
            tables=("marts.stream_sessions", "marts.stream_intervals"),
            upstream=(
                "core.stream_snapshots",
                "core.stream_status_events",
                "core.raids",
                "core.vods",
            ),
            steps=("session_segments.sql", "stream_sessions.sql", "stream_intervals.sql"),
            description="sessions (one per stream id, by the day of their first sample) and "
            "their viewer curve in 15-minute intervals",
            changed_by="sessions",
        ),
        _mart(
            "webhook_coverage",
            tables=("marts.webhook_coverage",),
            upstream=("core.webhook_events",),
            steps=("webhook_coverage.sql",),
            description="the channels webhooks cover, each with the time of its first event "
            "(test deliveries aside), by the day of that event",
            readers_follow_days=False,
        ),
        _mart(
            "channel_daily",
            tables=("marts.channel_daily",),
            upstream=(
                "marts.stream_intervals",
                "marts.stream_sessions",
                "marts.webhook_coverage",
                "core.follows",
                "core.channel_profiles",
            ),
            steps=("channel_daily.sql",),
            description="hours watched, airtime, average and peak viewers, streams and "
            "followers gained per channel and UTC day",
            upstream_lookback_days=SESSION_SPAN_DAYS,
            params={
                "low_viewers": LOW_CONFIDENCE_VIEWERS,
                "low_coverage": LOW_CONFIDENCE_COVERAGE,
                "session_span_days": SESSION_SPAN_DAYS,
                "profile_days": PROFILE_DAYS,
            },
        ),
        _mart(
            "category_daily",
            tables=("marts.category_daily", "marts.category_channel_daily"),
            upstream=("marts.stream_intervals", "core.stream_snapshots"),
            steps=("category_daily.sql", "category_channel_daily.sql"),
            description="hours watched by category and day, and each channel's share of them",
            upstream_lookback_days=SESSION_SPAN_DAYS,
        ),
        _mart(
            "platform_hourly",
            tables=("marts.platform_hourly",),
            upstream=("marts.stream_intervals", "core.stream_snapshots"),
            steps=("platform_hourly.sql",),
            description="live channels, viewers and hours watched of the whole platform per hour",
            upstream_lookback_days=SESSION_SPAN_DAYS,
        ),
        _mart(
            "monetization_daily",
            tables=("marts.monetization_daily",),
            upstream=(
                "core.follows",
                "core.subscriptions",
                "core.subscription_ends",
                "core.gifts",
                "core.volts_tips",
                "core.points_redemptions",
            ),
            steps=("monetization_daily.sql",),
            description="subscriptions (new, renewed, gifted, ended, net), gifts, Volts and "
            "channel points per channel and day, from webhook events",
        ),
        _mart(
            "top_supporters",
            tables=("marts.top_supporters",),
            upstream=(
                "core.volts_tips",
                "core.gifts",
                "core.points_redemptions",
                "core.leaderboard_entries",
            ),
            steps=("top_supporters.sql",),
            description="what each supporter gave each channel per day, from events and "
            "leaderboards",
        ),
        _mart(
            "revenue_estimate_daily",
            tables=("marts.revenue_estimate_daily",),
            upstream=("core.subscriptions", "core.gifts", "core.volts_tips"),
            steps=("revenue_estimate_daily.sql",),
            description="estimated creator revenue per channel and day (assumed prices and "
            "shares: pipeline/marts/revenue.py)",
            params=revenue.DEFAULT.params(),
        ),
        _mart(
            "growth_rankings",
            tables=("marts.growth_rankings",),
            upstream=("marts.channel_daily",),
            steps=("growth_rankings.sql",),
            description="7- and 28-day growth against the previous window, with ranks and "
            "breakouts",
            upstream_lookback_days=55,
            params={"breakout_n": BREAKOUT_TOP_N},
        ),
    ]
)

MART_TABLES: tuple[str, ...] = tuple(t for mart in MARTS.values() for t in mart.tables)
