"""Categories: where viewers are right now, and how the biggest categories moved over time."""

from __future__ import annotations

import streamlit as st

from dashboards import queries, ui

TOP_CATEGORIES = 5

st.title("Categories")
snapshot = ui.require_snapshot()

now = ui.load(
    queries.categories_now, snapshot, nothing_yet="No category polls have been recorded yet."
)
if now is None:
    st.stop()

count_col, viewers_col, streams_col = st.columns(3)
count_col.metric("Categories", f"{len(now):,}")
viewers_col.metric("Viewers", ui.format_count(now["viewer_count"].sum()))
streams_col.metric("Streams", ui.format_count(now["stream_count"].sum()))
st.caption(f"Category poll of {ui.format_time(now['snapshot_at'].iloc[0])}.")

history = ui.load(
    queries.category_history, snapshot, TOP_CATEGORIES, nothing_yet="No category history yet."
)
if history is not None:
    st.subheader(f"Viewers of the top {TOP_CATEGORIES} categories")
    st.line_chart(
        history.rename(columns={"category_name": "Category"}),
        x="snapshot_at",
        y="viewer_count",
        color="Category",
        x_label="",
        y_label="viewers",
    )

st.subheader("All categories now")
st.dataframe(
    now.drop(columns=["snapshot_at"]),
    hide_index=True,
    width="stretch",
    column_config={
        "category_slug": "Slug",
        "category_name": "Category",
        "viewer_count": st.column_config.NumberColumn("Viewers", format="%d"),
        "stream_count": st.column_config.NumberColumn("Streams", format="%d"),
    },
)
