"""The run log (``ops.run_log``): one row per finished ingest job or mart build.

Callers describe a run with :class:`RunRecord`; the warehouse only stores it. Recording is part
of the caller's transaction when there is one, so a build and its log row commit together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb

from pipeline.warehouse.sqlfiles import sql_text

KINDS = ("ingest", "marts")
STATUSES = ("ok", "partial", "failed")


@dataclass(frozen=True)
class RunRecord:
    kind: str
    name: str
    target_at: datetime | None
    started_at: datetime
    finished_at: datetime
    status: str
    rows_written: int
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"run kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.status not in STATUSES:
            raise ValueError(
                f"run status must be one of {', '.join(STATUSES)}, got {self.status!r}"
            )


def record_runs(conn: duckdb.DuckDBPyConnection, records: Iterable[RunRecord]) -> None:
    for record in records:
        conn.execute(sql_text("insert_run_log.sql"), asdict(record))
