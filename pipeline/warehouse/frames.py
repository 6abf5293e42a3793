"""Moving polars frames in and out of DuckDB through the Arrow C stream interface.

``conn.register(name, polars_frame)`` and ``relation.pl()`` both go through pyarrow, which (with
numpy) is ~45 MB of resident memory in every ingest process. DuckDB 1.5 also wraps any object with
``__arrow_c_stream__`` in a pyarrow dataset, whose pushed-down filters cannot compare polars'
string views with strings. Handing DuckDB the bare Arrow stream capsule (and reading results the
same way) moves the same Arrow data with neither. String columns travel as string views, so
bodies are not copied.

Contract: a registered frame is a stream, so it can be scanned once. Each ``with registered``
block runs one statement that names the view once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import duckdb
import polars as pl


@contextlib.contextmanager
def registered(conn: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """``frame`` visible to SQL on ``conn`` as the view ``name`` for one scan in the block."""
    conn.register(name, frame.__arrow_c_stream__())
    try:
        yield
    finally:
        # after a failed statement the transaction is aborted and unregister would raise,
        # hiding the original error; the view is scoped to this connection and replaced on reuse
        with contextlib.suppress(duckdb.TransactionException):
            conn.unregister(name)


def query_frame(
    conn: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None
) -> pl.DataFrame:
    """The result of ``query`` as a polars frame (what ``.pl()`` returns, without pyarrow)."""
    return pl.DataFrame(conn.sql(query, params=params))
