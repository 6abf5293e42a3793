"""Opening the warehouse: lock errors and missing files become typed, explained errors."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline import pandas_guard
from pipeline.warehouse.errors import WarehouseLockedError, WarehouseMissingError
from pipeline.warehouse.lake import LakeConfig, open_lake
from pipeline.warehouse.migrations import migrate

# DuckDB 1.5.5 would import pandas (~90 MB) at the first statement with parameters
pandas_guard.install()

# Where the warehouse lives: a DuckDB file (the embedded default) or a DuckLake.
Warehouse = str | Path | LakeConfig

# Applied per database instance with SET (not connect(config=...)): a second connect() in the
# same process with a different config would be refused by duckdb.
SESSION_SETTINGS = ("SET TimeZone = 'UTC'",)
# DuckDB 1.5 writes new files in the v1.0 storage format unless told otherwise, which lacks the
# newer string compression: a seeded day of raw bodies took 98 MB instead of 9.3 MB. The format
# is fixed when a file is created, and later connections keep it (snapshots.py does the same).
STORAGE_VERSION = "latest"
# DuckDB's buffer pool defaults to 80% of RAM; a poll touches little data, so a small pool keeps
# a sweep's memory flat however large the history is (bigger work spills to <file>.tmp/).
# Measured: a full sweep + publish of a 7-day warehouse peaks at ~265 MB RSS with 64MB,
# ~375 MB with 128MB (bench/bench_sweep.py).
DEFAULT_MEMORY_LIMIT = "128MB"


def _size_bytes(text: str) -> float:
    # DuckDB's units: KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B", text.strip(), re.IGNORECASE)
    if found is None:
        raise ValueError(f"not a size: {text!r}")
    number, unit, binary = found.groups()
    return float(number) * (1024 if binary else 1000) ** " KMGT".index(unit.upper() or " ")


@contextlib.contextmanager
def memory_at_least(conn: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """Raise the connection's ``memory_limit`` to ``limit`` (if it is lower) for the block, then
    put it back: for work that needs more than a poll's small buffer pool (a day of marts)."""
    previous = current_memory_limit(conn)
    raise_it = _size_bytes(previous) < _size_bytes(_checked_size(limit))
    if raise_it:
        conn.execute(f"SET memory_limit = '{_checked_size(limit)}'")
    try:
        yield
    finally:
        if raise_it:
            with contextlib.suppress(duckdb.Error):  # an aborted transaction refuses SET too
                conn.execute(f"SET memory_limit = '{previous}'")


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def current_memory_limit(conn: duckdb.DuckDBPyConnection) -> str:
    """The connection's ``memory_limit`` as DuckDB reports it (e.g. ``122.0 MiB``), checked, so it
    can be SET again."""
    return _checked_size(conn.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


def _checked_size(text: str) -> str:
    # SET takes no bound parameters: accept only sizes like "128MB" / "1.5GB".
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]?i?B", text.strip(), flags=re.IGNORECASE):
        raise ValueError(f"memory_limit must look like '128MB', got {text!r}")
    return text.strip()


def connect(
    path: Warehouse, read_only: bool = False, *, memory_limit: str | None = DEFAULT_MEMORY_LIMIT
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at ``path`` (a file, or a :class:`LakeConfig`); a read-write open also
    applies pending migrations.

    Raises :class:`WarehouseLockedError` when another process holds the file and
    :class:`WarehouseMissingError` for a read-only open of a file that does not exist.
    """
    if isinstance(path, LakeConfig):
        return _configured(open_lake(path, read_only), read_only, memory_limit)
    db_path = Path(path)
    if read_only and not db_path.exists():
        raise WarehouseMissingError(
            f"warehouse {db_path} does not exist; create it with `velora ingest --once` "
            "or `velora seed` first"
        )
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if not read_only and not db_path.exists():
            _create_file(db_path)  # another process creating it at once holds its lock
        conn = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.Error as exc:
        if _is_lock_error(exc):
            raise WarehouseLockedError(
                f"warehouse {db_path} is locked by another process (DuckDB allows one writer, "
                "or readers only). Stop the other writer/reader (Dagster run, `velora seed`, "
                "an open `duckdb` shell) or read the published snapshot instead."
            ) from exc
        raise
    return _configured(conn, read_only, memory_limit)


def _create_file(db_path: Path) -> None:
    # only the creating connection takes the config: a second connect() of the same file in
    # one process with a different config would be refused
    duckdb.connect(str(db_path), config={"storage_compatibility_version": STORAGE_VERSION}).close()


def _configured(
    conn: duckdb.DuckDBPyConnection, read_only: bool, memory_limit: str | None
) -> duckdb.DuckDBPyConnection:
    for statement in SESSION_SETTINGS:
        conn.execute(statement)
    if memory_limit:
        conn.execute(f"SET memory_limit = '{_checked_size(memory_limit)}'")
    if not read_only:
        migrate(conn)
    return conn
