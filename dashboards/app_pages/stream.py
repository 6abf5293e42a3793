"""Stream (``?stream=``): one session's viewer curve with what happened, against the last one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, formatting, queries, ui
from pipeline.marts import definitions

snapshot, period = ui.page("Stream")

wanted = st.query_params.get("stream")
try:
    picker = queries.period_sessions(snapshot, period)
except queries.DataUnavailable as exc:  # no marts yet: explain, as every page does
    ui.show_unavailable(str(exc))
    st.stop()
options = list(picker["stream_id"])
if wanted and wanted not in options:
    options.insert(0, wanted)  # a shared link to a stream outside the date range still opens
if not options:
    ui.show_unavailable(f"No session started between {period.label()}.")
    st.stop()
labels = {
    str(
        row["stream_id"]
    ): f"{row['username']} · {row['started_at']:%b %d %H:%M} · {row['title'] or ''}"
    for row in picker.to_dict("records")
}
stream_id = st.selectbox(
    "Session",
    options,
    index=options.index(wanted) if wanted in options else 0,
    format_func=lambda s: labels.get(str(s), str(s)),
)
if stream_id is None:
    st.stop()
st.query_params["stream"] = str(stream_id)

sessions = ui.load(
    queries.stream_session,
    snapshot,
    stream_id,
    nothing_yet=f"No session `{stream_id}` in the marts.",
)
if sessions is None:
    st.stop()
this = sessions[sessions["which"] == "this"].iloc[0]
earlier = sessions[sessions["which"] == "previous"]
last = earlier.iloc[0] if len(earlier) else None
end = this["ended_at"] if pd.notna(this["ended_at"]) else this["last_sample_at"]
st.caption(
    f"**{this['username']}** · {this['title'] or ''} · {this['category_slug'] or ''} · "
    f"{ui.format_time(this['started_at'])} – {ui.format_time(end)} (end from {this['end_source']})"
)


def previous(key: str) -> object:
    return None if last is None else last[key]


row = st.columns(5)
ui.kpi(row[0], "average_viewers", this["average_viewers"], previous("average_viewers"))
ui.kpi(row[1], "peak_viewers", this["peak_viewers"], previous("peak_viewers"))
ui.kpi(row[2], "hours_watched", this["hours_watched"], previous("hours_watched"))
ui.kpi(row[3], "airtime_hours", this["hours_live"], previous("hours_live"))
ui.kpi(row[4], "coverage", this["coverage"], previous("coverage"), fmt=formatting.percent)
if last is not None:
    st.caption(
        f"Deltas compare with the channel's previous stream ({ui.format_time(last['started_at'])})."
    )

samples = queries.stream_samples(snapshot, stream_id)
markers = queries.stream_markers(
    snapshot, str(this["channel_id"]), str(stream_id), this["started_at"], end
)
st.subheader("Viewers (sampled) and events")
if samples.empty:
    st.info("The live directory's polls of this stream are no longer in the snapshot.")
else:
    ui.chart(charts.viewer_curve(samples, markers))
    st.caption(
        "Points are polls of the live directory; the sampled peak can miss spikes between polls. "
        + definitions.help_text("peak_viewers")
    )

webhooks = queries.channel_webhook_events(snapshot, str(this["channel_id"])).iloc[0]
if int(webhooks["events"]) == 0:
    ui.not_authorized(str(this["username"]))
elif not markers.empty:
    ui.table(markers, f"stream_{stream_id}_events")

chat = queries.stream_chat(snapshot, str(this["channel_id"]), this["started_at"], end)
st.subheader("Chat activity")
if chat.empty:
    st.info(
        "No chat statistics were polled during this stream (chat is polled for tracked live channels)."
    )
else:
    ui.chart(charts.time_line(chat, "snapshot_at", "messages_per_minute", "messages per minute"))
