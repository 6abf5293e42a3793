"""Column types and Pandera schemas of the marts (pipeline/marts builds them).

Value rules the blocking checks enforce: no negative counts or hours, an average never above its
peak, shares within [0, 1], a channel's sessions never overlapping. Each mart table is checked
one UTC-day partition at a time (``MART_PARTITIONS``). Whether a day's totals reconcile with
the events they came from is a cross-table check: ``pipeline.marts.checks``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from pipeline.pandera_polars import pa

TS = pl.Datetime("us", "UTC")
DAY = pl.Date
F = pl.Float64
I64 = pl.Int64
I32 = pl.Int32
S = pl.String
B = pl.Boolean

MART_COLUMNS: dict[str, dict[str, Any]] = {
    "marts.webhook_coverage": {"channel_id": S, "first_event_at": TS},
    "marts.stream_sessions": {
        "stream_id": S,
        "channel_id": S,
        "username": S,
        "title": S,
        "category_slug": S,
        "session_day": DAY,
        "started_at": TS,
        "first_sample_at": TS,
        "last_sample_at": TS,
        "ended_at": TS,
        "end_source": S,
        "samples": I32,
        "cadence_minutes": pl.Int16,
        "hours_live": F,
        "covered_hours": F,
        "hours_watched": F,
        "average_viewers": F,
        "peak_viewers": I64,
        "skipped_gaps": I32,
        "coverage": F,
        "raids_received": I32,
        "raid_viewers_received": I64,
        "raids_sent": I32,
    },
    "marts.stream_intervals": {
        "stream_id": S,
        "channel_id": S,
        "session_day": DAY,
        "interval_start": TS,
        "category_slug": S,
        "hours_watched": F,
        "covered_hours": F,
        "airtime_hours": F,
        "peak_viewers": I64,
        "samples": I32,
    },
    "marts.channel_daily": {
        "day": DAY,
        "channel_id": S,
        "username": S,
        "hours_watched": F,
        "airtime_hours": F,
        "covered_hours": F,
        "average_viewers": F,
        "peak_viewers": I64,
        "streams": I32,
        "samples": I32,
        "coverage": F,
        "top_category_slug": S,
        "followers_gained": I64,
        "followers_source": S,
        "follower_count": I64,
        "low_confidence": B,
    },
    "marts.category_daily": {
        "day": DAY,
        "category_slug": S,
        "hours_watched": F,
        "airtime_hours": F,
        "covered_hours": F,
        "average_viewers": F,
        "peak_viewers": I64,
        "channels": I32,
        "share_of_hours_watched": F,
    },
    "marts.category_channel_daily": {
        "day": DAY,
        "category_slug": S,
        "channel_id": S,
        "hours_watched": F,
        "airtime_hours": F,
        "average_viewers": F,
        "share_of_category": F,
    },
    "marts.platform_hourly": {
        "hour": TS,
        "day": DAY,
        "polls": I32,
        "live_channels_avg": F,
        "live_channels_peak": I64,
        "viewers_avg": F,
        "viewers_peak": I64,
        "hours_watched": F,
        "airtime_hours": F,
    },
    "marts.growth_rankings": {
        "as_of": DAY,
        "window_days": I32,
        "metric": S,
        "channel_id": S,
        "username": S,
        "current_value": F,
        "previous_value": F,
        "change": F,
        "change_pct": F,
        "rank": I32,
        "previous_rank": I32,
        "rank_change": I32,
        "breakout": B,
    },
    "marts.monetization_daily": {
        "day": DAY,
        "channel_id": S,
        "follows": I64,
        "subs_new": I64,
        "subs_renewed": I64,
        "subs_gifted": I64,
        "subs_ended": I64,
        "subs_net": I64,
        "gift_events": I64,
        "gifters": I64,
        "anonymous_gift_events": I64,
        "volts_events": I64,
        "volts": I64,
        "tippers": I64,
        "points_redemptions": I64,
        "points_spent": I64,
    },
    "marts.top_supporters": {
        "day": DAY,
        "channel_id": S,
        "supporter_id": S,
        "supporter_username": S,
        "volts": I64,
        "gift_subs": I64,
        "points_spent": I64,
        "leaderboard_volts": I64,
        "leaderboard_gifts": I64,
        "leaderboard_points": I64,
        "best_rank": I32,
    },
    "marts.revenue_estimate_daily": {
        "day": DAY,
        "channel_id": S,
        "paid_subs_tier1": I64,
        "paid_subs_tier2": I64,
        "paid_subs_tier3": I64,
        "gifted_subs_tier1": I64,
        "gifted_subs_tier2": I64,
        "gifted_subs_tier3": I64,
        "volts": I64,
        "sub_revenue": F,
        "volts_revenue": F,
        "estimated_revenue": F,
        "currency": S,
        "is_estimate": B,
    },
}

MART_GRAINS: dict[str, tuple[str, ...]] = {
    "marts.webhook_coverage": ("channel_id",),
    "marts.stream_sessions": ("stream_id",),
    "marts.stream_intervals": ("stream_id", "interval_start", "category_slug"),
    "marts.channel_daily": ("day", "channel_id"),
    "marts.category_daily": ("day", "category_slug"),
    "marts.category_channel_daily": ("day", "category_slug", "channel_id"),
    "marts.platform_hourly": ("hour",),
    "marts.growth_rankings": ("as_of", "window_days", "metric", "channel_id"),
    "marts.monetization_daily": ("day", "channel_id"),
    "marts.top_supporters": ("day", "channel_id", "supporter_id"),
    "marts.revenue_estimate_daily": ("day", "channel_id"),
}

# The column whose UTC day is each table's partition (what a build replaces, a check reads).
MART_PARTITIONS: dict[str, str] = {
    "marts.webhook_coverage": "first_event_at",
    "marts.stream_sessions": "session_day",
    "marts.stream_intervals": "session_day",
    "marts.channel_daily": "day",
    "marts.category_daily": "day",
    "marts.category_channel_daily": "day",
    "marts.platform_hourly": "day",
    "marts.growth_rankings": "as_of",
    "marts.monetization_daily": "day",
    "marts.top_supporters": "day",
    "marts.revenue_estimate_daily": "day",
}

END_SOURCES = ("offline_event", "vod", "estimated", "ongoing")
FOLLOWER_SOURCES = ("events", "follower_totals")
GROWTH_METRICS = ("hours_watched", "average_viewers", "followers_gained")
# Floating-point sums of the same curve may differ in the last bits.
_EPSILON = 1e-6


def _non_negative(dtype: Any) -> pa.Check | None:
    return pa.Check.ge(0) if dtype in (F, I64, I32, pl.Int16) else None


def _average_within_peak(data: pa.PolarsData) -> pl.LazyFrame:
    average, peak = pl.col("average_viewers"), pl.col("peak_viewers")
    ok = average.is_null() | peak.is_null() | (average <= peak + _EPSILON)
    return data.lazyframe.select(ok.alias("ok"))


def _sessions_never_overlap(data: pa.PolarsData) -> pl.LazyFrame:
    """Within one partition: each session of a channel starts after the previous one ended."""
    end = pl.coalesce("ended_at", "last_sample_at")
    previous_end = end.shift(1).over("channel_id", order_by="started_at")
    ok = previous_end.is_null() | (previous_end <= pl.col("started_at"))
    return data.lazyframe.select(ok.alias("ok"))


def _share_is_a_fraction(column: str) -> pa.Check:
    return pa.Check.in_range(0, 1 + _EPSILON)


_NOT_NULL = {
    "marts.webhook_coverage": {"channel_id", "first_event_at"},
    "marts.stream_sessions": {"stream_id", "channel_id", "session_day", "started_at", "end_source"},
    "marts.stream_intervals": {"stream_id", "channel_id", "session_day", "interval_start"},
    "marts.channel_daily": {"day", "channel_id", "low_confidence"},
    "marts.category_daily": {"day", "category_slug"},
    "marts.category_channel_daily": {"day", "category_slug", "channel_id"},
    "marts.platform_hourly": {"hour", "day"},
    "marts.growth_rankings": {"as_of", "window_days", "metric", "channel_id", "rank", "breakout"},
    "marts.monetization_daily": {"day", "channel_id"},
    "marts.top_supporters": {"day", "channel_id", "supporter_id"},
    "marts.revenue_estimate_daily": {"day", "channel_id", "currency", "is_estimate"},
}
_EXTRA_CHECKS: dict[str, dict[str, list[pa.Check]]] = {
    "marts.stream_sessions": {"end_source": [pa.Check.isin(list(END_SOURCES))]},
    "marts.channel_daily": {"followers_source": [pa.Check.isin(list(FOLLOWER_SOURCES))]},
    "marts.growth_rankings": {
        "metric": [pa.Check.isin(list(GROWTH_METRICS))],
        "window_days": [pa.Check.isin([7, 28])],
        "rank": [pa.Check.ge(1)],
    },
    "marts.category_daily": {"share_of_hours_watched": [_share_is_a_fraction("share")]},
    "marts.category_channel_daily": {"share_of_category": [_share_is_a_fraction("share")]},
}
# Signed by design: a change, a movement or a net count may be negative.
_SIGNED = {"change", "change_pct", "rank_change", "subs_net", "followers_gained"}
_TABLE_CHECKS: dict[str, list[pa.Check]] = {
    "marts.stream_sessions": [
        pa.Check(_average_within_peak, name="average_viewers_not_above_peak"),
        pa.Check(_sessions_never_overlap, name="sessions_of_a_channel_never_overlap"),
    ],
    "marts.channel_daily": [pa.Check(_average_within_peak, name="average_viewers_not_above_peak")],
}


def _schema(table: str) -> pa.DataFrameSchema:
    columns = {}
    for name, dtype in MART_COLUMNS[table].items():
        checks = list(_EXTRA_CHECKS.get(table, {}).get(name, []))
        basic = None if name in _SIGNED else _non_negative(dtype)
        if basic is not None:
            checks.append(basic)
        columns[name] = pa.Column(dtype, nullable=name not in _NOT_NULL[table], checks=checks)
    return pa.DataFrameSchema(
        columns,
        name=table,
        checks=_TABLE_CHECKS.get(table, []),
        unique=list(MART_GRAINS[table]),
    )


MART_SCHEMAS: dict[str, pa.DataFrameSchema] = {table: _schema(table) for table in MART_COLUMNS}
