"""Validating a frame against its table's schema: one report type for every table.

Pure: the frame comes from the caller (``pipeline.warehouse.tables.check_table`` reads it).
``lazy=True`` gathers every failing case instead of stopping at the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from pipeline.pandera_polars import SchemaError, SchemaErrors
from pipeline.schemas.registry import table_spec

EXAMPLES = 20  # failure cases kept in a report


@dataclass(frozen=True)
class ValidationReport:
    table: str
    rows: int
    failures: int  # failing (check, value) cases
    passed: bool
    summary: str  # one line: what was checked and what failed
    failure_examples: list[dict[str, Any]] = field(default_factory=list)
    partition: datetime | None = None  # the partition checked (None: the whole table)


def validate_frame(
    table: str, frame: pl.DataFrame, partition: datetime | None = None
) -> ValidationReport:
    """Every rule of ``table``'s schema on ``frame``, summarised."""
    schema = table_spec(table).schema
    where = f" at {partition.isoformat()}" if partition is not None else ""
    if frame.is_empty():
        return ValidationReport(table, 0, 0, True, f"{table}{where}: no rows", [], partition)
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        assert isinstance(cases, pl.DataFrame)
        checks = cases.group_by("column", "check").len().sort("len", descending=True)
        parts = [f"{r['column']}: {r['check']} ×{r['len']}" for r in checks.iter_rows(named=True)]
        summary = (
            f"{table}{where}: {frame.height} rows, {cases.height} failures ({'; '.join(parts)})"
        )
        examples = cases.head(EXAMPLES).to_dicts()
        return ValidationReport(
            table, frame.height, cases.height, False, summary, examples, partition
        )
    except SchemaError as exc:
        summary = f"{table}{where}: {frame.height} rows, schema error: {exc}"
        return ValidationReport(table, frame.height, 1, False, summary, [], partition)
    summary = f"{table}{where}: {frame.height} rows, all checks passed"
    return ValidationReport(table, frame.height, 0, True, summary, [], partition)
