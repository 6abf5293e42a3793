"""Hours watched / average / peak as docs/metrics.md defines them (pipeline/marts/metrics.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.marts.metrics import (
    MetricInputError,
    ViewerSample,
    combine,
    offline_time_after,
    summarise_sessions,
    watch_metrics,
)

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def series(*points: tuple[float, int]) -> list[tuple[datetime, int]]:
    return [(minutes(m), v) for m, v in points]


@pytest.mark.parametrize(
    ("samples", "started", "ended", "viewer_minutes", "live_minutes"),
    [
        pytest.param(series((0, 100), (5, 200)), None, None, 750, 5, id="trapezoid-not-left-sum"),
        pytest.param(series((0, 100), (5, 100), (10, 100)), None, None, 1000, 10, id="flat-line"),
        pytest.param(
            series((0, 100), (15, 100)), None, None, 1500, 15, id="gap-of-exactly-3x-counts"
        ),
        pytest.param(
            series((0, 100), (16, 100)), None, None, 0, 16, id="gap-over-3x-not-interpolated"
        ),
        pytest.param(
            series((0, 60), (5, 60), (30, 60), (35, 60)),
            None,
            None,
            600,
            35,
            id="gap-in-middle-skipped",
        ),
        pytest.param(
            series((0, 100), (5, 100)), minutes(-4), None, 900, 9, id="startedAt-edge-held-flat"
        ),
        pytest.param(
            series((0, 100), (5, 50)), None, minutes(7), 475, 7, id="offline-edge-held-flat"
        ),
        pytest.param(
            series((0, 100), (5, 100)), minutes(-20), None, 500, 25, id="far-startedAt-is-a-gap"
        ),
        pytest.param(
            series((0, 100), (5, 100)),
            minutes(2),
            None,
            500,
            5,
            id="startedAt-after-first-sample-ignored",
        ),
        pytest.param(series((5, 200), (0, 100)), None, None, 750, 5, id="unsorted-samples"),
        pytest.param(series((0, 100)), None, None, 0, 0, id="single-sample-no-airtime"),
    ],
)
def test_hours_watched_and_airtime(
    samples: list[tuple[datetime, int]],
    started: datetime | None,
    ended: datetime | None,
    viewer_minutes: float,
    live_minutes: float,
) -> None:
    result = watch_metrics(samples, FIVE, started_at=started, ended_at=ended)
    assert result.hours_watched == pytest.approx(viewer_minutes / 60)
    assert result.hours_live == pytest.approx(live_minutes / 60)


def test_average_is_time_weighted_not_mean_of_samples() -> None:
    # Dense sampling during a 1000-viewer spike must not dominate: the plain mean is 700.
    samples = series((0, 100), (1, 1000), (2, 1000), (3, 1000), (15, 100))
    result = watch_metrics(samples, FIVE)
    expected = (550 * 1 + 1000 * 2 + 550 * 12) / 15
    assert result.average_viewers == pytest.approx(expected)
    assert result.peak_viewers == 1000


def test_gap_counts_as_airtime_but_not_in_the_average() -> None:
    # The 25-minute hole is unobserved: counting it as zero viewers would report 17, not 60.
    result = watch_metrics(series((0, 60), (5, 60), (30, 60), (35, 60)), FIVE)
    assert result.covered_hours == pytest.approx(10 / 60)
    assert result.hours_live == pytest.approx(35 / 60)
    assert result.skipped_gaps == 1
    assert result.average_viewers == pytest.approx(60)


def test_no_samples_means_no_average_or_peak() -> None:
    result = watch_metrics([], FIVE)
    assert (result.hours_watched, result.average_viewers, result.peak_viewers) == (0.0, None, None)


@pytest.mark.parametrize(
    ("samples", "cadence", "message"),
    [
        pytest.param(series((0, -1)), FIVE, "negative", id="negative-viewers"),
        pytest.param(series((0, 1)), timedelta(0), "cadence", id="zero-cadence"),
    ],
)
def test_bad_input_is_a_typed_error(
    samples: list[tuple[datetime, int]], cadence: timedelta, message: str
) -> None:
    with pytest.raises(MetricInputError, match=message):
        watch_metrics(samples, cadence)


def test_combine_rederives_average_from_sums() -> None:
    short = watch_metrics(series((0, 1000), (5, 1000)), FIVE)  # 5000 viewer-min over 5 min
    long = watch_metrics(series((0, 10), (5, 10), (10, 10), (15, 10)), FIVE)  # 150 over 15
    total = combine([short, long])
    assert total.average_viewers == pytest.approx(5150 / 20)  # not (1000 + 10) / 2
    assert total.peak_viewers == 1000


@pytest.mark.parametrize(
    ("last", "before", "expected"),
    [
        pytest.param(minutes(10), None, minutes(12), id="first-offline-after-last-sample"),
        pytest.param(minutes(12), None, minutes(12), id="offline-at-last-sample"),
        pytest.param(minutes(50), None, None, id="no-offline-after"),
        pytest.param(minutes(10), minutes(11), None, id="next-session-offline-not-borrowed"),
    ],
)
def test_offline_time_after(
    last: datetime, before: datetime | None, expected: datetime | None
) -> None:
    assert (
        offline_time_after(last, [minutes(-30), minutes(12), minutes(40)], before=before)
        == expected
    )


def test_sessions_split_by_stream_id_and_ended_by_offline_event() -> None:
    samples = [
        ViewerSample("s1", minutes(0), 100, minutes(-2)),
        ViewerSample("s1", minutes(5), 100, minutes(-2)),
        ViewerSample("s2", minutes(60), 40, minutes(58)),
        ViewerSample("s2", minutes(65), 40, minutes(58)),
    ]
    # The offline at 70 belongs to s2; s1's own offline event was missed.
    sessions = summarise_sessions(samples, [minutes(70)], FIVE)
    assert [s.stream_id for s in sessions] == ["s1", "s2"]
    first, second = sessions
    assert (first.started_at, first.ended_at, first.ended_by_offline_event) == (
        minutes(-2),
        minutes(5),
        False,
    )
    assert first.metrics.hours_watched == pytest.approx(700 / 60)
    assert (second.started_at, second.ended_at, second.ended_by_offline_event) == (
        minutes(58),
        minutes(70),
        True,
    )
    assert second.metrics.hours_watched == pytest.approx(40 * 12 / 60)
