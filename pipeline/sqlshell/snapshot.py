"""Running SQL against what readers may open (``pipeline.warehouse.reading``), never the
warehouse file itself.

Each run opens the state current at that moment, read-only, and closes it when the run ends, so
a later run sees a newer state and no connection outlives its query. On the DuckDB-file backend
that is the snapshot ``CURRENT`` names; on DuckLake it is the lake pinned at its latest commit,
so every statement of a run reads one committed state. Readers block nobody. File access is
switched off once the connection is open, because an ``ATTACH`` of the warehouse file (even
read-only) would take the lock its writer needs; ``COPY``, ``read_csv`` and friends go with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline.errors import UserFacingError
from pipeline.warehouse import NoPublishedSnapshotError
from pipeline.warehouse.lake import LakeConfig, current_lake_snapshot, is_lake
from pipeline.warehouse.reading import (
    LakeUnavailableError,
    ReadSource,
    current_state,
    open_state,
)
from pipeline.warehouse.snapshots import CURRENT_FILE

BATCH_ROWS = 10_000
READ_ONLY_KIND = re.compile(r'statement of type "(\w+)"')
# the snapshot CURRENT named can be pruned (three publishes later) before we open it
OPEN_ATTEMPTS = 3
HOW_TO_PUBLISH = (
    "build one with `make demo`, or `velora seed --days 1` (seeds history from an in-process "
    "twin and publishes)"
)
# statements whose result is only a count of changed rows: nothing to print
SILENT_TYPES = {
    duckdb.StatementType.CREATE,
    duckdb.StatementType.INSERT,
    duckdb.StatementType.UPDATE,
    duckdb.StatementType.DELETE,
    duckdb.StatementType.DROP,
    duckdb.StatementType.SET,
    duckdb.StatementType.VARIABLE_SET,
    duckdb.StatementType.TRANSACTION,
    duckdb.StatementType.LOAD,
    duckdb.StatementType.PREPARE,
}


class QueryError(Exception):
    """A statement failed; the message is one line, ready to print."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    batches: Iterator[list[tuple[Any, ...]]]


def no_snapshot_message(source: ReadSource, exc: NoPublishedSnapshotError) -> str:
    if isinstance(source, LakeConfig):
        return f"{exc}; {HOW_TO_PUBLISH}"
    if not (source / CURRENT_FILE).exists():
        return f"no published snapshot yet in {source}: {HOW_TO_PUBLISH}"
    return f"{exc}; {HOW_TO_PUBLISH}, or publish again with `velora warehouse publish`"


def one_line(exc: duckdb.Error) -> str:
    """DuckDB's message without the ``LINE n:`` excerpt, on one line."""
    text = str(exc).split("\n\nLINE ", 1)[0]
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def explain(exc: duckdb.Error) -> str:
    message = one_line(exc)
    if "read-only mode" in message:
        kind = READ_ONLY_KIND.search(message)
        what = f"{kind.group(1)} statements are" if kind else "writing is"
        return (
            f"the published snapshot is read-only: {what} refused (velora sql only reads; "
            "the pipeline writes the warehouse)"
        )
    if isinstance(exc, duckdb.PermissionException):
        return (
            "velora sql reads only the published snapshot: files, ATTACH and COPY are off "
            f"(use --format csv > file to export) ({message})"
        )
    return message


def _open_current(source: ReadSource) -> duckdb.DuckDBPyConnection:
    for attempt in range(OPEN_ATTEMPTS):
        try:
            if isinstance(source, LakeConfig):
                return open_state(source, current_state(source))
            return open_state(source)
        except NoPublishedSnapshotError as exc:
            raise UserFacingError(no_snapshot_message(source, exc)) from None
        except LakeUnavailableError as exc:
            raise UserFacingError(f"cannot read the lake: {exc}") from None
        except duckdb.IOException:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@contextmanager
def current_snapshot(source: ReadSource) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the current state with file access off (it cannot be turned
    back on while the connection lives); closed on exit."""
    conn = _open_current(source)
    try:
        if isinstance(source, LakeConfig):  # the lake's own Parquet files stay readable
            conn.execute("SET allowed_directories = ?", [[source.data_path]])
        conn.execute("SET enable_external_access = false")
        yield conn
    finally:
        conn.close()


def snapshot_name(conn: duckdb.DuckDBPyConnection) -> str:
    """The snapshot file's name, or ``lake snapshot <id>`` for the commit a lake reader pinned."""
    if is_lake(conn):
        return f"lake snapshot {current_lake_snapshot(conn)}"
    [(path,)] = conn.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return Path(str(path)).name


def split_statements(conn: duckdb.DuckDBPyConnection, sql: str) -> list[duckdb.Statement]:
    try:
        return conn.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(explain(exc)) from None


def _batches(cursor: duckdb.DuckDBPyConnection) -> Iterator[list[tuple[Any, ...]]]:
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield batch


def run_statement(conn: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> Result | None:
    """Execute one statement; its rows (in batches) if it returns any worth printing."""
    try:
        cursor = conn.execute(statement.query)
    except duckdb.Error as exc:
        raise QueryError(explain(exc)) from None
    if statement.type in SILENT_TYPES or cursor.description is None:
        return None
    return Result([d[0] for d in cursor.description], _checked(_batches(cursor)))


def _checked(batches: Iterator[list[tuple[Any, ...]]]) -> Iterator[list[tuple[Any, ...]]]:
    # some errors (a failed cast deep in a result) surface only while fetching
    try:
        yield from batches
    except duckdb.Error as exc:
        raise QueryError(explain(exc)) from None
