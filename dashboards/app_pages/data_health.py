"""Data health: what the snapshot holds, how fresh it is, and what validation set aside."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import queries, ui

st.title("Data health")
snapshot = ui.require_snapshot()
st.caption(f"Snapshot `{snapshot.name}`, published {ui.format_time(snapshot.published_at)}.")

tables = ui.load(queries.table_health, snapshot, nothing_yet="The snapshot holds no tables.")
if tables is not None:
    present = tables[tables["status"] != "missing"]
    total_rows = sum(int(count) for count in present["rows"].tolist() if pd.notna(count))
    if present.empty:
        ui.show_unavailable("The snapshot holds none of the warehouse tables yet.")
    elif total_rows == 0:
        ui.show_unavailable("The snapshot's tables exist but hold no rows yet.")
    tables_col, rows_col, fresh_col = st.columns(3)
    tables_col.metric("Tables present", f"{len(present)} of {len(tables)}")
    rows_col.metric("Rows", ui.format_count(total_rows))
    fresh_col.metric("Latest data (UTC)", ui.format_short_time(present["latest"].max()))
    st.subheader("Tables")
    st.dataframe(
        tables,
        hide_index=True,
        width="stretch",
        column_config={
            "rows": st.column_config.NumberColumn("Rows", format="%d"),
            "latest": st.column_config.DatetimeColumn("Latest", format="YYYY-MM-DD HH:mm"),
        },
    )

st.subheader("Quarantine")
st.caption("Rows and deliveries that failed validation are kept with the reason, never dropped.")
polled_col, webhook_col = st.columns(2)
for column, label, fetch in (
    (polled_col, "Quarantined polled rows", queries.quarantine_counts),
    (webhook_col, "Quarantined webhook deliveries", queries.webhook_quarantine_counts),
):
    with column:
        try:
            counts = fetch(snapshot)
        except queries.DataUnavailable as exc:
            ui.show_unavailable(str(exc))
            continue
        st.metric(label, ui.format_count(counts["rows"].sum() if len(counts) else 0))
        if counts.empty:
            st.success("Nothing failed validation.")
        else:
            st.dataframe(counts, hide_index=True, width="stretch")
