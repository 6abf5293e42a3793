"""Lake maintenance on a real lake: small commits' files merge, old snapshots expire, the files
they held are deleted, and every row is still there exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline.warehouse import connect
from pipeline.warehouse.lake import LAKE_ALIAS, LakeConfig, current_lake_snapshot, open_lake
from pipeline.warehouse.lake_maintenance import NOTHING_TO_DO, lake_state, maintain

NOW = timedelta(0)  # older_than / file_grace of 0: everything up to now


def _commit(conn: duckdb.DuckDBPyConnection, batch: int, rows: int) -> None:
    # one poll's worth of marts.live_totals rows, a minute apart, one commit
    conn.execute(
        "INSERT INTO marts.live_totals SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00'"
        " + to_minutes($batch * 1000 + r), 1, $batch * 1000 + r FROM range($rows) t(r)",
        {"batch": batch, "rows": rows},
    )


def _commits(conn: duckdb.DuckDBPyConnection, batches: range) -> None:
    # mostly file-sized batches; every fifth is tiny, so DuckLake inlines it in the catalog
    for batch in batches:
        _commit(conn, batch, 3 if batch % 5 == 4 else 40)


def _rows(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute("SELECT * FROM marts.live_totals ORDER BY ALL").fetchall()


def _parquet_files(config: LakeConfig) -> int:
    return sum(1 for _ in Path(config.data_path).rglob("*.parquet"))


@pytest.mark.parametrize(
    "given",
    [
        pytest.param(lambda config, conn: config, id="config-opens-its-own-connection"),
        pytest.param(lambda config, conn: conn, id="an-open-lake-connection"),
    ],
)
def test_small_files_merge_and_every_row_stays_once(
    lake_config: LakeConfig, given: Callable[[LakeConfig, duckdb.DuckDBPyConnection], object]
) -> None:
    conn = connect(lake_config)
    _commits(conn, range(30))
    before = _rows(conn)
    files, snapshots = lake_state(conn)
    assert files >= 20 and snapshots >= 30

    report = maintain(given(lake_config, conn), older_than=NOW, file_grace=NOW)  # type: ignore[arg-type]

    after = _rows(conn)
    assert after == before and len(set(after)) == len(after) == 24 * 40 + 6 * 3
    assert report.files_before == files
    [(migrations,)] = conn.execute("SELECT count(*) FROM ops.schema_migrations").fetchall()
    assert report.rows_flushed == 6 * 3 + migrations  # the tiny commits, out of the catalog
    assert report.files_merged >= files
    assert report.files_after == lake_state(conn)[0] <= 2  # ops.schema_migrations' and ours
    assert report.snapshots_expired >= snapshots - 1
    # what is kept was committed by the run itself (flush, merge), after the window's start
    assert lake_state(conn)[1] <= 2
    # every file scheduled for deletion is gone from storage: what is left is what is live
    assert report.files_deleted >= files
    assert _parquet_files(lake_config) == report.files_after
    conn.close()


def test_a_second_run_finds_nothing_to_do(lake_config: LakeConfig) -> None:
    conn = connect(lake_config)
    _commits(conn, range(10))
    maintain(conn, older_than=NOW, file_grace=NOW)
    again = maintain(conn, older_than=NOW, file_grace=NOW)
    assert (again.rows_flushed, again.files_merged, again.files_deleted) == (0, 0, 0)
    assert again.files_before == again.files_after
    conn.close()


def _pinned(config: LakeConfig, snapshot: int) -> duckdb.DuckDBPyConnection:
    """A reader attached read-only at a fixed snapshot (time travel), as the lake's own alias."""
    reader = open_lake(config, read_only=True)
    reader.execute("USE memory")
    reader.execute(f"DETACH {LAKE_ALIAS}")
    catalog = "'ducklake:" + config.catalog.replace("'", "''") + "'"
    reader.execute(
        f"ATTACH {catalog} AS {LAKE_ALIAS} (DATA_PATH '{config.data_path}', READ_ONLY,"
        f" SNAPSHOT_VERSION {snapshot})"
    )
    reader.execute(f"USE {LAKE_ALIAS}")
    return reader


