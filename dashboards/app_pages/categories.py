"""Categories: rankings, each category's share over time, and the channels inside one."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, queries, ui
from pipeline.marts import definitions

snapshot, period = ui.page("Categories")

rankings = ui.load(
    queries.category_rankings,
    snapshot,
    period,
    nothing_yet=f"No category was watched between {period.label()}.",
)
if rankings is None:
    st.stop()

st.subheader("Category rankings")
ui.table(
    rankings,
    "category_rankings",
    column_config={
        "category_slug": "Category",
        "hours_watched": ui.metric_column("hours_watched", "Hours watched", "%.1f"),
        "airtime_hours": ui.metric_column("airtime_hours", "Airtime (h)", "%.1f"),
        "average_viewers": ui.metric_column("average_viewers", "Avg viewers", "%.1f"),
        "peak_viewers": ui.metric_column("peak_viewers", "Sampled peak", "%d"),
        "channels": "Most channels live in a day",
    },
)

st.subheader("Share of hours watched per day")
share = ui.load(queries.category_share_daily, snapshot, period, nothing_yet="No share yet.")
if share is not None:
    ui.chart(charts.share_area(share))
    st.caption(definitions.help_text("share_of_hours_watched"))

options = list(rankings["category_slug"])
wanted = st.query_params.get("category")
category = st.selectbox(
    "Channels in category",
    options,
    index=options.index(wanted) if wanted in options else 0,
)
if category is not None:
    st.query_params["category"] = str(category)
    inside = ui.load(
        queries.category_channels,
        snapshot,
        period,
        str(category),
        nothing_yet=f"No channel streamed {category} in the period.",
    )
    if inside is not None:
        ui.chart(
            charts.share_bars(
                inside.assign(share_of_hours_watched=inside["share_of_category"]),
                "username",
                "hours_watched",
                "hours watched",
            )
        )
        ui.table(
            inside,
            f"category_{category}_channels",
            column_config={
                "channel_id": None,
                "username": "Channel",
                "hours_watched": st.column_config.NumberColumn("Hours watched", format="%.1f"),
                "airtime_hours": st.column_config.NumberColumn("Airtime (h)", format="%.1f"),
                "average_viewers": st.column_config.NumberColumn(
                    "Viewers per live hour", format="%.1f"
                ),
                "share_of_category": st.column_config.NumberColumn(
                    "Avg daily share", format="percent"
                ),
            },
        )
