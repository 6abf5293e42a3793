"""Splitting a candidate frame into rows that pass a schema and rows to quarantine."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl

from pipeline.pandera_polars import SchemaError, SchemaErrors, pa


@dataclass(frozen=True)
class SplitResult:
    valid: pl.DataFrame
    invalid: pl.DataFrame
    reasons: list[str] = field(default_factory=list)  # one per invalid row, same order
    failure_count: int = 0


def _reason(column: object, check: object, failure_case: object) -> str:
    where = f"{column}: " if column else ""
    return f"{where}{check} failed (value {failure_case})"


def split_valid(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> SplitResult:
    """Validate ``frame`` with ``lazy=True``; rows named by a failure case are split off.

    A failure that names no row (wrong dtype, missing column) marks the whole frame invalid:
    nothing is loaded that the schema could not vouch for.
    """
    if frame.is_empty():
        return SplitResult(valid=frame, invalid=frame)
    try:
        schema.validate(frame, lazy=True)
    except (SchemaErrors, SchemaError) as exc:
        cases = exc.failure_cases if isinstance(exc, SchemaErrors) else None
        if not isinstance(cases, pl.DataFrame):
            return _all_invalid(frame, str(exc), 1)
        per_row: dict[int, list[str]] = defaultdict(list)
        frame_wide: list[str] = []
        for row in cases.iter_rows(named=True):
            reason = _reason(row.get("column"), row.get("check"), row.get("failure_case"))
            index = row.get("index")
            if index is None:
                frame_wide.append(reason)
            else:
                per_row[int(index)].append(reason)
        if frame_wide:
            return _all_invalid(frame, "; ".join(sorted(set(frame_wide))), cases.height)
        bad = sorted(per_row)
        mask = pl.Series("bad", [False] * frame.height)
        mask[bad] = True
        return SplitResult(
            valid=frame.filter(~mask),
            invalid=frame.filter(mask),
            reasons=["; ".join(per_row[i]) for i in bad],
            failure_count=cases.height,
        )
    return SplitResult(valid=frame, invalid=frame.clear())


def _all_invalid(frame: pl.DataFrame, reason: str, failures: int) -> SplitResult:
    return SplitResult(
        valid=frame.clear(),
        invalid=frame,
        reasons=[reason] * frame.height,
        failure_count=failures,
    )


def rows_as_json(frame: pl.DataFrame) -> list[str]:
    """Each row as a JSON object (timestamps ISO 8601), for ``core.quarantine.row_json``."""
    return [json.dumps(row, default=str, sort_keys=True) for row in frame.iter_rows(named=True)]
