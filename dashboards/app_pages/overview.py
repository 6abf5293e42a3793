"""Overview: the platform in the period, against the period before it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, queries, ui
from pipeline.marts import definitions

snapshot, period = ui.page("Overview")

current = ui.load(queries.platform_kpis, snapshot, period, nothing_yet="")
daily = ui.load(
    queries.platform_daily,
    snapshot,
    period,
    nothing_yet=f"No channel was seen live between {period.label()}. Pick a longer date range.",
)
if current is None or daily is None:
    st.stop()
now = current.iloc[0]
before = queries.platform_kpis(snapshot, period.previous()).iloc[0] if period.compare else None


def previous(key: str) -> object:
    return None if before is None else before[key]


row1 = st.columns(4)
ui.kpi(row1[0], "live_channels_avg", now["live_channels_avg"], previous("live_channels_avg"))
ui.kpi(row1[1], "viewers_avg", now["viewers_avg"], previous("viewers_avg"))
ui.kpi(row1[2], "hours_watched", now["hours_watched"], previous("hours_watched"))
ui.kpi(row1[3], "airtime_hours", now["airtime_hours"], previous("airtime_hours"))
row2 = st.columns(4)
ui.kpi(row2[0], "follows", now["follows"], previous("follows"))
ui.kpi(row2[1], "subs_net", now["subs_net"], previous("subs_net"))
ui.kpi(row2[2], "volts", now["volts"], previous("volts"))
ui.kpi(row2[3], "peak_viewers", now["viewers_peak"], previous("viewers_peak"))
st.caption(
    "Viewing is cut at local midnights of the chosen timezone; follows, subs and Volts are "
    "counted per UTC day."
    + (" Deltas compare with the previous period of the same length." if period.compare else "")
)

left, right = st.columns(2)
with left:
    st.subheader("Hours watched per day")
    ui.chart(charts.daily_line(daily, "hours_watched", "hours watched"))
with right:
    st.subheader("Category share of hours watched")
    share = ui.load(queries.category_share, snapshot, period, nothing_yet="No categories yet.")
    if share is not None:
        ui.chart(
            charts.share_bars(share.head(10), "category_slug", "hours_watched", "hours watched")
        )

st.subheader("Biggest movers (hours watched, 7 days)")
movers = ui.load(
    queries.growth_rankings,
    snapshot,
    period.last_day,
    7,
    "hours_watched",
    nothing_yet="No growth ranking has been built for this period yet.",
)
if movers is not None:
    movers = movers.sort_values("change", ascending=False, na_position="last").head(10)
    ui.table(
        pd.DataFrame(
            movers[
                [
                    "username",
                    "current_value",
                    "previous_value",
                    "change",
                    "change_pct",
                    "rank",
                    "rank_change",
                    "breakout",
                ]
            ]
        ),
        "overview_movers",
        column_config={
            "username": "Channel",
            "current_value": st.column_config.NumberColumn("Hours watched", format="%.1f"),
            "previous_value": st.column_config.NumberColumn("Previous 7 days", format="%.1f"),
            "change": st.column_config.NumberColumn("Change (h)", format="%+.1f"),
            "change_pct": st.column_config.NumberColumn("Change", format="percent"),
            "rank": "Rank",
            "rank_change": st.column_config.NumberColumn(
                "Rank move", help=definitions.help_text("rank_change")
            ),
            "breakout": st.column_config.CheckboxColumn(
                "Breakout", help=definitions.help_text("breakout")
            ),
        },
    )

# The chart above draws these days; their table is one click away (a collapsed expander's
# table is not drawn until opened, which keeps it out of the page's first paint).
with st.expander("Daily figures (table and downloads)"):
    ui.table(
        daily,
        "overview_daily",
        column_config={
            "day": st.column_config.DateColumn(f"Day ({period.timezone})"),
            "hours_watched": st.column_config.NumberColumn("Hours watched", format="%.1f"),
            "airtime_hours": st.column_config.NumberColumn("Airtime (h)", format="%.1f"),
            "channels_live": "Channels live",
            "viewers_peak": st.column_config.NumberColumn("Sampled peak", format="%d"),
        },
    )