def test_snapshots_inside_the_window_stay_and_their_pinned_readers_read(
    lake_config: LakeConfig,
) -> None:
    conn = connect(lake_config)
    _commits(conn, range(10))
    old = current_lake_snapshot(conn)
    old_rows = _rows(conn)
    time.sleep(0.5)
    boundary = datetime.now(UTC)
    time.sleep(0.5)
    _commits(conn, range(10, 20))
    recent = current_lake_snapshot(conn)
    recent_rows = _rows(conn)
    old_reader, recent_reader = _pinned(lake_config, old), _pinned(lake_config, recent)
    assert _rows(old_reader) == old_rows

    # the window reaches back to `boundary`: the first ten commits' snapshots are expired
    report = maintain(conn, older_than=datetime.now(UTC) - boundary, file_grace=NOW)

    kept = {
        row[0]
        for row in conn.execute(
            "SELECT snapshot_id FROM ducklake_snapshots(?)", [LAKE_ALIAS]
        ).fetchall()
    }
    assert old not in kept and recent in kept
    assert report.snapshots_expired >= 10
    # a reader pinned inside the window reads its snapshot, from the merged files
    assert _rows(recent_reader) == recent_rows
    with pytest.raises(duckdb.Error, match="No snapshot found"):
        _rows(old_reader)  # outside the window: gone, loudly
    assert _rows(conn) == recent_rows
    for reader in (old_reader, recent_reader, conn):
        reader.close()


@pytest.mark.parametrize(
    ("grace", "reads"),
    [
        pytest.param(timedelta(hours=1), True, id="grace-keeps-the-files-it-listed"),
        # the quirk the grace guards: an open transaction has listed its files already
        pytest.param(NOW, False, id="no-grace-deletes-them-under-it"),
    ],
)
def test_a_reader_inside_a_transaction_needs_the_file_grace(
    lake_config: LakeConfig, grace: timedelta, reads: bool
) -> None:
    conn = connect(lake_config)
    _commits(conn, range(10))
    reader = connect(lake_config, read_only=True)
    reader.execute("BEGIN TRANSACTION")
    seen = _rows(reader)
    report = maintain(conn, older_than=timedelta(hours=24), file_grace=grace)
    assert report.files_merged > 0 and report.snapshots_expired == 0
    if reads:
        assert _rows(reader) == seen
        assert report.files_deleted == 0
    else:
        with pytest.raises(duckdb.Error, match="No such file"):
            _rows(reader)
    reader.close()
    conn.close()


def test_a_writer_committing_meanwhile_loses_nothing(lake_config: LakeConfig) -> None:
    conn = connect(lake_config)
    _commits(conn, range(20))
    writer = connect(lake_config)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            _commits(writer, range(20, 60))
        except BaseException as exc:  # noqa: BLE001 - re-raised by the test below
            failures.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    reports = [maintain(conn, older_than=NOW, file_grace=NOW) for _ in range(3)]
    thread.join()
    assert not failures
    assert any(r.files_merged for r in reports)
    rows = _rows(conn)
    assert len(rows) == len(set(rows)) == 48 * 40 + 12 * 3
    writer.close()
    conn.close()


@pytest.mark.parametrize(
    "exists", [pytest.param(False, id="missing-file-not-created"), pytest.param(True, id="file")]
)
def test_the_duckdb_file_backend_has_nothing_to_do(tmp_path: Path, exists: bool) -> None:
    path = tmp_path / "warehouse.duckdb"
    if exists:
        connect(path).close()
        # held open read-only: maintenance must neither write nor need to
        reader = duckdb.connect(str(path), read_only=True)
        stamp = path.stat().st_mtime_ns
    report = maintain(path)
    assert report.note == NOTHING_TO_DO and report.files_before == report.files_after == 0
    assert path.exists() is exists
    if exists:
        assert path.stat().st_mtime_ns == stamp
        assert maintain(reader).note == NOTHING_TO_DO  # an open file connection: no-op too
        reader.close()


def test_a_file_at_the_size_bound_is_not_rewritten_again(lake_config: LakeConfig) -> None:
    conn = connect(lake_config)
    _commits(conn, range(10))
    maintain(conn, older_than=NOW, file_grace=NOW)
    [(merged_size,)] = conn.execute(
        "SELECT file_size_bytes FROM ducklake_table_info(?) WHERE table_name = 'live_totals'",
        [LAKE_ALIAS],
    ).fetchall()
    _commits(conn, range(10, 20))
    bounded = maintain(conn, older_than=NOW, file_grace=NOW, max_file_bytes=merged_size)
    # merged: the eight new commits' files and the one flushed from the two tiny ones; not the big
    assert bounded.files_merged == 8 + 1
    unbounded = maintain(conn, older_than=NOW, file_grace=NOW)
    assert unbounded.files_merged == 2  # without the bound, the big file is rewritten again
    assert len(_rows(conn)) == 16 * 40 + 4 * 3
    conn.close()
