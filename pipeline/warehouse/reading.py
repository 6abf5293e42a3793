"""The read path of both backends: what ``velora sql`` and the dashboards open.

Contract: a :data:`ReadSource` is the published-snapshot directory (DuckDB-file backend) or the
lake itself (:class:`LakeConfig`). :func:`current_state` names the state a reader sees now, and
its ``key`` changes exactly when the data does (a cache key): the snapshot file ``CURRENT``
names, or the lake's latest committed snapshot. :func:`open_state` opens a state read-only: the
current snapshot file, or the lake attached ``READ_ONLY`` at that commit, so every statement of
one run reads the same committed state. Readers never take a lock a writer needs: the file
backend's readers open copies, and a lake reader only reads the catalog and Parquet files.

:func:`shared_lake_reader` is one read-only lake connection per process for readers that query
often (the dashboards); each query on a fresh cursor reads the latest commit, with no pin.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.warehouse.errors import NoPublishedSnapshotError, WarehouseError
from pipeline.warehouse.lake import (
    LAKE_ALIAS,
    LakeConfig,
    current_lake_snapshot,
    lake_snapshot_time,
    open_lake,
)
from pipeline.warehouse.snapshots import current_snapshot_path, open_published

# The published-snapshot directory of the file backend, or the lake.
ReadSource = Path | LakeConfig
# the schemas a lake must hold before there is anything to read
_READABLE = "SELECT count(*) FROM duckdb_schemas() WHERE database_name = ? AND schema_name = 'core'"
# a read-only ATTACH of a catalog no writer ever created
_NEVER_CREATED = "creating a new DuckLake is explicitly disabled"


class LakeUnavailableError(WarehouseError):
    """The lake's catalog or data cannot be reached (wrong configuration, server down)."""


@dataclass(frozen=True)
class ReadState:
    """One committed state readers can open: a snapshot file or a lake commit."""

    name: str  # for people: "warehouse-12.duckdb" or "lake snapshot 345"
    key: str  # for caches: changes exactly when the data does
    at: datetime  # when it was published or committed (UTC)
    version: int | None = None  # the lake snapshot id; None for a snapshot file


def current_state(source: ReadSource) -> ReadState:
    """The state a reader would see now; :class:`NoPublishedSnapshotError` when there is none."""
    if isinstance(source, LakeConfig):
        conn = _open_lake_reader(source)
        try:
            return lake_state(conn, source)
        finally:
            conn.close()
    path = current_snapshot_path(source)
    try:
        modified = path.stat().st_mtime
    except OSError as exc:  # pruned right after CURRENT was read
        raise NoPublishedSnapshotError(f"cannot read {path}: {exc}") from None
    return ReadState(path.name, str(path), datetime.fromtimestamp(modified, tz=UTC))


def lake_state(conn: duckdb.DuckDBPyConnection, lake: LakeConfig) -> ReadState:
    """The latest committed state of the lake ``conn`` has attached."""
    if conn.execute(_READABLE, [LAKE_ALIAS]).fetchall()[0][0] == 0:
        raise _nothing_written(lake)
    version = current_lake_snapshot(conn)
    return ReadState(
        f"lake snapshot {version}",
        f"{lake}#{version}",
        lake_snapshot_time(conn, version),
        version,
    )


def _nothing_written(lake: LakeConfig) -> NoPublishedSnapshotError:
    return NoPublishedSnapshotError(
        f"{lake} holds no tables yet (run `velora ingest --once` or `velora seed`)"
    )


def open_state(source: ReadSource, state: ReadState | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``state`` (default: the current one); close it after use."""
    if isinstance(source, LakeConfig):
        version = state.version if state is not None else None
        return _open_lake_reader(source, version)
    return open_published(source)


def _open_lake_reader(lake: LakeConfig, version: int | None = None) -> duckdb.DuckDBPyConnection:
    try:
        conn = open_lake(lake, read_only=True, snapshot_version=version)
    except WarehouseError as exc:
        if _NEVER_CREATED in str(exc):
            raise _nothing_written(lake) from None
        raise LakeUnavailableError(str(exc)) from None
    conn.execute("SET TimeZone = 'UTC'")
    return conn


@functools.cache
def shared_lake_reader(lake: LakeConfig) -> duckdb.DuckDBPyConnection:
    """One read-only lake connection for this process; take a ``.cursor()`` per query (and
    ``USE`` the lake on it), as cursors are the thread-safe way to share it."""
    return _open_lake_reader(lake)


def lake_cursor(lake: LakeConfig) -> duckdb.DuckDBPyConnection:
    """A cursor on the shared reader, in the lake, in UTC. A reader whose connection broke (the
    catalog server restarted) is opened again once."""
    for attempt in (1, 2):
        try:
            cursor = shared_lake_reader(lake).cursor()
            cursor.execute(f"USE {LAKE_ALIAS}")
            cursor.execute("SET TimeZone = 'UTC'")
            return cursor
        except duckdb.Error:
            shared_lake_reader.cache_clear()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
