"""Viewer metrics exactly as the field defines them (see docs/design-notes "Metrics").

* Hours watched: trapezoid over consecutive samples, Σ (v[i-1] + v[i]) / 2 × Δt, counting only
  intervals with Δt ≤ 3 × cadence. A longer gap means we do not know what happened (missed polls,
  an outage), so it is neither interpolated nor counted.
* Edges: the session starts at ``startedAt`` and ends at the ``stream.offline`` time (or the last
  sample when no offline event arrived). The curve is extended flat from the first sample back to
  ``startedAt`` and from the last sample to the offline time; the edges obey the same gap rule.
* Hours live (airtime) = the session's duration, edge to edge, uncovered gaps included.
* Average viewers = hours watched ÷ the live hours those intervals cover, never the plain mean of
  samples. With full coverage that is hours watched ÷ hours live; dividing by uncovered airtime
  too would count an unobserved stretch (tracking started mid-stream, an outage) as zero viewers.
* Peak = max of the samples; it misses spikes between samples.

``docs/metrics.md`` is the project-wide statement of these definitions.

Pure functions, no I/O: the dashboards feed them rows from the published snapshot.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_GAP_FACTOR = 3
_HOUR = 3600.0


class MetricInputError(ValueError):
    """Samples or parameters the metric cannot be computed from; the message says which."""


@dataclass(frozen=True)
class WatchMetrics:
    hours_watched: float
    hours_live: float  # airtime: first edge to last edge, uncovered gaps included
    covered_hours: float  # the part of the airtime the counted intervals cover
    average_viewers: float | None  # None when the session has no duration
    peak_viewers: int | None  # None without samples
    samples: int
    skipped_gaps: int  # intervals longer than MAX_GAP_FACTOR × cadence


def watch_metrics(
    samples: Iterable[tuple[datetime, int]],
    cadence: timedelta,
    *,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    max_gap_factor: float = MAX_GAP_FACTOR,
) -> WatchMetrics:
    """Hours watched, hours live, average and peak viewers of one session."""
    if cadence <= timedelta(0):
        raise MetricInputError(f"cadence must be positive, got {cadence}")
    points = sorted(samples, key=lambda sample: sample[0])
    for at, viewers in points:
        if viewers < 0:
            raise MetricInputError(f"viewer count must not be negative, got {viewers} at {at}")
    if not points:
        return WatchMetrics(0.0, 0.0, 0.0, None, None, 0, 0)

    peak = max(viewers for _, viewers in points)
    timeline = list(points)
    # An edge only counts when it lies outside the samples; a startedAt after the first sample
    # (clock skew, a restarted session id) would otherwise shorten the session.
    if started_at is not None and started_at < points[0][0]:
        timeline.insert(0, (started_at, points[0][1]))
    if ended_at is not None and ended_at > points[-1][0]:
        timeline.append((ended_at, points[-1][1]))

    max_gap = cadence * max_gap_factor
    watched_seconds = 0.0
    covered_seconds = 0.0
    skipped = 0
    for (t0, v0), (t1, v1) in zip(timeline, timeline[1:], strict=False):
        step = t1 - t0
        if step > max_gap:
            skipped += 1
            continue
        seconds = step.total_seconds()
        watched_seconds += (v0 + v1) / 2 * seconds
        covered_seconds += seconds

    live_seconds = (timeline[-1][0] - timeline[0][0]).total_seconds()
    average = watched_seconds / covered_seconds if covered_seconds > 0 else None
    return WatchMetrics(
        hours_watched=watched_seconds / _HOUR,
        hours_live=live_seconds / _HOUR,
        covered_hours=covered_seconds / _HOUR,
        average_viewers=average,
        peak_viewers=peak,
        samples=len(points),
        skipped_gaps=skipped,
    )


def combine(sessions: Sequence[WatchMetrics]) -> WatchMetrics:
    """Totals over several sessions; the average is re-derived from the sums, not averaged."""
    watched = sum(m.hours_watched for m in sessions)
    live = sum(m.hours_live for m in sessions)
    covered = sum(m.covered_hours for m in sessions)
    peaks = [m.peak_viewers for m in sessions if m.peak_viewers is not None]
    return WatchMetrics(
        hours_watched=watched,
        hours_live=live,
        covered_hours=covered,
        average_viewers=watched / covered if covered > 0 else None,
        peak_viewers=max(peaks) if peaks else None,
        samples=sum(m.samples for m in sessions),
        skipped_gaps=sum(m.skipped_gaps for m in sessions),
    )


def offline_time_after(
    last_sample_at: datetime,
    offline_times: Sequence[datetime],
    *,
    before: datetime | None = None,
) -> datetime | None:
    """The first ``stream.offline`` time at or after a session's last sample, if any.

    ``offline_times`` must be sorted. ``before`` (the next session's first sample) stops us from
    borrowing a later session's offline event when this session's own one was missed. Whether the
    time is close enough to count is left to the gap rule in :func:`watch_metrics`.
    """
    index = bisect.bisect_left(offline_times, last_sample_at)
    if index == len(offline_times):
        return None
    found = offline_times[index]
    if before is not None and found >= before:
        return None
    return found


@dataclass(frozen=True)
class ViewerSample:
    stream_id: str
    at: datetime
    viewers: int
    started_at: datetime | None  # the stream's startedAt as reported at this poll


@dataclass(frozen=True)
class SessionSummary:
    stream_id: str
    started_at: datetime  # startedAt when known and earlier than the first sample
    ended_at: datetime  # the stream.offline time, else the last sample
    ended_by_offline_event: bool
    metrics: WatchMetrics


def summarise_sessions(
    samples: Iterable[ViewerSample],
    offline_times: Sequence[datetime],
    cadence: timedelta,
    *,
    max_gap_factor: float = MAX_GAP_FACTOR,
) -> list[SessionSummary]:
    """Split one channel's samples into sessions (one per ``stream_id``) and measure each.

    ``offline_times`` are the channel's ``stream.offline`` times, in any order.
    """
    by_stream: dict[str, list[ViewerSample]] = {}
    for sample in samples:
        by_stream.setdefault(sample.stream_id, []).append(sample)
    ordered = sorted(by_stream.items(), key=lambda item: min(s.at for s in item[1]))
    offline_sorted = sorted(offline_times)
    summaries = []
    for index, (stream_id, rows) in enumerate(ordered):
        rows.sort(key=lambda s: s.at)
        known_starts = [s.started_at for s in rows if s.started_at is not None]
        started_at = min(known_starts) if known_starts else None
        next_start = None
        if index + 1 < len(ordered):
            next_rows = ordered[index + 1][1]
            next_start = min(
                [s.at for s in next_rows] + [s.started_at for s in next_rows if s.started_at]
            )
        offline_at = offline_time_after(rows[-1].at, offline_sorted, before=next_start)
        metrics = watch_metrics(
            [(s.at, s.viewers) for s in rows],
            cadence,
            started_at=started_at,
            ended_at=offline_at,
            max_gap_factor=max_gap_factor,
        )
        first_edge = (
            started_at if started_at is not None and started_at < rows[0].at else rows[0].at
        )
        summaries.append(
            SessionSummary(
                stream_id=stream_id,
                started_at=first_edge,
                ended_at=offline_at if offline_at is not None else rows[-1].at,
                ended_by_offline_event=offline_at is not None,
                metrics=metrics,
            )
        )
    return summaries
