"""Idempotent migrations: every ``sql/NNN_*.sql`` file applied once, in order, recorded in ops.

On a DuckLake the same files run without their PRIMARY KEY clauses (``lake_ddl``). Two writers
migrating one lake at once conflict on commit; the loser retries from the top and finds the
migration recorded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from pipeline.warehouse.errors import MigrationError
from pipeline.warehouse.lake import is_lake, lake_ddl
from pipeline.warehouse.sqlfiles import migration_files, sql_text

BOOTSTRAP = "000_migrations_table.sql"
LAKE_ATTEMPTS = 5  # concurrent first opens of a new lake: each loser finds more recorded


def migrate(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations; returns the names applied now (empty when up to date).

    Each file is also written with ``IF NOT EXISTS`` so a half-recorded migration re-applies
    harmlessly.
    """
    lake = is_lake(conn)
    for attempt in range(1, LAKE_ATTEMPTS + 1):
        try:
            return _apply_pending(conn, lake_ddl if lake else str)
        except MigrationError as exc:
            lost_race = isinstance(exc.__cause__, duckdb.TransactionException)
            if not (lake and lost_race) or attempt == LAKE_ATTEMPTS:
                raise
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
