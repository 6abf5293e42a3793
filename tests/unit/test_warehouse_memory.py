"""``memory_at_least``: a day of marts gets a bigger buffer pool than a poll, and only for the
block."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.warehouse.connection import memory_at_least


def _limit(conn: duckdb.DuckDBPyConnection) -> str:
    return str(conn.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


@pytest.mark.parametrize(
    ("before", "wanted", "inside"),
    [
        # the poll's small pool is raised for the block
        pytest.param("128MB", "1GB", "953.6 MiB", id="raised"),
        # a caller who gave more keeps it: never lowered (DuckDB's GB is 10^9 bytes)
        pytest.param("2GB", "1GB", "1.8 GiB", id="never-lowered"),
    ],
)
def test_the_limit_is_raised_for_the_block_and_put_back(
    before: str, wanted: str, inside: str
) -> None:
    conn = duckdb.connect()
    conn.execute(f"SET memory_limit = '{before}'")
    outside = _limit(conn)
    with memory_at_least(conn, wanted):
        assert _limit(conn) == inside
    assert _limit(conn) == outside


def test_the_limit_is_put_back_after_an_error() -> None:
    conn = duckdb.connect()
    conn.execute("SET memory_limit = '128MB'")
    outside = _limit(conn)
    with pytest.raises(duckdb.CatalogException), memory_at_least(conn, "1GB"):
        conn.execute("SELECT * FROM no_such_table")
    assert _limit(conn) == outside
