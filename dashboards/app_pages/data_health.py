"""Data health: freshness against cadence, the last runs, what validation set aside, webhook
delivery, accuracy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import health, queries, ui
from pipeline.config import Settings

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
            "cadence_minutes": st.column_config.NumberColumn("Latest poll's cadence (min)"),
        },
    )
    st.subheader("Freshness against cadence")
    fresh = health.freshness(tables, snapshot.published_at)
    st.caption(
        f"Age of each polled table's latest row at the snapshot's publish time, against the "
        f"cadence stored with its latest poll (the schedule's default when none is stored); "
        f"late after {health.LATE_AFTER} missed cadences, stale after {health.STALE_AFTER}."
    )
    ui.table(
        fresh,
        "freshness",
        column_config={
            "latest": st.column_config.DatetimeColumn("Latest", format="YYYY-MM-DD HH:mm"),
            "cadence_minutes": "Cadence (min)",
            "cadence_source": "Cadence from",
            "age_minutes": st.column_config.NumberColumn("Age (min)", format="%.0f"),
        },
    )

st.subheader("Last runs")
runs = ui.load(
    queries.last_runs,
    snapshot,
    nothing_yet="No ingest job or mart build has recorded a run yet (`velora ingest --once`, "
    "the Dagster schedules and `velora rebuild` record theirs).",
)
if runs is not None:
    failing = runs[runs["last_status"] != "ok"]
    if failing.empty:
        st.success(f"The last run of each of the {len(runs)} jobs and marts succeeded.")
    else:
        st.warning(f"Last run not ok: {', '.join(failing['name'])}.")
    ui.table(
        runs,
        "last_runs",
        column_config={
            "last_run_at": st.column_config.DatetimeColumn("Last run", format="YYYY-MM-DD HH:mm"),
            "ran_for": st.column_config.DatetimeColumn("For", format="YYYY-MM-DD HH:mm"),
            "runs_24h": "Runs (24 h)",
            "not_ok_24h": "Failed or partial (24 h)",
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

st.subheader("Webhook delivery")
try:
    deliveries = queries.webhook_health(snapshot).iloc[0]
    minutes = Settings.from_env().webhook_silence_minutes
    silent = queries.silent_channels(snapshot, minutes)
except queries.DataUnavailable as exc:
    ui.show_unavailable(str(exc))
else:
    last_col, events_col, channels_col, silent_col = st.columns(4)
    last_col.metric("Last event (UTC)", ui.format_short_time(deliveries["last_event_at"]))
    events_col.metric("Events (real)", ui.format_count(deliveries["events"]))
    channels_col.metric("Channels delivering", ui.format_count(deliveries["channels"]))
    silent_col.metric(f"Silent > {minutes} min", ui.format_count(len(silent)))
    if int(deliveries["events"]) == 0:
        st.info(
            "No webhook has been delivered yet: channels must authorize the app, and "
            "`velora webhooks subscribe` must have registered the receiver."
        )
    if silent.empty:
        st.success(
            f"Silence alarm: no live channel that delivered before has been quiet for {minutes} min."
        )
    else:
        st.warning("Silence alarm: these live channels delivered before but went quiet.")
        ui.table(silent, "silent_channels")
    st.caption("Rejections by reason are the quarantined webhook deliveries above.")

st.subheader("Accuracy of the sampled metrics")
accuracy = queries.accuracy_table()
if accuracy is None:
    st.info(
        "Not measured yet: `bench/accuracy.py` writes `pipeline/marts/accuracy.json` "
        "(median and p95 error of each sampled metric per cadence)."
    )
else:
    st.caption(
        "Median and p95 relative error against the twin's ground truth, per channel-day "
        "(docs/metrics.md has the full tables and the runs' sizes)."
    )
    ui.table(
        accuracy,
        "accuracy",
        column_config={
            "cadence_minutes": "Cadence (min)",
            "median_pct": st.column_config.NumberColumn("Median error %", format="%.2f"),
            "p95_pct": st.column_config.NumberColumn("p95 error %", format="%.2f"),
        },
    )
