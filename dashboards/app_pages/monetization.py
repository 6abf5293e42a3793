"""Monetization: daily follows, subs (paid vs gifted, each counted once), Volts, points, raids."""

from __future__ import annotations

import streamlit as st

from dashboards import queries, ui

st.title("Monetization")
snapshot = ui.require_snapshot()

channels = ui.load(
    queries.monetization_channels,
    snapshot,
    nothing_yet="No webhook events (follows, subs, gifts, Volts, points, raids) have arrived yet.",
)
if channels is None:
    st.stop()

names = dict(zip(channels["channel_id"], channels["channel"], strict=True))
channel_id = st.selectbox(
    "Channel", list(channels["channel_id"]), format_func=lambda cid: str(names.get(cid, cid))
)
if channel_id is None:
    st.stop()
daily = ui.load(
    queries.monetization_daily,
    snapshot,
    channel_id,
    nothing_yet="This channel only has test events so far; test events are not counted.",
)
if daily is None:
    st.stop()

st.caption(
    "Webhook events, UTC days, test events excluded. Gifted subs are the gift events' gift counts; "
    "the matching per-recipient subscribe events are not counted again."
)
columns = st.columns(6)
for column, (label, key) in zip(
    columns,
    [
        ("Follows", "follows"),
        ("Paid subs", "paid_subs"),
        ("Gifted subs", "gifted_subs"),
        ("Volts", "volts"),
        ("Points redemptions", "redemptions"),
        ("Raids", "raids"),
    ],
    strict=True,
):
    column.metric(label, ui.format_count(daily[key].sum()))

# One bar per calendar day: a day label, not a timestamp, or bars shrink to hairlines.
per_day = daily.assign(day=daily["day"].dt.strftime("%Y-%m-%d")).rename(
    columns={"paid_subs": "Paid subs", "gifted_subs": "Gifted subs", "volts": "Volts"}
)
left, right = st.columns(2)
with left:
    st.subheader("Subscriptions per day")
    st.bar_chart(per_day, x="day", y=["Paid subs", "Gifted subs"], x_label="", y_label="subs")
with right:
    st.subheader("Volts per day")
    st.bar_chart(per_day, x="day", y="Volts", x_label="", y_label="Volts")

st.subheader("Daily totals")
st.dataframe(
    daily.sort_values("day", ascending=False),
    hide_index=True,
    width="stretch",
    column_config={
        "day": st.column_config.DateColumn("Day (UTC)", format="YYYY-MM-DD"),
        "follows": "Follows",
        "paid_subs": "Paid subs",
        "gifted_subs": "Gifted subs",
        "volts": "Volts",
        "redemptions": "Redemptions",
        "points_spent": "Points spent",
        "raids": "Raids",
        "raid_viewers": "Raid viewers",
    },
)
