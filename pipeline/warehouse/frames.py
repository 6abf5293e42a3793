"""Moving polars frames in and out of DuckDB through the Arrow C stream interface.

``conn.register(name, polars_frame)`` and ``relation.pl()`` both go through pyarrow, which (with
numpy) is ~45 MB of resident memory in every ingest process; handing DuckDB an object that only
exposes ``__arrow_c_stream__`` (and reading results the same way) moves the same Arrow data
without importing pyarrow. String columns travel as string views, so bodies are not copied.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import duckdb
import polars as pl


class _ArrowStream:
    """A polars frame seen only through the Arrow PyCapsule stream interface."""

    __slots__ = ("_frame",)

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)


@contextlib.contextmanager
def registered(conn: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """``frame`` visible to SQL on ``conn`` as the view ``name`` for the ``with`` block."""
    conn.register(name, _ArrowStream(frame))
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
