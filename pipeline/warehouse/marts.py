"""Marts maintained incrementally from core after each load."""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipeline.warehouse.sqlfiles import sql_text


def update_live_totals(conn: duckdb.DuckDBPyConnection, snapshot_at: datetime) -> None:
    """Recompute ``marts.live_totals`` for one live poll (touches only that poll's rows)."""
    conn.execute(sql_text("update_live_totals.sql"), {"snapshot_at": snapshot_at})


def rebuild_live_totals(conn: duckdb.DuckDBPyConnection) -> None:
    """Recompute ``marts.live_totals`` for every live snapshot (repair after manual edits)."""
    conn.execute(sql_text("rebuild_live_totals.sql"))
