"""Reading a registered table (or one partition of it) into a frame, and checking it.

``check_table`` is what the blocking Dagster checks and ``velora warehouse check`` run: the
newest partition of a time-partitioned table by default (what the last run wrote; memory stays
flat as history grows), one chosen partition, or the whole table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import duckdb
import polars as pl

from pipeline.schemas.registry import TableSpec, table_spec
from pipeline.schemas.report import ValidationReport, validate_frame
from pipeline.warehouse.frames import query_frame

SCOPES = ("latest", "all")


def _quoted(identifier: str) -> str:
    return ".".join(f'"{part}"' for part in identifier.split("."))


def _select_list(spec: TableSpec) -> str:
    # String columns are cast so JSON columns arrive as text, the dtype the schema expects.
    return ", ".join(
        f"CAST({_quoted(c)} AS VARCHAR) AS {_quoted(c)}" if dtype == pl.String else _quoted(c)
        for c, dtype in spec.columns.items()
    )


def read_table(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    *,
    scope: str = "latest",
    partition: datetime | None = None,
    day: date | None = None,
) -> tuple[pl.DataFrame, datetime | None]:
    """The table's registered columns as a frame, and the partition read (None: all of it).

    ``day`` reads every row whose partition column falls on that UTC day (a poll-partitioned
    table holds many polls a day); ``partition`` reads exactly one partition value.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, got {scope!r}")
    spec = table_spec(table)  # names below come from the registry, never from input
    source, column = _quoted(table), spec.partition_column
    select = f"SELECT {_select_list(spec)} FROM {source}"  # noqa: S608
    if column is not None and day is not None:
        start = datetime.combine(day, time(0), tzinfo=UTC)
        where = f" WHERE {_quoted(column)} >= ? AND {_quoted(column)} < ?"
        return query_frame(conn, select + where, [start, start + timedelta(days=1)]), start
    if column is None or (scope == "all" and partition is None):
        return query_frame(conn, select), None
    if partition is None:
        rows = conn.execute(f"SELECT max({_quoted(column)}) FROM {source}").fetchall()  # noqa: S608
        partition = rows[0][0] if rows else None
    frame = query_frame(conn, f"{select} WHERE {_quoted(column)} = ?", [partition])
    return frame, partition


def check_table(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    *,
    scope: str = "latest",
    partition: datetime | None = None,
    day: date | None = None,
) -> ValidationReport:
    frame, read = read_table(conn, table, scope=scope, partition=partition, day=day)
    return validate_frame(table, frame, read)
