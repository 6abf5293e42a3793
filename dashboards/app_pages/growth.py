"""Growth: the fastest-growing channels over 7 and 28 days, rank movement, breakouts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, queries, ui
from pipeline.marts import definitions

WINDOWS = (7, 28)
RANKED_BY = {
    "hours_watched": "Hours watched",
    "average_viewers": "Average viewers",
    "followers_gained": "Followers gained",
}

snapshot, period = ui.page("Growth")

window_col, metric_col = st.columns(2)
window = window_col.segmented_control(
    "Window", WINDOWS, default=WINDOWS[0], format_func=lambda d: f"{d} days", key="growth_window"
)
metric = metric_col.selectbox(
    "Ranked by", list(RANKED_BY), format_func=lambda k: RANKED_BY[k], key="growth_metric"
)
window = window or WINDOWS[0]
ranking = ui.load(
    queries.growth_rankings,
    snapshot,
    period.last_day,
    int(window),
    str(metric),
    nothing_yet=f"No growth ranking up to {period.last_day:%b %d, %Y} yet (rankings are built "
    "daily from channel days).",
)
if ranking is None:
    st.stop()
st.caption(
    f"As of {ranking['as_of'].iloc[0]:%b %d, %Y} (UTC days): the last {window} days against the "
    f"{window} days before. {definitions.help_text('growth_change_pct')}"
)

label = RANKED_BY[str(metric)]
ui.table(
    pd.DataFrame(ranking[
        ["rank", "rank_change", "username", "current_value", "previous_value", "change",
         "change_pct", "breakout"]
    ]),
    f"growth_{window}d_{metric}",
    column_config={
        "rank": "Rank",
        "rank_change": ui.metric_column("rank_change", "Rank move", "%+d"),
        "username": "Channel",
        "current_value": st.column_config.NumberColumn(label, format="%.1f"),
        "previous_value": st.column_config.NumberColumn(f"Previous {window} days", format="%.1f"),
        "change": st.column_config.NumberColumn("Change", format="%+.1f"),
        "change_pct": st.column_config.NumberColumn("Change %", format="percent"),
        "breakout": st.column_config.CheckboxColumn(
            "Breaking out", help=definitions.help_text("breakout")
        ),
    },
)  # fmt: skip

breakouts = ranking[ranking["breakout"]]
st.subheader("Channels breaking out")
if breakouts.empty:
    st.info("No channel entered the top of this ranking in this window.")
else:
    st.write(", ".join(f"**{name}**" for name in list(breakouts["username"])[:20]))

st.subheader("Followers of the top 5")
top = tuple(str(c) for c in ranking["channel_id"].head(5))
curves = ui.load(
    queries.follower_curves,
    snapshot,
    period,
    top,
    nothing_yet="No follower totals for these channels in the period (profiles are polled hourly).",
)
if curves is not None:
    ui.chart(charts.daily_line(curves, "follower_count", "followers", color="username"))
