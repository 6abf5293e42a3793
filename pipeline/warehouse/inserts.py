"""Counted inserts that run on both backends: the DuckDB file and DuckLake.

Contract: :func:`insert_counted` runs a SELECT of the rows to write (an anti-join on the grain,
from a ``sql/`` file), stores them in a temporary table, applies them to the target (``INSERT BY
NAME``, or a MERGE file for upserts) and returns how many it wrote per ``(group, poll)``. It stands
in for ``INSERT ... RETURNING`` and ``ON CONFLICT``, which DuckLake does not implement; the new rows
of one poll are small, so the extra copy costs little.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb

from pipeline.warehouse.sqlfiles import sql_text

NEW_ROWS = "velora_new_rows"  # the temporary table a MERGE file reads

WriteCounts = Counter[tuple[str | None, datetime]]


def insert_counted(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    select_sql: str,
    params: Mapping[str, Any] | None,
    counted_by: tuple[str | None, str],
    merge_file: str | None = None,
) -> WriteCounts:
    """Write the rows ``select_sql`` yields into ``table``; returns rows written per
    ``(value of counted_by[0] or None, value of counted_by[1])``. ``table`` and the column names
    come from this package's registries, never from input."""
    group, poll = counted_by
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {NEW_ROWS} AS {select_sql}", params)
    try:
        if merge_file is None:
            conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {NEW_ROWS}")  # noqa: S608
        else:
            conn.execute(sql_text(merge_file))
        key = "NULL" if group is None else group
        rows = conn.execute(
            f"SELECT {key}, {poll}, count(*) FROM {NEW_ROWS} GROUP BY ALL"  # noqa: S608
        ).fetchall()
    finally:
        # after a failed statement the transaction is aborted and DROP would raise, hiding the
        # original error; the next call replaces the table anyway
        with contextlib.suppress(duckdb.TransactionException):
            conn.execute(f"DROP TABLE IF EXISTS {NEW_ROWS}")
    return Counter({(None if k is None else str(k), at): n for k, at, n in rows})
