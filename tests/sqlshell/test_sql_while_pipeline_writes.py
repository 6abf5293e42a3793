"""``velora sql`` reads in a loop while the pipeline adds polls, rebuilds marts and publishes:
no lock error on either side, and every read sees one whole snapshot (core and marts agree).

Reader and writer are separate processes, as an analyst and the pipeline are. They hand-shake
through two files so the reads span the writes on any machine speed: the writer starts after the
first read, and the reader stops after the writer is done.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.sqlshell.conftest import build_marts_warehouse

WRITER = """
import sys, time
from pathlib import Path
from pipeline.marts import refresh
from pipeline.warehouse import connect, publish_from
data_dir, rounds = Path(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + 60
while not (data_dir / "reader.started").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
for n in range(rounds):
    conn = connect(data_dir / "warehouse.duckdb")
    try:
        # One more live poll, 5 minutes after the newest: core changes, so must the marts.
        conn.execute(
            "INSERT INTO core.stream_snapshots BY NAME "
            "SELECT * REPLACE (snapshot_at + INTERVAL 5 MINUTE AS snapshot_at, "
            "                  fetched_at + INTERVAL 5 MINUTE AS fetched_at) "
            "FROM core.stream_snapshots WHERE source = 'live' "
            "AND snapshot_at = (SELECT max(snapshot_at) FROM core.stream_snapshots)"
        )
        day = conn.execute("SELECT CAST(max(snapshot_at) AS DATE) FROM core.stream_snapshots").fetchall()[0][0]
        refresh(conn, day, day, today=day)
        publish_from(conn, data_dir / "published")
    finally:
        conn.close()
    print(n, flush=True)
(data_dir / "writer.done").touch()
"""
READER = """
import contextlib, io, json, sys, time
from pathlib import Path
from pipeline.cli import main
data_dir, most = sys.argv[1], int(sys.argv[2])
SQL = ("SELECT (SELECT count(DISTINCT snapshot_at) FROM core.stream_snapshots WHERE source = 'live') AS polls, "
       "(SELECT count(*) FROM marts.live_totals) AS totals, "
       "(SELECT count(DISTINCT snapshot_at) FROM marts.live_totals) AS distinct_totals")
def read():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["sql", "--data-dir", data_dir, "-c", SQL, "--format", "json"])
    print(json.dumps({"code": code, "rows": json.loads(out.getvalue()) if code == 0 else None}), flush=True)
read()
(Path(data_dir) / "reader.started").touch()
for _ in range(most):
    finished = (Path(data_dir) / "writer.done").exists()
    read()
    if finished:  # this read began after the last publish
        break
"""


def test_reads_during_mart_builds_and_publishes_never_fail(tmp_path: Path) -> None:
    build_marts_warehouse(tmp_path)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(tmp_path), "2000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    written, writer_err = writer.communicate(timeout=180)
    read, reader_err = reader.communicate(timeout=180)
    assert writer.returncode == 0, writer_err
    assert written.split() == [str(n) for n in range(5)]  # every build and publish went through
    assert reader.returncode == 0, reader_err
    assert "lock" not in reader_err.lower() and "lock" not in writer_err.lower()
    results = [json.loads(line) for line in read.splitlines()]
    assert len(results) >= 3 and all(r["code"] == 0 for r in results), reader_err
    assert (tmp_path / "writer.done").exists()
    rows = [r["rows"][0] for r in results]
    # One whole snapshot per read: the marts hold exactly the polls core holds.
    assert all(row["polls"] == row["totals"] == row["distinct_totals"] for row in rows)
    # the first read came before any write, the last after all five: the reads saw it move on
    assert rows[-1]["polls"] == rows[0]["polls"] + 5
