"""Creator (``?channel=``): one channel against its previous period and its category's peers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, exports, formatting, queries, ui
from pipeline.marts import definitions, ratios

snapshot, period = ui.page("Creator")

channels = ui.load(
    queries.mart_channels, snapshot, nothing_yet="No channel has been seen live yet."
)
if channels is None:
    st.stop()
names = dict(zip(channels["channel_id"], channels["username"], strict=True))
channel_id = ui.channel_picker(channels, "Channel (type to search)")
if channel_id is None:
    st.stop()
name = str(names.get(channel_id) or channel_id)

now = queries.channel_period(snapshot, period, channel_id).iloc[0]
if pd.isna(now["hours_watched"]):
    ui.show_unavailable(f"{name} was not seen live between {period.label()}.")
    st.stop()
before = (
    queries.channel_period(snapshot, period.previous(), channel_id).iloc[0]
    if period.compare
    else None
)
peers = queries.category_peers(snapshot, period, channel_id)


def previous(key: str) -> object:
    return None if before is None else before[key]


average = ratios.average_viewers(now["hours_watched"], now["covered_hours"])
average_before = (
    None
    if before is None
    else ratios.average_viewers(before["hours_watched"], before["covered_hours"])
)
conversion = ratios.follows_per_hour_watched(now["followers_gained"], now["hours_watched"])
conversion_before = (
    None
    if before is None
    else ratios.follows_per_hour_watched(before["followers_gained"], before["hours_watched"])
)

row = st.columns(4)
ui.kpi(row[0], "hours_watched", now["hours_watched"], previous("hours_watched"))
ui.kpi(row[1], "average_viewers", average, average_before)
ui.kpi(row[2], "peak_viewers", now["peak_viewers"], previous("peak_viewers"))
ui.kpi(row[3], "airtime_hours", now["airtime_hours"], previous("airtime_hours"))
row = st.columns(4)
ui.kpi(row[0], "streams", now["streams"], previous("streams"))
ui.kpi(row[1], "followers_gained", now["followers_gained"], previous("followers_gained"))
ui.kpi(row[2], "follows_per_hour_watched", conversion, conversion_before)
ui.kpi(row[3], "volts", now["volts"], previous("volts"))

if not peers.empty:
    category = str(peers["category_slug"].iloc[0])
    others = len(peers) - 1  # the peers include the channel itself
    if others == 0:
        st.caption(
            f"No other channel had **{category}** as its most-watched category in the period, "
            "so there are no peers to compare with."
        )
    else:
        peer_hours = ratios.peer_median(list(peers["hours_watched"]))
        peer_average = ratios.peer_median(
            [
                ratios.average_viewers(h, c)
                for h, c in zip(peers["hours_watched"], peers["covered_hours"], strict=True)
            ]
        )
        st.caption(
            f"Against the {len(peers)} channels (this one included) whose most-watched category "
            f"was **{category}**: median hours watched {formatting.duration(peer_hours)} (this "
            f"channel {formatting.duration(now['hours_watched'])}), median average viewers "
            f"{formatting.compact(peer_average)} (this channel {formatting.compact(average)})."
        )

webhooks = queries.channel_webhook_events(snapshot, channel_id).iloc[0]
if int(webhooks["events"]) == 0:
    ui.not_authorized(name)

left, right = st.columns(2)
with left:
    st.subheader("Followers")
    curve = ui.load(
        queries.follower_curves,
        snapshot,
        period,
        (channel_id,),
        nothing_yet=f"No follower totals for {name} in the period (profiles are polled hourly).",
    )
    if curve is not None:
        ui.chart(charts.daily_line(curve, "follower_count", "followers"))
with right:
    st.subheader("Monetization")
    money = queries.monetization_period(snapshot, period, channel_id)
    if money.empty:
        st.info(f"No subs, gifts or Volts for {name} in the period.")
    else:
        ui.chart(
            charts.daily_bars(
                money,
                {"subs_new": "New subs", "subs_renewed": "Renewed", "subs_gifted": "Gifted"},
                "subs",
            )
        )

st.subheader("Sessions")
sessions = ui.load(
    queries.creator_sessions, snapshot, period, channel_id, nothing_yet="No sessions in the period."
)
if sessions is not None:
    st.dataframe(
        sessions.assign(link="./stream?stream=" + sessions["stream_id"]),
        hide_index=True,
        width="stretch",
        column_config={
            "link": st.column_config.LinkColumn("Stream", display_text="open"),
            "stream_id": None,
            "started_at": st.column_config.DatetimeColumn(
                "Started", format="YYYY-MM-DD HH:mm", timezone=period.timezone
            ),
            "ended_at": st.column_config.DatetimeColumn(
                "Ended", format="YYYY-MM-DD HH:mm", timezone=period.timezone
            ),
            "hours_live": ui.metric_column("airtime_hours", "Airtime (h)", "%.2f"),
            "hours_watched": ui.metric_column("hours_watched", "Hours watched", "%.1f"),
            "average_viewers": ui.metric_column("average_viewers", "Avg viewers", "%.1f"),
            "peak_viewers": ui.metric_column("peak_viewers", "Sampled peak", "%d"),
            "coverage": ui.metric_column("coverage", "Coverage", "percent"),
            "end_source": st.column_config.TextColumn(
                "End from", help=definitions.help_text("end_source")
            ),
        },
    )
    st.caption(
        "Export in the columns of Twitch's channel export (Max Viewers is our sampled peak):"
    )
    ui.downloads(exports.creator_sessions(sessions), f"{name}_sessions")

st.subheader("Top clips")
clips = queries.channel_clips(snapshot, period, channel_id)
if clips.empty:
    st.info(f"No clips of {name} were created in the period.")
else:
    ui.table(clips, f"{name}_clips", column_config={"url": st.column_config.LinkColumn("Link")})
