"""Idempotent migrations: every ``sql/NNN_*.sql`` file applied once, in order, recorded in ops."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from pipeline.warehouse.errors import MigrationError
from pipeline.warehouse.sqlfiles import migration_files, sql_text

BOOTSTRAP = "000_migrations_table.sql"


def migrate(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations; returns the names applied now (empty when up to date).

    Each file is also written with ``IF NOT EXISTS`` so a half-recorded migration re-applies
    harmlessly.
    """
    conn.execute(sql_text(BOOTSTRAP))
    applied = {row[0] for row in conn.execute("SELECT name FROM ops.schema_migrations").fetchall()}
    newly_applied: list[str] = []
    for path in migration_files():
        if path.name == BOOTSTRAP or path.name in applied:
            continue
        try:
            conn.execute("BEGIN TRANSACTION")
            conn.execute(sql_text(path.name))
            conn.execute(
                "INSERT INTO ops.schema_migrations VALUES (?, ?) ON CONFLICT DO NOTHING",
                [path.name, datetime.now(UTC)],
            )
            conn.execute("COMMIT")
        except duckdb.Error as exc:
            conn.execute("ROLLBACK")
            raise MigrationError(f"migration {path.name} failed: {exc}") from exc
        newly_applied.append(path.name)
    return newly_applied
