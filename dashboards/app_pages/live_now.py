"""Live now: how many channels are live and how many people watch, over time and right now."""

from __future__ import annotations

import streamlit as st

from dashboards import queries, ui

st.title("Live now")
snapshot = ui.require_snapshot()

totals = ui.load(queries.live_totals, snapshot, nothing_yet="No live polls have been recorded yet.")
if totals is not None:
    latest = totals.iloc[-1]
    previous = totals.iloc[-2] if len(totals) > 1 else None
    channels_col, viewers_col, time_col = st.columns(3)
    channels_col.metric(
        "Live channels",
        ui.format_count(latest["live_channels"]),
        delta=None
        if previous is None
        else int(latest["live_channels"] - previous["live_channels"]),
    )
    viewers_col.metric(
        "Total viewers",
        ui.format_count(latest["total_viewers"]),
        delta=None
        if previous is None
        else int(latest["total_viewers"] - previous["total_viewers"]),
    )
    time_col.metric("Last poll (UTC)", ui.format_short_time(latest["snapshot_at"]))
    left, right = st.columns(2)
    with left:
        st.subheader("Live channels (last 24 h)")
        st.line_chart(totals, x="snapshot_at", y="live_channels", x_label="", y_label="channels")
    with right:
        st.subheader("Total viewers (last 24 h)")
        st.line_chart(totals, x="snapshot_at", y="total_viewers", x_label="", y_label="viewers")

streams = ui.load(
    queries.live_streams_now, snapshot, nothing_yet="No live stream list has been recorded yet."
)
if streams is not None:
    st.subheader(
        f"Live at {ui.format_time(streams['snapshot_at'].iloc[0])}: {len(streams):,} channels"
    )
    st.dataframe(
        streams.drop(columns=["snapshot_at"]),
        hide_index=True,
        width="stretch",
        column_config={
            "username": "Channel",
            "title": "Title",
            "category_name": "Category",
            "viewer_count": st.column_config.NumberColumn("Viewers", format="%d"),
            "started_at": st.column_config.DatetimeColumn("Live since", format="YYYY-MM-DD HH:mm"),
        },
    )
