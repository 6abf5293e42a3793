"""A mart build runs in the poll's small buffer pool; one that runs out of memory (a day of
100,000 creators at 1-minute polls did, at 128 MB) is built once more with 1 GB, then the
connection's own limit is back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb
import pytest
from mart_core import DAY, Core, at, rows

from pipeline.marts import build, build_days

D0 = DAY.date()


def _limit(conn: duckdb.DuckDBPyConnection) -> str:
    return str(conn.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


@pytest.mark.parametrize(
    ("failures", "limits_seen", "status"),
    [
        # the common case: the small pool is enough, and it is never raised
        pytest.param(0, ["122.0 MiB"], ["ok"], id="fits-the-poll-pool"),
        # the quirk: out of memory once, built again with room, logged once as ok
        pytest.param(1, ["122.0 MiB", "953.6 MiB"], ["ok"], id="out-of-memory-then-room"),
    ],
)
def test_a_build_that_runs_out_of_memory_is_built_again_with_room(
    conn: duckdb.DuckDBPyConnection,
    core: Core,
    monkeypatch: pytest.MonkeyPatch,
    failures: int,
    limits_seen: list[str],
    status: list[str],
) -> None:
    core.follow("c1", at(10))
    seen: list[str] = []
    real = build.run_file
    left = [failures]

    def run_file(connection: duckdb.DuckDBPyConnection, step: Any, params: Any) -> None:
        if not seen or seen[-1] != _limit(connection):
            seen.append(_limit(connection))
        if left[0]:
            left[0] -= 1
            raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block")
        real(connection, step, params)

    monkeypatch.setattr(build, "run_file", run_file)
    before = _limit(conn)
    build_days(conn, ["monetization_daily"], D0, D0 + timedelta(days=1))
    assert seen == limits_seen
    assert _limit(conn) == before
    assert [r["status"] for r in rows(conn, "SELECT status FROM ops.run_log")] == status
    assert rows(conn, "SELECT follows FROM marts.monetization_daily") == [{"follows": 1}]


def test_a_build_out_of_memory_even_with_room_fails_loudly(
    conn: duckdb.DuckDBPyConnection, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    core.follow("c1", at(10))

    def run_file(connection: duckdb.DuckDBPyConnection, step: Any, params: Any) -> None:
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block")

    monkeypatch.setattr(build, "run_file", run_file)
    before = _limit(conn)
    with pytest.raises(duckdb.OutOfMemoryException):
        build_days(conn, ["monetization_daily"], D0, D0 + timedelta(days=1))
    assert _limit(conn) == before
    assert [r["status"] for r in rows(conn, "SELECT status FROM ops.run_log")] == ["failed"]
