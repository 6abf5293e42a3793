"""Channel growth: followers, viewers, sessions, hours watched and average viewers of one channel."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import queries, ui
from pipeline.config import Settings
from pipeline.marts import metrics

st.title("Channel growth")
snapshot = ui.require_snapshot()

channels = ui.load(queries.channels, snapshot, nothing_yet="No channels have been recorded yet.")
if channels is None:
    st.stop()

names = dict(zip(channels["user_id"], channels["username"], strict=True))
options = list(channels["user_id"])
wanted = st.query_params.get("channel")  # a shareable link: ?channel=<username or id>
default_index = next(
    (i for i, user_id in enumerate(options) if wanted in (user_id, names[user_id])), 0
)
user_id = st.selectbox(
    "Channel", options, index=default_index, format_func=lambda uid: str(names.get(uid) or uid)
)
if user_id is None:
    st.stop()
st.query_params["channel"] = str(names.get(user_id) or user_id)

followers = ui.load(
    queries.channel_followers,
    snapshot,
    user_id,
    nothing_yet="No follower counts for this channel yet (profiles are polled hourly).",
)
samples = ui.load(
    queries.channel_viewer_samples,
    snapshot,
    user_id,
    nothing_yet="This channel has not been seen live yet.",
)

try:
    offline_frame = queries.channel_offline_times(snapshot, user_id)
    offline_times = [
        t.to_pydatetime() for t in pd.to_datetime(offline_frame["offline_at"], utc=True)
    ]
except queries.DataUnavailable:
    offline_times = []  # without stream.offline webhooks, sessions end at their last sample

cadence = timedelta(minutes=Settings.from_env().live_cadence_minutes)
sessions: list[metrics.SessionSummary] = []
if samples is not None:
    viewer_samples = []
    for row in samples.to_dict("records"):
        at = ui.to_datetime(row["snapshot_at"])
        if at is None:
            continue
        viewer_samples.append(
            metrics.ViewerSample(
                stream_id=str(row["stream_id"]),
                at=at,
                viewers=int(row["viewers"]),
                started_at=ui.to_datetime(row["started_at"]),
            )
        )
    sessions = metrics.summarise_sessions(viewer_samples, offline_times, cadence)
total = metrics.combine([s.metrics for s in sessions])

followers_col, watched_col, average_col, peak_col, sessions_col = st.columns(5)
if followers is not None:
    gained = int(followers["follower_count"].iloc[-1] - followers["follower_count"].iloc[0])
    followers_col.metric(
        "Followers", ui.format_count(followers["follower_count"].iloc[-1]), delta=gained
    )
else:
    followers_col.metric("Followers", "–")
watched_col.metric("Hours watched", ui.format_hours(total.hours_watched if sessions else None))
average_col.metric("Average viewers", ui.format_count(total.average_viewers))
peak_col.metric("Peak viewers", ui.format_count(total.peak_viewers))
sessions_col.metric("Sessions", f"{len(sessions):,}")
if sessions:
    uncovered = total.hours_live - total.covered_hours
    note = (
        f"{ui.format_hours(total.hours_live)} live; average viewers = hours watched ÷ the live "
        "hours our polls cover (time-weighted). Peak is the largest sample and can miss spikes "
        "between polls."
    )
    if uncovered > 0:
        note += (
            f" {ui.format_hours(uncovered)} of airtime fell in gaps longer than "
            f"{metrics.MAX_GAP_FACTOR}× the {cadence.seconds // 60}-minute poll cadence (missed "
            "polls, or tracking began mid-stream); gaps are not interpolated, so that airtime is "
            "left out of the average rather than counted as zero viewers."
        )
    st.caption(note)

left, right = st.columns(2)
if followers is not None:
    with left:
        st.subheader("Followers")
        # Not anchored at zero: +200 on 219,000 followers must still be visible.
        st.altair_chart(
            alt.Chart(followers)
            .mark_line(point=True)
            .encode(
                x=alt.X("snapshot_at:T", title=None),
                y=alt.Y("follower_count:Q", title="followers", scale=alt.Scale(zero=False)),
                tooltip=["snapshot_at:T", "follower_count:Q"],
            ),
            width="stretch",
        )
if samples is not None:
    with right:
        st.subheader("Viewers")
        # Break the line between sessions and across gaps the metrics do not interpolate either.
        breaks = (samples["snapshot_at"].diff() > cadence * metrics.MAX_GAP_FACTOR) | (
            samples["stream_id"] != samples["stream_id"].shift()
        )
        st.altair_chart(
            alt.Chart(samples.assign(segment=breaks.cumsum()))
            .mark_line(point=True)
            .encode(
                x=alt.X("snapshot_at:T", title=None),
                y=alt.Y("viewers:Q", title="viewers"),
                detail="segment:N",
                tooltip=["snapshot_at:T", "viewers:Q", "title:N"],
            ),
            width="stretch",
        )

if sessions:
    titles = samples.groupby("stream_id")["title"].last() if samples is not None else {}
    st.subheader("Sessions")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "started_at": s.started_at,
                    "ended_at": s.ended_at,
                    "title": titles.get(s.stream_id, ""),
                    "hours_live": round(s.metrics.hours_live, 2),
                    "hours_watched": round(s.metrics.hours_watched, 2),
                    "average_viewers": round(s.metrics.average_viewers or 0.0, 1),
                    "peak_viewers": s.metrics.peak_viewers,
                    "samples": s.metrics.samples,
                    "gaps_skipped": s.metrics.skipped_gaps,
                    "end_from": "stream.offline" if s.ended_by_offline_event else "last sample",
                }
                for s in reversed(sessions)
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "started_at": st.column_config.DatetimeColumn(
                "Started (UTC)", format="YYYY-MM-DD HH:mm"
            ),
            "ended_at": st.column_config.DatetimeColumn("Ended (UTC)", format="YYYY-MM-DD HH:mm"),
            "title": "Title",
            "hours_live": st.column_config.NumberColumn("Hours live", format="%.2f"),
            "hours_watched": st.column_config.NumberColumn("Hours watched", format="%.2f"),
            "average_viewers": st.column_config.NumberColumn("Avg viewers", format="%.1f"),
            "peak_viewers": st.column_config.NumberColumn("Peak", format="%d"),
            "samples": "Samples",
            "gaps_skipped": "Gaps skipped",
            "end_from": "End from",
        },
    )
