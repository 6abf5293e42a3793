"""Which days retention prunes (pipeline/marts/retention.py), and that built marts stay as built."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import duckdb
import pytest
from mart_core import DAY, Core

from pipeline.marts import MART_TABLES, MARTS, build_days
from pipeline.marts.retention import (
    MIN_RETENTION_DAYS,
    SAMPLE_READERS,
    built_days,
    horizon,
    plan_retention,
    prune,
    rolled_up,
)
from pipeline.warehouse.run_log import RunRecord, record_runs

D = DAY.date()
LIVE = ("live_streams", "top_streams", "growing_streams", "featured_streams")


def day(n: int) -> date:
    return D + timedelta(days=n)


@pytest.mark.parametrize(
    ("keep", "ok"),
    [
        pytest.param(MIN_RETENTION_DAYS - 1, False, id="shorter-than-sessions-are-reread"),
        pytest.param(MIN_RETENTION_DAYS, True, id="the-minimum"),
    ],
)
def test_horizon_keeps_at_least_the_days_sessions_are_rebuilt_from(keep, ok):
    if ok:
        assert horizon(day(10), keep) == day(10 - keep)
    else:
        with pytest.raises(ValueError, match="at least"):
            horizon(day(10), keep)


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        pytest.param(f"{day(0)}..{day(2)}", {day(0), day(1), day(2)}, id="a-range-covers-its-days"),
        pytest.param(f"{day(0)}..{day(0)}", {day(0)}, id="one-day"),
        pytest.param("boom", {day(0)}, id="another-form-counts-only-its-first-day"),
        pytest.param(None, {day(0)}, id="no-detail"),
    ],
)
def test_built_days_read_the_run_log_rows(detail, expected):
    assert built_days([("live_totals", day(0), detail)]) == {"live_totals": expected}


def _all_built(days: set[date]) -> dict[str, set[date]]:
    return {mart: set(days) for mart in SAMPLE_READERS}


@pytest.mark.parametrize(
    ("built", "first", "expected"),
    [
        pytest.param(_all_built({day(3)}), day(0), False, id="sessions-started-two-days-before"),
        pytest.param(_all_built({day(1), day(2), day(3)}), day(0), True, id="every-reader-built"),
        pytest.param(_all_built({day(3)}), day(3), True, id="nothing-before-the-first-sample"),
        pytest.param(
            {**_all_built({day(1), day(2), day(3)}), "live_totals": {day(1), day(2)}},
            day(0),
            False,
            id="one-reader-not-built",
        ),
    ],
)
def test_a_day_is_rolled_up_when_every_partition_reading_it_is_built(built, first, expected):
    assert rolled_up(day(3), built, first) is expected


def test_only_the_marts_that_read_samples_matter():
    assert set(SAMPLE_READERS) == {
        name for name, mart in MARTS.items() if "core.stream_snapshots" in mart.upstream
    }
    assert SAMPLE_READERS["stream_sessions"] == 2 and SAMPLE_READERS["live_totals"] == 0


def _history(core: Core, days: int) -> None:
    """Three streams of two hours a day at the 1-minute cadence, one crossing midnight."""
    for n in range(days):
        start = DAY + timedelta(days=n)
        for i, hour in enumerate((2, 9, 23)):
            core.samples(
                f"s{n}_{i}",
                start + timedelta(hours=hour),
                [20 + (k * 7 + i) % 13 for k in range(120)],
                channel=f"c{i}",
                started=start + timedelta(hours=hour),
                cadence=1,
            )


def _record_build(conn: duckdb.DuckDBPyConnection, mart: str, first: date, last: date) -> None:
    start = datetime.combine(first, time(0), tzinfo=UTC)
    record_runs(conn, [RunRecord("marts", mart, start, start, start, "ok", 0, f"{first}..{last}")])


def test_plan_skips_the_horizon_day_and_days_without_a_build(conn, core):
    _history(core, 5)
    for mart in SAMPLE_READERS:
        _record_build(conn, mart, day(0), day(0))
        _record_build(conn, mart, day(2), day(4))  # day 1 never built
    planned = plan_retention(conn, MIN_RETENTION_DAYS, endpoints=LIVE, today=day(6))
    assert planned.horizon == day(3)  # day 3 itself is kept whole
    # day 2's sessions may have started on day 1 (not built); day 0 has no earlier partitions
    assert planned.days == (day(0),)
    assert planned.unbuilt == (day(1), day(2))


def _marts(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
        for table in MART_TABLES
    }


def test_pruned_days_keep_their_marts_exactly_as_built(conn, core):
    _history(core, 5)
    build_days(conn, list(MARTS), day(0), day(5))
    before = _marts(conn)
    samples_before = conn.execute("SELECT count(*) FROM core.stream_snapshots").fetchone()
    planned, result = prune(conn, MIN_RETENTION_DAYS, endpoints=LIVE, today=day(5))
    assert planned.days == (day(0), day(1)) and planned.unbuilt == ()
    assert result.total("samples_dropped") > 0  # the old days were thinned...
    assert _marts(conn) == before  # ...and every mart row is the one built from full samples
    per_day = dict(
        conn.execute(
            "SELECT CAST(snapshot_at AS DATE), count(*) FROM core.stream_snapshots GROUP BY 1"
        ).fetchall()
    )
    assert per_day[day(2)] == per_day[day(3)] == 360  # newer than the horizon: whole
    assert per_day[day(0)] < 100
    assert samples_before is not None and sum(per_day.values()) < samples_before[0]
    _, again = prune(conn, MIN_RETENTION_DAYS, endpoints=LIVE, today=day(5))
    assert again.days == () and _marts(conn) == before


def test_cli_dry_run_prints_what_it_would_remove_and_changes_nothing(
    conn, core, tmp_path, monkeypatch, capsys
):
    from pipeline.cli import main

    old = datetime.combine(datetime.now(UTC).date() - timedelta(days=10), time(12), tzinfo=UTC)
    core.samples("s", old, [10] * 60, cadence=1)  # 12:00..12:59: 13 polls stay (:00..:55, :59)
    build_days(conn, list(MARTS), old.date(), old.date() + timedelta(days=1))
    conn.close()
    monkeypatch.setenv("VELORA_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.delenv("VELORA_RETENTION_DAYS", raising=False)
    assert main(["warehouse", "prune"]) == 2  # off, and no --days: says how to turn it on
    assert "VELORA_RETENTION_DAYS" in capsys.readouterr().err
    assert main(["warehouse", "prune", "--days", "7", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"{old.date()}: would remove 0 live bodies, 47 samples" in out
    assert "dry run: nothing changed" in out
    assert main(["warehouse", "prune", "--days", "7"]) == 0
    assert "total: removed 0 live bodies and 47 samples" in capsys.readouterr().out
