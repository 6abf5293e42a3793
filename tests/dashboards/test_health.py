"""Freshness against cadence: each case names the boundary it guards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from dashboards import health

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "every", "expected"),
    [
        pytest.param(None, timedelta(minutes=5), "no data", id="never-polled"),
        pytest.param(timedelta(minutes=10), timedelta(minutes=5), "fresh", id="two-cadences-is-fresh"),
        pytest.param(timedelta(minutes=11), timedelta(minutes=5), "late", id="past-two-cadences-late"),
        pytest.param(timedelta(minutes=31), timedelta(minutes=5), "stale", id="past-six-cadences"),
        pytest.param(timedelta(minutes=90), timedelta(hours=1), "fresh", id="hourly-not-live-cadence"),
    ],
)  # fmt: skip
def test_status(age: timedelta | None, every: timedelta, expected: str) -> None:
    assert health.status(age, every) == expected


def test_freshness_uses_each_tables_cadence_group_and_skips_webhook_tables() -> None:
    tables = pd.DataFrame(
        {
            "table": ["core.stream_snapshots", "core.category_snapshots", "core.follows"],
            "latest": pd.to_datetime(["2026-11-27 11:57", "2026-11-27 11:30", None], utc=True),
        }
    )
    result = health.freshness(tables, NOW).set_index("table")
    assert list(result.index) == ["core.stream_snapshots", "core.category_snapshots"]
    assert result.loc["core.stream_snapshots", "status"] == "late"  # 3 min = 3 live cadences
    assert result.loc["core.category_snapshots", "status"] == "fresh"  # hourly
    assert result.loc["core.stream_snapshots", "age_minutes"] == 3.0


@pytest.mark.parametrize(
    ("stored", "minutes", "source", "expected"),
    [
        pytest.param(5, 5, "stored", "fresh", id="polled-at-5-min-is-judged-against-5"),
        pytest.param(None, 1, "default", "stale", id="nothing-stored-falls-back-to-the-default"),
        pytest.param(pd.NA, 1, "default", "stale", id="missing-value-in-an-Int64-column"),
        pytest.param(0, 1, "default", "stale", id="a-zero-cadence-is-not-a-cadence"),
    ],
)
def test_freshness_uses_the_cadence_stored_with_the_latest_poll(
    stored: object, minutes: int, source: str, expected: str
) -> None:
    # 8 minutes old: fresh for a 5-minute poll, stale (past 6 cadences) for the 1-minute default
    tables = pd.DataFrame(
        {
            "table": ["core.stream_snapshots"],
            "latest": pd.to_datetime(["2026-11-27 11:52"], utc=True),
            "cadence_minutes": pd.array([stored], dtype="Int64"),
        }
    )
    row = health.freshness(tables, NOW).iloc[0]
    assert (row["cadence_minutes"], row["cadence_source"], row["status"]) == (
        minutes,
        source,
        expected,
    )


def test_freshness_without_a_cadence_column_uses_the_defaults() -> None:
    # a table list from before the column (or a caller that does not know it)
    tables = pd.DataFrame(
        {
            "table": ["core.stream_snapshots"],
            "latest": pd.to_datetime(["2026-11-27 11:59"], utc=True),
        }
    )
    assert list(health.freshness(tables, NOW)["cadence_source"]) == ["default"]
