"""Filters ↔ URL query parameters: a shared link reproduces the view, bad links fall back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboards.filters import Filters

LATEST = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("params", "first", "last", "preset"),
    [
        pytest.param({}, date(2026, 11, 21), LATEST, "7", id="no-params-is-last-7-days"),
        pytest.param({"range": "30"}, date(2026, 10, 29), LATEST, "30", id="preset-30"),
        pytest.param({"range": "90"}, date(2026, 8, 30), LATEST, "90", id="preset-90"),
        pytest.param({"range": "13"}, date(2026, 11, 21), LATEST, "7", id="unknown-preset"),
        pytest.param({"range": "abc"}, date(2026, 11, 21), LATEST, "7", id="non-numeric-preset"),
        pytest.param(
            {"range": "custom", "from": "2026-11-01", "to": "2026-11-03"},
            date(2026, 11, 1),
            date(2026, 11, 3),
            "custom",
            id="custom-range",
        ),
        pytest.param(
            {"range": "custom", "from": "2026-11-03", "to": "2026-11-01"},
            date(2026, 11, 1),
            date(2026, 11, 3),
            "custom",
            id="custom-reversed-dates-are-swapped",
        ),
        pytest.param(
            {"range": "custom", "from": "2026-11-03"},
            date(2026, 11, 21),
            LATEST,
            "7",
            id="custom-without-end-falls-back",
        ),
        pytest.param(
            {"range": "custom", "from": "nonsense", "to": "2026-11-03"},
            date(2026, 11, 21),
            LATEST,
            "7",
            id="custom-bad-date-falls-back",
        ),
    ],
)
def test_range_from_params(params: dict[str, str], first: date, last: date, preset: str) -> None:
    filters = Filters.from_params(params, LATEST)
    assert (filters.first_day, filters.last_day, filters.preset) == (first, last, preset)


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        pytest.param("Europe/Berlin", "Europe/Berlin", id="iana-zone-kept"),
        pytest.param("Mars/Olympus", "UTC", id="unknown-zone-is-utc"),
        pytest.param("../../etc/passwd", "UTC", id="path-like-zone-is-utc"),
        pytest.param("", "UTC", id="empty-zone-is-utc"),
    ],
)
def test_timezone_from_params(tz: str, expected: str) -> None:
    assert Filters.from_params({"tz": tz}, LATEST).timezone == expected


@pytest.mark.parametrize(
    ("value", "compare"),
    [
        pytest.param(None, True, id="compare-on-by-default"),
        pytest.param("0", False, id="compare-off"),
        pytest.param("false", False, id="compare-false-word"),
        pytest.param("1", True, id="compare-on"),
    ],
)
def test_compare_from_params(value: str | None, compare: bool) -> None:
    params = {} if value is None else {"compare": value}
    assert Filters.from_params(params, LATEST).compare is compare


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"range": "14", "tz": "Asia/Kathmandu", "compare": "0"}, id="preset"),
        pytest.param(
            {"range": "custom", "from": "2026-10-01", "to": "2026-10-31", "tz": "UTC",
             "compare": "1"},
            id="custom",
        ),
    ],
)  # fmt: skip
def test_round_trip_reproduces_the_view(params: dict[str, str]) -> None:
    filters = Filters.from_params(params, LATEST)
    assert filters.to_params() == params
    assert Filters.from_params(filters.to_params(), LATEST) == filters


@pytest.mark.parametrize(
    ("tz", "start", "end"),
    [
        pytest.param(
            "UTC", datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC), id="utc"
        ),
        pytest.param(
            "Asia/Kathmandu",  # +05:45: only 15-minute buckets cut this day exactly
            datetime(2026, 11, 20, 18, 15, tzinfo=UTC),
            datetime(2026, 11, 27, 18, 15, tzinfo=UTC),
            id="quarter-hour-offset",
        ),
        pytest.param(
            "America/New_York",
            datetime(2026, 3, 2, 5, tzinfo=UTC),
            datetime(2026, 3, 9, 4, tzinfo=UTC),  # DST starts Mar 8: the last day has 23 h
            id="dst-change-inside-the-range",
        ),
    ],
)
def test_bounds_are_local_midnights(tz: str, start: datetime, end: datetime) -> None:
    latest = date(2026, 3, 8) if tz == "America/New_York" else LATEST
    filters = Filters.from_params({"tz": tz}, latest)
    assert filters.bounds() == (start, end)


def test_previous_period_is_the_same_length_just_before() -> None:
    filters = Filters.from_params(
        {"range": "custom", "from": "2026-11-10", "to": "2026-11-12"}, LATEST
    )
    previous = filters.previous()
    assert (previous.first_day, previous.last_day) == (date(2026, 11, 7), date(2026, 11, 9))
    assert previous.days == filters.days == 3
