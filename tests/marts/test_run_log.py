"""Each mart build leaves a row in ``ops.run_log``: with its rows when it commits, with the error
when it fails (and then the mart keeps what it held)."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest
from mart_core import DAY, Core, at, rows

from pipeline.marts import build_days

D0 = DAY.date()


def test_a_build_logs_its_rows_in_its_own_transaction(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.follow("c1", at(10))
    core.follow("c1", at(11))
    build_days(conn, ["monetization_daily"], D0, D0 + timedelta(days=1))
    logged = rows(conn, "SELECT kind, name, status, rows_written, detail FROM ops.run_log")
    assert logged == [
        {
            "kind": "marts",
            "name": "monetization_daily",
            "status": "ok",
            "rows_written": 1,  # one channel-day
            "detail": f"{D0}..{D0}",
        }
    ]


def test_a_failed_build_logs_the_error_and_keeps_the_mart(
    conn: duckdb.DuckDBPyConnection, core: Core
) -> None:
    core.follow("c1", at(10))
    build_days(conn, ["monetization_daily"], D0, D0 + timedelta(days=1))
    conn.execute("ALTER TABLE core.follows RENAME TO follows_gone")  # the build's input vanishes
    with pytest.raises(duckdb.CatalogException):
        build_days(conn, ["monetization_daily"], D0, D0 + timedelta(days=1))
    assert rows(conn, "SELECT follows FROM marts.monetization_daily") == [{"follows": 1}]
    failed = rows(conn, "SELECT status, detail FROM ops.run_log WHERE status <> 'ok'")
    assert len(failed) == 1 and failed[0]["status"] == "failed"
    assert "follows" in failed[0]["detail"]
