"""The run log's rows: what each job of a poll did, and the record's own checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.ingest.results import IngestResult
from pipeline.ingest.run_records import NOT_RUN, run_records
from pipeline.warehouse.run_log import RunRecord

POLL = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
START = datetime(2026, 11, 27, 10, 0, 1, tzinfo=UTC)
END = datetime(2026, 11, 27, 10, 0, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    ("results", "problems", "expected"),
    [
        pytest.param(
            {"clips": IngestResult("clips", POLL, loaded=7)}, [], ("ok", 7, None), id="clean-run"
        ),
        pytest.param(
            {"clips": IngestResult("clips", POLL, loaded=5, failures=("alice: 404", "bob: 500"))},
            [],
            ("partial", 5, "2 failed: alice: 404"),
            id="some-channels-failed-the-rest-loaded",
        ),
        pytest.param(
            {"clips": IngestResult("clips", POLL, loaded=3)},
            [("clips", "malformed page 2"), ("clips", "malformed page 3")],
            ("failed", 3, "malformed page 2"),
            id="malformed-response-keeps-the-first-problem-and-the-rows-loaded",
        ),
        pytest.param({}, [], ("failed", 0, NOT_RUN), id="never-ran-after-the-api-was-unusable"),
    ],
)
def test_each_job_gets_one_record(
    results: dict[str, IngestResult],
    problems: list[tuple[str, str]],
    expected: tuple[str, int, str | None],
) -> None:
    (record,) = run_records(
        ["clips"], results, problems, poll_at=POLL, started_at=START, finished_at=END
    )
    assert (record.status, record.rows_written, record.detail) == expected
    assert (record.kind, record.name, record.target_at) == ("ingest", "clips", POLL)


@pytest.mark.parametrize(
    ("kind", "status", "message"),
    [
        pytest.param("backfill", "ok", "run kind must be one of", id="unknown-kind"),
        pytest.param("marts", "success", "run status must be one of", id="unknown-status"),
    ],
)
def test_record_rejects_unknown_values(kind: str, status: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RunRecord(kind, "x", None, START, END, status, 0)
