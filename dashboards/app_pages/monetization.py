"""Monetization: subscriptions, gifts, Volts and channel points, supporters, revenue estimate."""

from __future__ import annotations

from dataclasses import fields

import streamlit as st

from dashboards import charts, formatting, queries, ui
from pipeline.marts import definitions, revenue

KPIS = ("subs_new", "subs_renewed", "subs_gifted", "subs_ended", "subs_net", "gift_events",
        "volts", "points_spent")  # fmt: skip

snapshot, period = ui.page("Monetization")

channels = ui.load(queries.mart_channels, snapshot, nothing_yet="No channel data yet.")
if channels is None:
    st.stop()
names = dict(zip(channels["channel_id"], channels["username"], strict=True))
channel_id = ui.channel_picker(channels, "Channel", none_label="All channels (platform)")

daily = queries.monetization_period(snapshot, period, channel_id)
if daily.empty:
    if (
        channel_id is not None
        and int(queries.channel_webhook_events(snapshot, channel_id)["events"].iloc[0]) == 0
    ):
        ui.not_authorized(str(names.get(channel_id) or channel_id))
    else:
        ui.show_unavailable(f"No follows, subs, gifts, Volts or points in {period.label()}.")
    st.stop()
before = (
    queries.monetization_period(snapshot, period.previous(), channel_id) if period.compare else None
)

st.caption("Webhook events per UTC day; test events excluded; gifted subs counted once.")
columns = st.columns(4) + st.columns(4)
for column, key in zip(columns, KPIS, strict=True):
    ui.kpi(column, key, daily[key].sum(), None if before is None else before[key].sum())

left, right = st.columns(2)
with left:
    st.subheader("Subscriptions per day")
    ui.chart(
        charts.daily_bars(
            daily, {"subs_new": "New", "subs_renewed": "Renewed", "subs_gifted": "Gifted"}, "subs"
        )
    )
with right:
    st.subheader("Volts per day")
    ui.chart(charts.daily_bars(daily, {"volts": "Volts"}, "Volts"))

st.subheader("Top supporters")
supporters = ui.load(
    queries.top_supporters, snapshot, period, channel_id, nothing_yet="No supporters in the period."
)
if supporters is not None:
    st.caption(definitions.help_text("supporter_volts"))
    ui.table(
        supporters,
        "top_supporters",
        column_config={
            "supporter_id": None,
            "supporter_username": "Supporter",
            "channels": "Channels",
            "volts": st.column_config.NumberColumn("Volts", format="%d"),
            "gift_subs": st.column_config.NumberColumn("Gift subs", format="%d"),
            "points_spent": st.column_config.NumberColumn("Points", format="%d"),
            "best_rank": "Best leaderboard rank",
        },
    )

st.subheader("Revenue estimate")
st.caption(definitions.help_text("estimated_revenue"))
with st.expander("Assumptions (edit to re-price; the stored estimate keeps the defaults)"):
    edited: dict[str, object] = {}
    inputs = st.columns(5)
    for column, field in zip(
        inputs, [f for f in fields(revenue.RevenueAssumptions) if f.name != "currency"], strict=True
    ):
        default = float(getattr(revenue.DEFAULT, field.name))
        edited[field.name] = column.number_input(
            field.name.replace("_", " ").capitalize(),
            min_value=0.0,
            max_value=1.0 if field.name == "creator_share" else None,
            value=default,
            step=0.01 if default < 1 else 0.5,
            help=revenue.SOURCES[field.name],
            key=f"assume_{field.name}",
        )
    st.caption(f"Currency: {revenue.DEFAULT.currency} ({revenue.SOURCES['currency']}).")
assumptions = revenue.RevenueAssumptions(**edited)  # type: ignore[arg-type]
estimate = ui.load(
    queries.revenue_estimate,
    snapshot,
    period,
    channel_id,
    assumptions,
    nothing_yet="No paid subs or Volts in the period, so there is nothing to estimate.",
)
if estimate is not None:
    total, subs_col, volts_col = st.columns(3)
    currency = str(estimate["currency"].iloc[0])
    total.metric(
        "Estimated revenue (estimate)",
        formatting.money(estimate["estimated_revenue"].sum(), currency),
        help=definitions.help_text("estimated_revenue"),
    )
    subs_col.metric("From subscriptions", formatting.money(estimate["sub_revenue"].sum(), currency))
    volts_col.metric("From Volts", formatting.money(estimate["volts_revenue"].sum(), currency))
    # Secondary tables sit in collapsed expanders: their tables are not drawn until opened.
    # Per channel-day on the platform view: the biggest first, so the table's first rows are
    # the ones worth reading (ui.table shows a bounded number of rows).
    with st.expander("Estimate per day and channel (table and downloads)"):
        ui.table(
            estimate.sort_values("estimated_revenue", ascending=False, kind="stable"),
            "revenue_estimate",
        )

with st.expander("Daily figures (table and downloads)"):
    ui.table(
        daily,
        "monetization_daily",
        column_config={"day": st.column_config.DateColumn("Day (UTC)")},
    )
