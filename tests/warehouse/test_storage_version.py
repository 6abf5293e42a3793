"""New warehouse files and published snapshots use DuckDB's newest storage format: the v1.0
format DuckDB 1.5 writes by default stores JSON bodies about four times larger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.warehouse import connect, publish_from

# 2,000 raw-response-like bodies of ~9 KB: ~19 MB as text, ~20 MB in the v1.0 format
BODY = json.dumps(
    [
        {"id": i, "title": f"stream {i * 7919 % 100_003} title", "viewers": i * 31 % 9_973}
        for i in range(150)
    ]
)
LIMIT_MB = 8  # the newest format stores them in ~5 MB


def _fill(path: Path) -> None:
    conn = connect(path)
    try:
        conn.execute(
            "CREATE TABLE ops.bodies AS SELECT range AS k, ? || range AS body FROM range(2000)",
            [BODY],
        )
        conn.execute("CHECKPOINT")
        if path.name == "warehouse.duckdb":
            publish_from(conn, path.parent / "published")
    finally:
        conn.close()


@pytest.mark.parametrize(
    "file",
    [
        pytest.param("warehouse.duckdb", id="warehouse-file"),
        pytest.param("published/warehouse-1.duckdb", id="published-snapshot"),
    ],
)
def test_files_are_written_in_the_newest_storage_format(file: str, tmp_path: Path) -> None:
    _fill(tmp_path / "warehouse.duckdb")
    size_mb = (tmp_path / file).stat().st_size / 1e6
    assert size_mb < LIMIT_MB, f"{file}: {size_mb:.1f} MB"
