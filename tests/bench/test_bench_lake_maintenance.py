"""The lake maintenance benchmark runs end to end on a few commits, so it cannot rot unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def test_tiny_run_keeps_the_maintained_lake_flat_and_every_row_once() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_lake_maintenance", "--commits", "20", "--round", "10"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    rounds = [line for line in lines if "lake" in line]
    last = {row["lake"]: row for row in rounds if row["commits"] == 20}
    assert last["unmaintained"]["files"] == 20  # one file per commit, never merged
    assert last["maintained"]["files"] <= 2 and last["maintained"]["files_on_disk"] <= 2
    totals = [line for line in lines if "rows" in line]
    assert len(totals) == 2 and all(t["rows"] == t["distinct_grain"] > 0 for t in totals)
    assert "| 20 |" in done.stdout  # the markdown table's last round
