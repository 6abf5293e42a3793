"""Lake maintenance: keep a DuckLake's files and snapshots flat as commits accumulate.

Contract: ``maintain(target, older_than=...)`` runs, on a lake, the four DuckLake steps in turn,
each its own commit (so a concurrent writer meets at most one of them, and DuckLake's conflict
retries cover it; SQL in ``sql/lake/``):

1. flush inlined data: tiny commits are inlined in the catalog, not written as files;
2. merge adjacent files: every poll's commit writes its own small Parquet file, and every full
   read of the table opens them all (a poll's own anti-join reads only its minute's files);
   merged files keep each row's snapshot, so time travel still works.
   A file of ``max_file_bytes`` or more is left alone: without that bound each run would rewrite
   the table's one merged file, up to DuckLake's 512 MB target, again every hour;
3. expire the snapshots committed more than ``older_than`` ago (never the latest);
4. delete the files scheduled for deletion (by steps 2 and 3) more than ``file_grace`` ago.

It returns a :class:`MaintenanceReport`. Every row stays present exactly once; only history older
than ``older_than`` is given up. Readers, measured on ducklake 1.5.5 (tests/lake/):

- a reader attached at a fixed ``SNAPSHOT_VERSION`` keeps working through merges and deletes,
  until its snapshot is older than ``older_than`` and expires (then it fails, loudly);
- a reader inside an open transaction has already listed the files it read, so it fails if they
  are deleted under it: ``file_grace`` must exceed the longest read transaction.

On the DuckDB-file backend there is nothing to do: the report says so, and a path is never
opened (so maintenance never takes the file's write lock).
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from pipeline.warehouse.connection import Warehouse, connect
from pipeline.warehouse.lake import LAKE_ALIAS, LakeConfig, is_lake
from pipeline.warehouse.sqlfiles import sql_text

# A day of time travel: a reader may pin any snapshot of the last 24 h
# (VELORA_LAKE_SNAPSHOT_RETENTION_HOURS).
DEFAULT_RETENTION_HOURS = 24.0
# Longer than any read transaction, shorter than the hourly schedule: files a run replaces are
# deleted by the next run.
FILE_GRACE = timedelta(minutes=30)
# Bounds what one run rewrites (the growing merged file); a full file adds one file per 64 MiB.
MAX_FILE_BYTES = 64 * 1024 * 1024
NOTHING_TO_DO = "the warehouse is a DuckDB file: no lake to maintain"


@dataclass(frozen=True)
class MaintenanceReport:
    files_before: int  # live data and delete files in the catalog
    files_after: int
    rows_flushed: int  # inlined rows written out to files
    files_merged: int  # small files replaced by merging
    snapshots_expired: int
    files_deleted: int  # files removed from storage
    seconds: float
    note: str = ""  # set when nothing was done, and why

    @classmethod
    def nothing_to_do(cls, note: str = NOTHING_TO_DO) -> MaintenanceReport:
        return cls(0, 0, 0, 0, 0, 0, 0.0, note)


def _one(conn: duckdb.DuckDBPyConnection, name: str, **params: object) -> tuple:
    # fetchall, not fetchone: a result left open keeps its transaction, and its commit, pending
    [row] = conn.execute(sql_text(f"lake/{name}.sql"), {"catalog": LAKE_ALIAS, **params}).fetchall()
    return row


def lake_state(conn: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """``(live files, snapshots kept)`` of the lake ``conn`` has attached."""
    files, snapshots = _one(conn, "lake_state")
    return int(files), int(snapshots)


def maintain(
    target: Warehouse | duckdb.DuckDBPyConnection,
    older_than: timedelta = timedelta(hours=DEFAULT_RETENTION_HOURS),
    *,
    file_grace: timedelta = FILE_GRACE,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> MaintenanceReport:
    """Flush, merge, expire and clean up the lake ``target`` (a config, or an open connection)."""
    if isinstance(target, duckdb.DuckDBPyConnection):
        if not is_lake(target):
            return MaintenanceReport.nothing_to_do()
        return _maintain(target, older_than, file_grace, max_file_bytes)
    if not isinstance(target, LakeConfig):
        return MaintenanceReport.nothing_to_do()
    with closing(connect(target)) as conn:
        return _maintain(conn, older_than, file_grace, max_file_bytes)


def _maintain(
    conn: duckdb.DuckDBPyConnection,
    older_than: timedelta,
    file_grace: timedelta,
    max_file_bytes: int,
) -> MaintenanceReport:
    began, started_at = time.perf_counter(), datetime.now(UTC)
    files_before, _ = lake_state(conn)
    (flushed,) = _one(conn, "flush_inlined_data")
    merged, _created = _one(conn, "merge_adjacent_files", max_file_size=max_file_bytes)
    # the window is measured from the run's start (merging takes seconds), the grace from now
    (expired,) = _one(conn, "expire_snapshots", cutoff=started_at - older_than)
    (deleted,) = _one(conn, "cleanup_old_files", cutoff=datetime.now(UTC) - file_grace)
    files_after, _ = lake_state(conn)
    return MaintenanceReport(
        files_before=files_before,
        files_after=files_after,
        rows_flushed=int(flushed),
        files_merged=int(merged),
        snapshots_expired=int(expired),
        files_deleted=int(deleted),
        seconds=round(time.perf_counter() - began, 3),
    )
