"""What each endpoint job of a poll did, as rows of the warehouse's run log (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pipeline.ingest.results import IngestResult
from pipeline.warehouse.run_log import RunRecord

NOT_RUN = "not run: an earlier group found the API unusable"


def run_records(
    names: Sequence[str],
    results: Mapping[str, IngestResult],
    problems: Sequence[tuple[str, str]],
    *,
    poll_at: datetime,
    started_at: datetime,
    finished_at: datetime,
) -> list[RunRecord]:
    """One record per job asked for: ``failed`` when the job reported a problem or never ran,
    ``partial`` when some of its requests failed, else ``ok``; rows are the core rows loaded."""
    first_problem: dict[str, str] = {}
    for endpoint, text in problems:
        first_problem.setdefault(endpoint, text)
    records = []
    for name in names:
        result = results.get(name)
        if name in first_problem or result is None:
            status, detail = "failed", first_problem.get(name, NOT_RUN)
        elif result.failures:
            status, detail = "partial", f"{len(result.failures)} failed: {result.failures[0]}"
        else:
            status, detail = "ok", None
        records.append(
            RunRecord(
                kind="ingest",
                name=name,
                target_at=poll_at,
                started_at=started_at,
                finished_at=finished_at,
                status=status,
                rows_written=0 if result is None else result.loaded,
                detail=detail,
            )
        )
    return records
