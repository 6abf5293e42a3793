"""Every published metric, defined once: the text of docs/metrics.md and of the dashboards' help.

``docs/metrics.md`` holds the rendering of :data:`METRICS` between its ``definitions`` markers
(``velora marts docs`` rewrites the block; a test fails when it drifts), and every
dashboard KPI takes its help text from :func:`help_text`, so the two cannot disagree.

``kind`` says how far to trust a number: ``exact`` (counted from events or totals), ``sampled``
(integrated from polls of the live directory, with the error measured in docs/metrics.md) or
``estimate`` (a model on assumptions, always labelled so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["exact", "sampled", "estimate"]

BEGIN_MARKER = "<!-- definitions:begin (generated from pipeline/marts/definitions.py) -->"
END_MARKER = "<!-- definitions:end -->"


@dataclass(frozen=True)
class Metric:
    key: str  # the column name it is published under
    label: str  # what people call it on a page
    group: str
    unit: str
    kind: Kind
    definition: str  # one or two sentences: the help text
    formula: str
    source: str  # mart table(s) it is published in, then the core tables it comes from
    code: tuple[str, ...]  # the SQL files (in pipeline/marts/sql) that compute it


_SESSIONS = ("session_segments.sql", "stream_sessions.sql")
_INTERVALS = ("stream_intervals.sql",)
_CHANNEL = ("channel_daily.sql",)
_MONEY = ("monetization_daily.sql",)
_GROWTH = ("growth_rankings.sql",)

METRICS: tuple[Metric, ...] = (
    Metric(
        "hours_watched",
        "Hours watched",
        "Viewing",
        "hours",
        "sampled",
        "Viewer-hours: the area under the concurrent-viewer curve of the live directory's polls. "
        "Gaps longer than 3 poll cadences are not interpolated.",
        "Σ over consecutive samples (v[i-1] + v[i]) / 2 × Δt, only where Δt ≤ 3 × cadence; the "
        "curve is extended flat to the session's start and end; split into 15-minute intervals "
        "so a session across midnight gives each day its share",
        "marts.stream_sessions, marts.stream_intervals, marts.channel_daily ← "
        "core.stream_snapshots (source live), core.stream_status_events",
        _SESSIONS + _INTERVALS,
    ),
    Metric(
        "airtime_hours",
        "Airtime",
        "Viewing",
        "hours",
        "sampled",
        "Hours live: from the stream's startedAt to its end (the stream.offline time when known, "
        "else its VOD's endedAt, else the estimated end).",
        "Σ (ended_at − started_at) per session, split at interval boundaries",
        "marts.stream_sessions (hours_live), marts.channel_daily ← core.stream_snapshots",
        _SESSIONS + _INTERVALS,
    ),
    Metric(
        "average_viewers",
        "Average viewers",
        "Viewing",
        "viewers",
        "sampled",
        "Time-weighted average concurrent viewers over the airtime our polls cover; never the "
        "plain mean of samples.",
        "hours_watched ÷ covered_hours",
        "marts.stream_sessions, marts.channel_daily, marts.category_daily",
        _SESSIONS + _CHANNEL,
    ),
    Metric(
        "peak_viewers",
        "Sampled peak viewers",
        "Viewing",
        "viewers",
        "sampled",
        "The largest viewer count any poll saw. Spikes between polls are missed, so it is biased "
        "low; the bias is measured in the accuracy table.",
        "max(viewer_count) over the samples",
        "marts.stream_sessions, marts.channel_daily ← core.stream_snapshots",
        _SESSIONS,
    ),
    Metric(
        "coverage",
        "Coverage",
        "Viewing",
        "ratio",
        "sampled",
        "The share of airtime inside counted segments (polls no more than 3 cadences apart).",
        "covered_hours ÷ airtime_hours",
        "marts.stream_sessions, marts.channel_daily",
        _SESSIONS,
    ),
    Metric(
        "streams",
        "Streams",
        "Viewing",
        "count",
        "exact",
        "Sessions (distinct stream ids) that began that day.",
        "count(stream_id) by the UTC day of the first sample",
        "marts.channel_daily ← marts.stream_sessions",
        _CHANNEL,
    ),
    Metric(
        "end_source",
        "Session end",
        "Viewing",
        "label",
        "exact",
        "Where a session's end comes from: offline_event (stream.offline webhook, exact), vod "
        "(endedAt of the stream's VOD, exact; fetched once per session no webhook ends), "
        "estimated (midpoint of the last poll that listed it and the next poll), or ongoing.",
        "offline event time, else the VOD's endedAt, else (last listing poll + next poll) / 2, "
        "at most half a cadence past the last sample when polls were missed",
        "marts.stream_sessions ← core.stream_snapshots, core.stream_status_events, core.vods",
        _SESSIONS,
    ),
    Metric(
        "low_confidence",
        "Low confidence",
        "Viewing",
        "flag",
        "sampled",
        "A channel-day whose average is under 10 viewers, or whose airtime is less than 80 % "
        "covered by polls: its sampled numbers are rough (error in the accuracy table).",
        "average_viewers < 10 OR coverage < 0.8",
        "marts.channel_daily",
        _CHANNEL,
    ),
    Metric(
        "followers_gained",
        "Followers gained",
        "Growth",
        "followers",
        "exact",
        "New follows that day: counted from channel.follow events where the channel's webhooks "
        "cover it (followers_source = events), otherwise the change of the follower total "
        "(follower_totals, which nets out unfollows) since the last day with a total, at most 7 "
        "days before (none further back: unknown).",
        "count(core.follows) per day, else last follower_count − that of the last day with one "
        "(≤ 7 days before)",
        "marts.channel_daily ← core.follows, core.channel_profiles, marts.webhook_coverage",
        _CHANNEL,
    ),
    Metric(
        "follower_count",
        "Followers",
        "Growth",
        "followers",
        "exact",
        "The channel's last follower total seen that day (profiles are polled hourly).",
        "arg_max(follower_count, snapshot_at) per day",
        "marts.channel_daily ← core.channel_profiles",
        _CHANNEL,
    ),
    Metric(
        "growth_change_pct",
        "Growth",
        "Growth",
        "percent",
        "sampled",
        "A 7- or 28-day window's value against the previous window of equal length, for hours "
        "watched, average viewers and followers gained.",
        "(current − previous) ÷ previous",
        "marts.growth_rankings ← marts.channel_daily",
        _GROWTH,
    ),
    Metric(
        "rank_change",
        "Rank movement",
        "Growth",
        "places",
        "sampled",
        "Places moved up in the ranking since the previous window (positive: moved up).",
        "previous_rank − rank",
        "marts.growth_rankings",
        _GROWTH,
    ),
    Metric(
        "breakout",
        "Breaking out",
        "Growth",
        "flag",
        "sampled",
        "In the top 50 of a ranking now, and not in the previous window's top 50.",
        "rank ≤ 50 AND (previous_rank IS NULL OR previous_rank > 50)",
        "marts.growth_rankings",
        _GROWTH,
    ),
    Metric(
        "share_of_hours_watched",
        "Share of hours watched",
        "Categories",
        "ratio",
        "sampled",
        "A category's hours watched as a share of the platform's that day.",
        "category hours_watched ÷ platform hours_watched",
        "marts.category_daily ← marts.stream_intervals",
        ("category_daily.sql",),
    ),
    Metric(
        "live_channels_avg",
        "Live channels",
        "Platform",
        "channels",
        "sampled",
        "Channels live at the polls of the hour, averaged over its polls.",
        "avg over polls of count(distinct live streams)",
        "marts.platform_hourly ← core.stream_snapshots",
        ("platform_hourly.sql",),
    ),
    Metric(
        "viewers_avg",
        "Concurrent viewers",
        "Platform",
        "viewers",
        "sampled",
        "The platform's time-weighted average concurrent viewers in the hour.",
        "hours_watched in the hour ÷ 1 h",
        "marts.platform_hourly ← marts.stream_intervals",
        ("platform_hourly.sql",),
    ),
    Metric(
        "follows",
        "Follows",
        "Monetization",
        "count",
        "exact",
        "channel.follow events received that day.",
        "count(core.follows)",
        "marts.monetization_daily ← core.follows",
        _MONEY,
    ),
    Metric(
        "subs_new",
        "New subscriptions",
        "Monetization",
        "count",
        "exact",
        "Paid first-month subscriptions (channel.subscribe, not a gift, not a renewal).",
        "count(core.subscriptions WHERE NOT is_gift AND NOT is_renewal)",
        "marts.monetization_daily ← core.subscriptions",
        _MONEY,
    ),
    Metric(
        "subs_renewed",
        "Renewed subscriptions",
        "Monetization",
        "count",
        "exact",
        "Paid renewals (channel.subscribe with isRenewal).",
        "count(core.subscriptions WHERE NOT is_gift AND is_renewal)",
        "marts.monetization_daily ← core.subscriptions",
        _MONEY,
    ),
    Metric(
        "subs_gifted",
        "Gifted subscriptions",
        "Monetization",
        "count",
        "exact",
        "Subscriptions given as gifts, counted once from the gift events' giftCount (the "
        "per-recipient channel.subscribe rows Velora also sends are never added).",
        "Σ core.gifts.gift_count",
        "marts.monetization_daily ← core.gifts",
        _MONEY,
    ),
    Metric(
        "subs_ended",
        "Ended subscriptions",
        "Monetization",
        "count",
        "exact",
        "channel.subscription.end events that day.",
        "count(core.subscription_ends)",
        "marts.monetization_daily ← core.subscription_ends",
        _MONEY,
    ),
    Metric(
        "subs_net",
        "Net subscriptions",
        "Monetization",
        "count",
        "exact",
        "The change in active subscriptions: new plus gifted minus ended (renewals change no "
        "count).",
        "subs_new + subs_gifted − subs_ended",
        "marts.monetization_daily",
        _MONEY,
    ),
    Metric(
        "gift_events",
        "Gift events",
        "Monetization",
        "count",
        "exact",
        "channel.subscription.gift events (a gift bomb of 10 is one event).",
        "count(core.gifts)",
        "marts.monetization_daily ← core.gifts",
        _MONEY,
    ),
    Metric(
        "gifters",
        "Gifters",
        "Monetization",
        "count",
        "exact",
        "Distinct named gifters that day (anonymous gifts are counted in anonymous_gift_events).",
        "count(DISTINCT gifter_id)",
        "marts.monetization_daily ← core.gifts",
        _MONEY,
    ),
    Metric(
        "volts",
        "Volts",
        "Monetization",
        "Volts",
        "exact",
        "Volts tipped that day.",
        "Σ core.volts_tips.volts",
        "marts.monetization_daily ← core.volts_tips",
        _MONEY,
    ),
    Metric(
        "volts_events",
        "Volts tips",
        "Monetization",
        "count",
        "exact",
        "channel.volts events (tips) that day.",
        "count(core.volts_tips)",
        "marts.monetization_daily ← core.volts_tips",
        _MONEY,
    ),
    Metric(
        "tippers",
        "Tippers",
        "Monetization",
        "count",
        "exact",
        "Distinct named senders of Volts that day.",
        "count(DISTINCT sender_id)",
        "marts.monetization_daily ← core.volts_tips",
        _MONEY,
    ),
    Metric(
        "points_redemptions",
        "Channel-point redemptions",
        "Monetization",
        "count",
        "exact",
        "channel.points.redeem events that day.",
        "count(core.points_redemptions)",
        "marts.monetization_daily ← core.points_redemptions",
        _MONEY,
    ),
    Metric(
        "points_spent",
        "Channel points spent",
        "Monetization",
        "points",
        "exact",
        "The reward costs of that day's redemptions.",
        "Σ core.points_redemptions.reward_cost",
        "marts.monetization_daily ← core.points_redemptions",
        _MONEY,
    ),
    Metric(
        "supporter_volts",
        "Top supporters",
        "Monetization",
        "Volts, gift subs, points",
        "exact",
        "What each named supporter gave a channel that day, from events, beside the day's last "
        "leaderboard snapshot (which also covers channels without webhooks).",
        "Σ per supporter of volts, gift_count, reward_cost; the leaderboards' last amounts",
        "marts.top_supporters ← core.volts_tips, core.gifts, core.points_redemptions, "
        "core.leaderboard_entries",
        ("top_supporters.sql",),
    ),
    Metric(
        "estimated_revenue",
        "Estimated revenue",
        "Revenue",
        "currency",
        "estimate",
        "An estimate, never a reported figure: paid subs × tier price × creator share + gifted "
        "subs likewise + Volts × the value of a Volt, on the assumptions in "
        "pipeline/marts/revenue.py (overridable per query).",
        "Σ_tier (paid + gifted subs) × price(tier) × creator_share + volts × volt_value",
        "marts.revenue_estimate_daily ← marts.monetization_daily inputs",
        ("revenue_estimate_daily.sql", "revenue_estimate.sql"),
    ),
    Metric(
        "follows_per_hour_watched",
        "Follower conversion",
        "Growth",
        "follows per hour",
        "sampled",
        "Followers gained per hour watched: how well watching turns into following.",
        "followers_gained ÷ hours_watched",
        "marts.channel_daily",
        _CHANNEL,
    ),
)

BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}


def metric(key: str) -> Metric:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"no metric {key!r} is defined in pipeline/marts/definitions.py") from None


def help_text(key: str) -> str:
    """The dashboard help of a KPI: the definition, how far to trust it, and the formula."""
    m = metric(key)
    trust = {"exact": "Exact.", "sampled": "Sampled from polls.", "estimate": "An estimate."}
    return f"{m.definition} {trust[m.kind]} Formula: {m.formula}."


def render_markdown() -> str:
    """The definitions block of docs/metrics.md, grouped as the pages group them."""
    lines = [BEGIN_MARKER]
    groups: dict[str, list[Metric]] = {}
    for m in METRICS:
        groups.setdefault(m.group, []).append(m)
    for group, members in groups.items():
        lines += ["", f"### {group}", ""]
        for m in members:
            lines += [
                f"- **{m.label}** (`{m.key}`, {m.unit}, {m.kind}) — {m.definition}",
                f"  - Formula: {m.formula}.",
                f"  - Source: {m.source}.",
                "  - Code: " + ", ".join(f"`pipeline/marts/sql/{name}`" for name in m.code) + ".",
            ]
    lines += ["", END_MARKER]
    return "\n".join(lines)
