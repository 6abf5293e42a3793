"""The DuckLake backend: the same migrations and writes as the file, on a real PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import cast

import duckdb
import pytest

from pipeline.warehouse import connect
from pipeline.warehouse.lake import (
    LakeConfig,
    current_lake_snapshot,
    is_lake,
    lake_ddl,
    open_lake,
)
from pipeline.warehouse.migrations import migrate
from pipeline.warehouse.raw import insert_raw_responses
from tests.warehouse.conftest import POLL, live_stream, raw_response


@pytest.mark.parametrize(
    ("ddl", "expected"),
    [
        pytest.param("a VARCHAR PRIMARY KEY,", "a VARCHAR,", id="column-key"),
        pytest.param("b INT,\n    PRIMARY KEY (a, b)\n)", "b INT\n)", id="table-key"),
        pytest.param("a VARCHAR primary key", "a VARCHAR", id="lower-case"),
        pytest.param("-- no PRIMARY KEY here (its index)", "-- no here (its index)", id="comment"),
    ],
)
def test_lake_ddl_drops_key_clauses(ddl: str, expected: str) -> None:
    assert lake_ddl(ddl) == expected


def test_migrations_apply_once_on_a_lake(lake_config: LakeConfig) -> None:
    conn = connect(lake_config)
    assert is_lake(conn)
    tables = conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
    ).fetchall()[0][0]
    applied = conn.execute("SELECT count(*) FROM ops.schema_migrations").fetchall()[0][0]
    conn.close()
    again = connect(lake_config)
    assert again.execute("SELECT count(*) FROM ops.schema_migrations").fetchall()[0][0] == applied
    assert tables > 20
    again.close()


def test_raw_and_core_writes_are_idempotent_on_both_backends(
    warehouse_target: Path | LakeConfig,
) -> None:
    conn = connect(warehouse_target)
    rows = [raw_response("live_streams", [live_stream(1, 10), live_stream(2, 20)])]
    assert insert_raw_responses(conn, rows) == {("live_streams", POLL): 1}
    assert insert_raw_responses(conn, rows) == {}
    conn.close()


def test_readers_see_each_commit_without_a_publish(lake_config: LakeConfig) -> None:
    writer = connect(lake_config)
    reader = connect(lake_config, read_only=True)
    before = current_lake_snapshot(reader)
    writer.execute("INSERT INTO marts.live_totals VALUES ('2026-01-15 20:00:00+00', 3, 60)")
    assert reader.execute("SELECT total_viewers FROM marts.live_totals").fetchall() == [(60,)]
    assert current_lake_snapshot(reader) > before
    with pytest.raises(Exception, match="read-only|read only"):
        reader.execute("INSERT INTO marts.live_totals VALUES ('2026-01-15 20:05:00+00', 1, 1)")
    writer.close()
    reader.close()


def test_writers_opening_a_new_lake_at_once_all_get_it(lake_config: LakeConfig) -> None:
    # The first ATTACH creates DuckLake's catalog tables; two at once race on PostgreSQL's
    # catalog (duplicate pg_type key), as the multiprocess executor's first steps do.
    openers = 4
    barrier = threading.Barrier(openers)

    def open_one(_: int) -> int:
        barrier.wait()
        conn = connect(lake_config)
        try:
            return conn.execute("SELECT count(*) FROM ops.schema_migrations").fetchall()[0][0]
        finally:
            conn.close()

    with ThreadPoolExecutor(openers) as pool:
        applied = list(pool.map(open_one, range(openers)))
    assert len(set(applied)) == 1 and applied[0] > 0


class _StaleMigrationList:
    """A connection whose list of applied migrations was read before another writer committed
    everything after 005 (the moment between that read and the next file's transaction)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn

    def execute(self, query: str, *args: object) -> duckdb.DuckDBPyConnection:
        if query == "SELECT name FROM ops.schema_migrations":
            query += " WHERE name < '006'"
        return self.conn.execute(query, *args)


def test_a_migration_another_writer_applied_meanwhile_is_skipped(
    warehouse_target: Path | LakeConfig,
) -> None:
    connect(warehouse_target).close()  # the other writer: every migration applied
    if isinstance(warehouse_target, LakeConfig):
        raw = open_lake(warehouse_target)
    else:
        raw = duckdb.connect(str(warehouse_target))
    try:
        # 006 drops NOT NULL constraints: running it twice would fail, so it must not run again
        assert migrate(cast(duckdb.DuckDBPyConnection, _StaleMigrationList(raw))) == []
    finally:
        raw.close()
