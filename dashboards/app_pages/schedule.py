"""Schedule: when it pays to stream (viewers per live channel by weekday and hour, local time),
and a creator's own hours against it."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, queries, ui

ALL = ""

snapshot, period = ui.page("Schedule")

slugs = ui.load(queries.category_slugs, snapshot, nothing_yet="No category has been watched yet.")
if slugs is None:
    st.stop()
categories = [ALL, *slugs["category_slug"]]
wanted = st.query_params.get("category", ALL)
category = st.selectbox(
    "Category",
    categories,
    index=categories.index(wanted) if wanted in categories else 0,
    format_func=lambda c: "All categories" if c == ALL else c,
)
if category:
    st.query_params["category"] = str(category)
else:
    st.query_params.pop("category", None)

heat = ui.load(
    queries.schedule_heatmap,
    snapshot,
    period,
    category or None,
    nothing_yet=f"Nobody streamed {category or 'anything'} between {period.label()}.",
)
if heat is None:
    st.stop()
st.subheader(f"Viewers per live channel ({period.timezone})")
ui.chart(charts.heatmap(heat, "viewers_per_channel", "viewers per live channel"))
st.caption(
    "Hours watched ÷ airtime of the channels live in each weekday × hour of the period: high "
    "where viewers outnumber the competition."
)

channels = queries.mart_channels(snapshot)
names = dict(zip(channels["channel_id"], channels["username"], strict=True))
channel_id = ui.channel_picker(channels, "Compare a creator's own hours", none_label="—")
if channel_id:
    own = queries.channel_schedule(snapshot, period, channel_id)
    if own.empty:
        ui.show_unavailable(f"{names.get(channel_id)} did not stream in the period.")
    else:
        st.subheader(f"{names.get(channel_id)}'s airtime (hours)")
        ui.chart(charts.heatmap(own, "airtime_hours", "airtime hours"))
ui.table(heat, "schedule_heatmap")
