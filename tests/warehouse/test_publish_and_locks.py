"""Publishing read-only snapshots while the writer holds the warehouse, and lock errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.warehouse import (
    NoPublishedSnapshotError,
    WarehouseLockedError,
    connect,
    open_published,
    publish,
    publish_from,
)


def _count(reader: duckdb.DuckDBPyConnection) -> int:
    row = reader.execute("SELECT count(*) FROM marts.live_totals").fetchone()
    assert row is not None
    return int(row[0])


def test_open_published_before_any_publish_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NoPublishedSnapshotError, match="nothing published"):
        open_published(tmp_path / "published")


def test_publish_while_connection_is_open_and_readers_see_the_new_snapshot(
    conn: duckdb.DuckDBPyConnection, warehouse_path: Path, tmp_path: Path
) -> None:
    published = tmp_path / "published"
    conn.execute("INSERT INTO marts.live_totals VALUES ('2026-01-15 20:00:00+00', 3, 60)")
    first = publish(warehouse_path, published)  # the caller's connection stays open
    reader = open_published(published)
    assert _count(reader) == 1
    assert "raw" not in {
        r[0] for r in reader.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()
    }
    with pytest.raises(duckdb.Error):
        reader.execute("INSERT INTO marts.live_totals VALUES ('2026-01-15 20:05:00+00', 1, 1)")

    conn.execute("INSERT INTO marts.live_totals VALUES ('2026-01-15 20:05:00+00', 4, 70)")
    second = publish_from(conn, published)
    assert second != first
    assert (published / "CURRENT").read_text().strip() == second.name
    assert _count(reader) == 1  # an open reader keeps its snapshot
    reader.close()
    fresh = open_published(published)
    assert _count(fresh) == 2
    fresh.close()


def test_publish_keeps_the_last_three_snapshots(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    published = tmp_path / "published"
    paths = [publish_from(conn, published) for _ in range(5)]
    kept = sorted(p.name for p in published.glob("warehouse-*.duckdb"))
    assert kept == sorted(p.name for p in paths[-3:])
    assert not list(published.glob(".*"))  # no temp files left behind


HOLD_LOCK = """
import sys, duckdb
conn = duckdb.connect(sys.argv[1])
print("ready", flush=True)
sys.stdin.read()
"""


def test_lock_held_by_another_process_is_a_clear_error(warehouse_path: Path) -> None:
    connect(warehouse_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(warehouse_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseLockedError, match=str(warehouse_path)):
            connect(warehouse_path)
    finally:
        holder.communicate("", timeout=30)
    connect(warehouse_path).close()  # free again once the other process is gone


def test_publish_retries_with_the_callers_memory_limit_when_the_small_pool_is_not_enough(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.warehouse.snapshots as publishing

    conn.execute(
        "INSERT INTO marts.live_totals SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_minutes(i), i, i "
        "FROM range(200000) t(i)"
    )
    monkeypatch.setattr(publishing, "PUBLISH_MEMORY_LIMIT", "1KB")
    before = conn.execute("SELECT current_setting('memory_limit')").fetchall()
    path = publish_from(conn, tmp_path / "published")
    assert conn.execute("SELECT current_setting('memory_limit')").fetchall() == before
    reader = open_published(tmp_path / "published")
    assert _count(reader) == 200000
    reader.close()
    assert path.exists() and not list((tmp_path / "published").glob(".building-*"))


def test_snapshot_keeps_the_marts_macros_readers_cannot_create(tmp_path: Path) -> None:
    # A read-only snapshot cannot CREATE MACRO, and the revenue override calls marts.sub_revenue.
    conn = connect(tmp_path / "warehouse.duckdb")
    try:
        snapshot = publish_from(conn, tmp_path / "published")
    finally:
        conn.close()
    reader = duckdb.connect(str(snapshot), read_only=True)
    try:
        row = reader.execute(
            "SELECT CAST(marts.sub_revenue(2, 1, 0, 4.99, 9.99, 24.99, 0.5) AS DOUBLE)"
        ).fetchone()
        assert row is not None and row[0] == pytest.approx((2 * 4.99 + 9.99) * 0.5)
    finally:
        reader.close()
