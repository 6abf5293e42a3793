"""Idempotent migrations: every ``sql/NNN_*.sql`` file applied once, in order, recorded in ops.

On a DuckLake the same files run without their PRIMARY KEY clauses (``lake_ddl``). Two writers
migrating one lake at once conflict on commit; the loser retries from the top and finds the
migration recorded.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from pipeline.warehouse.errors import MigrationError
from pipeline.warehouse.lake import is_lake, lake_ddl
from pipeline.warehouse.sqlfiles import migration_files, sql_text

BOOTSTRAP = "000_migrations_table.sql"
# A lost race means another writer committed a migration, so a loser can lose at most once per
# migration file: that many attempts always finish (4 writers opening one new lake at once ran
# out of a fixed 5).
LAKE_EXTRA_ATTEMPTS = 1


def migrate(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations; returns the names applied now (empty when up to date).

    Each file is also written with ``IF NOT EXISTS`` so a half-recorded migration re-applies
    harmlessly.
    """
    lake = is_lake(conn)
    attempts = len(migration_files()) + LAKE_EXTRA_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            return _apply_pending(conn, lake_ddl if lake else str)
        except MigrationError as exc:
            lost_race = isinstance(exc.__cause__, duckdb.TransactionException)
            if not (lake and lost_race) or attempt == attempts:
                raise
            time.sleep(random.uniform(0, 0.05))  # let the winner get ahead, out of lockstep
    raise AssertionError("unreachable")


def _apply_pending(conn: duckdb.DuckDBPyConnection, ddl: Callable[[str], str]) -> list[str]:
    try:
        conn.execute(ddl(sql_text(BOOTSTRAP)))
    except duckdb.TransactionException as exc:
        raise MigrationError(f"migration {BOOTSTRAP} failed: {exc}") from exc
    applied = {row[0] for row in conn.execute("SELECT name FROM ops.schema_migrations").fetchall()}
    newly_applied: list[str] = []
    for path in migration_files():
        if path.name == BOOTSTRAP or path.name in applied:
            continue
        try:
            conn.execute("BEGIN TRANSACTION")
            # Asked again inside the transaction: another writer may have applied it since the
            # read above, and not every file is idempotent (006 drops NOT NULL constraints).
            if _recorded(conn, path.name):
                conn.execute("ROLLBACK")
                continue
            conn.execute(ddl(sql_text(path.name)))
            conn.execute(
                "INSERT INTO ops.schema_migrations SELECT $name, $at WHERE NOT EXISTS "
                "(SELECT 1 FROM ops.schema_migrations WHERE name = $name)",
                {"name": path.name, "at": datetime.now(UTC)},
            )
            conn.execute("COMMIT")
        except duckdb.Error as exc:
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT has rolled back already
                conn.execute("ROLLBACK")
            raise MigrationError(f"migration {path.name} failed: {exc}") from exc
        newly_applied.append(path.name)
    return newly_applied


def _recorded(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    query = "SELECT count(*) FROM ops.schema_migrations WHERE name = ?"
    return conn.execute(query, [name]).fetchall()[0][0] > 0
