"""Validating what a core table holds (blocking Dagster asset checks call this)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from pipeline.pandera_polars import SchemaError, SchemaErrors
from pipeline.schemas import SCHEMAS, SNAPSHOT_COLUMN
from pipeline.warehouse.frames import query_frame


class UnknownTableError(ValueError):
    """``validate_table`` was asked about a table that has no schema."""


@dataclass(frozen=True)
class ValidationReport:
    table: str
    rows: int
    failures: int
    passed: bool
    summary: str
    failure_examples: list[dict[str, Any]] = field(default_factory=list)  # first 20 cases
    snapshot_at: datetime | None = None


def _quoted(table: str) -> str:
    schema, name = table.split(".", 1)
    return f'"{schema}"."{name}"'


def validate_table(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    *,
    scope: str = "latest",
    snapshot_at: datetime | None = None,
) -> ValidationReport:
    """Validate ``table`` against its Pandera schema (``lazy=True``: every failure counted).

    ``scope="latest"`` (default) checks the newest poll of a time-partitioned table (what the
    last run wrote; memory stays flat as history grows); ``snapshot_at`` picks one poll;
    ``scope="all"`` checks the whole table.
    """
    if table not in SCHEMAS:
        raise UnknownTableError(f"no schema for {table!r}; known tables: {', '.join(SCHEMAS)}")
    if scope not in ("latest", "all"):
        raise ValueError(f"scope must be 'latest' or 'all', got {scope!r}")
    source = _quoted(table)  # table comes from the SCHEMAS allow-list above
    column = SNAPSHOT_COLUMN.get(table)
    if column and (snapshot_at is not None or scope == "latest"):
        if snapshot_at is None:
            rows = conn.execute(f'SELECT max("{column}") FROM {source}').fetchall()  # noqa: S608
            snapshot_at = rows[0][0] if rows else None
        query = f'SELECT * FROM {source} WHERE "{column}" = ?'  # noqa: S608
        frame = query_frame(conn, query, [snapshot_at])
    else:
        frame = query_frame(conn, f"SELECT * FROM {source}")  # noqa: S608
    where = (
        f" at {snapshot_at.isoformat()}" if snapshot_at is not None and scope == "latest" else ""
    )
    if frame.is_empty():
        return ValidationReport(table, 0, 0, True, f"{table}{where}: no rows", [], snapshot_at)
    try:
        SCHEMAS[table].validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        assert isinstance(cases, pl.DataFrame)
        examples = cases.head(20).to_dicts()
        checks = cases.group_by("column", "check").len().sort("len", descending=True)
        parts = [f"{r['column']}: {r['check']} ×{r['len']}" for r in checks.iter_rows(named=True)]
        summary = (
            f"{table}{where}: {frame.height} rows, {cases.height} failures ({'; '.join(parts)})"
        )
        return ValidationReport(
            table, frame.height, cases.height, False, summary, examples, snapshot_at
        )
    except SchemaError as exc:
        summary = f"{table}{where}: {frame.height} rows, schema error: {exc}"
        return ValidationReport(table, frame.height, 1, False, summary, [], snapshot_at)
    summary = f"{table}{where}: {frame.height} rows, all checks passed"
    return ValidationReport(table, frame.height, 0, True, summary, [], snapshot_at)
