"""Publishing: versioned read-only snapshot files plus an atomically replaced ``CURRENT``.

Readers (dashboards, analysts) never open the read-write warehouse, so they never block the
pipeline. Each publish writes ``warehouse-<n>.duckdb`` with the ``core``, ``marts`` and ``ops``
schemas (``raw`` stays in the warehouse: it is large and only needed to re-derive core), then
replaces ``CURRENT`` (temp file + ``os.replace``). The newest three snapshots are kept; a reader
that still has an older one open keeps reading it (Linux keeps unlinked files alive).
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import duckdb

from pipeline.warehouse.connection import (
    STORAGE_VERSION,
    Warehouse,
    connect,
    current_memory_limit,
)
from pipeline.warehouse.errors import NoPublishedSnapshotError, WarehouseError
from pipeline.warehouse.lake import is_lake

log = logging.getLogger("pipeline.warehouse")

PUBLISHED_SCHEMAS = ("core", "marts", "ops")
KEEP_SNAPSHOTS = 3
CURRENT_FILE = "CURRENT"
SNAPSHOT_RE = re.compile(r"^warehouse-(\d+)\.duckdb$")
ATTACH_ALIAS = "velora_publish_target"
# Under DuckDB 1.5.5, 32MB ran out copying the 7-day demo history, and the retry at the caller's
# limit peaked at 230 MB; 64MB copies it in one go at a 156 MB peak (docs/benchmarks.md § pin).
PUBLISH_MEMORY_LIMIT = "64MB"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    # ATTACH takes no bound parameters; the path is escaped as a SQL string literal.
    return "'" + text.replace("'", "''") + "'"


def _snapshot_numbers(published_dir: Path) -> list[int]:
    numbers = []
    for entry in published_dir.glob("warehouse-*.duckdb"):
        match = SNAPSHOT_RE.match(entry.name)
        if match:
            numbers.append(int(match.group(1)))
    return sorted(numbers)


def current_snapshot_path(published_dir: str | Path) -> Path:
    """The snapshot file ``CURRENT`` names; :class:`NoPublishedSnapshotError` if there is none."""
    directory = Path(published_dir)
    current = directory / CURRENT_FILE
    try:
        name = current.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise NoPublishedSnapshotError(
            f"nothing published yet in {directory} (no {CURRENT_FILE} file); run "
            "`velora ingest --once` or `velora seed`, which publish after writing"
        ) from None
    if not SNAPSHOT_RE.match(name):
        raise NoPublishedSnapshotError(f"{current} names {name!r}, not a warehouse-<n>.duckdb file")
    path = directory / name
    if not path.exists():
        raise NoPublishedSnapshotError(f"{current} names {name}, which does not exist")
    return path


def _copy_published_schemas(conn: duckdb.DuckDBPyConnection, target: Path) -> None:
    [source_db] = conn.execute("SELECT current_database()").fetchall()
    src = _quote_ident(str(source_db[0]))
    conn.execute(
        f"ATTACH {_quote_literal(str(target))} AS {ATTACH_ALIAS} "
        f"(STORAGE_VERSION {_quote_literal(STORAGE_VERSION)})"
    )
    try:
        tables = conn.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND list_contains(?, schema_name) "
            "ORDER BY schema_name, table_name",
            [list(PUBLISHED_SCHEMAS)],
        ).fetchall()
        for schema in PUBLISHED_SCHEMAS:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {ATTACH_ALIAS}.{_quote_ident(schema)}")
        for schema, table in tables:
            _copy_table(conn, src, f"{_quote_ident(schema)}.{_quote_ident(table)}")
        _copy_macros(conn)
    finally:
        conn.execute(f"DETACH {ATTACH_ALIAS}")


def _copy_table(conn: duckdb.DuckDBPyConnection, src: str, qualified: str) -> None:
    # identifiers come from the catalog and are quoted; no user text reaches this SQL
    copy = f"CREATE TABLE {ATTACH_ALIAS}.{qualified} AS SELECT * FROM {src}.{qualified}"  # noqa: S608
    conn.execute(copy)


def _copy_macros(conn: duckdb.DuckDBPyConnection) -> None:
    # Readers cannot create them on a read-only snapshot, and published SQL calls them (e.g.
    # marts.sub_revenue, the revenue override): copy each scalar macro's definition.
    macros = conn.execute(
        "SELECT schema_name, function_name, parameters, macro_definition FROM duckdb_functions() "
        "WHERE database_name = current_database() AND function_type = 'macro' "
        "AND list_contains(?, schema_name) ORDER BY schema_name, function_name",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    for schema, name, parameters, definition in macros:
        arguments = ", ".join(_quote_ident(p) for p in parameters)
        conn.execute(
            f"CREATE OR REPLACE MACRO {ATTACH_ALIAS}.{_quote_ident(schema)}.{_quote_ident(name)}"
            f"({arguments}) AS {definition}"
        )


def _remove_building(building: Path) -> None:
    building.unlink(missing_ok=True)
    building.with_name(building.name + ".wal").unlink(missing_ok=True)


def publish_for_readers(conn: duckdb.DuckDBPyConnection, published_dir: str | Path) -> Path | None:
    """What a writer calls after its commits: a new snapshot of a DuckDB file (its path). A
    DuckLake needs none, since readers attach the lake and see each commit: None."""
    return None if is_lake(conn) else publish_from(conn, published_dir)


def published_note(published: Path | None) -> str:
    """What a command prints after publishing (:func:`publish_for_readers`'s result)."""
    if published is None:
        return "DuckLake: readers see every commit, nothing to publish"
    return f"published {published}"


def publish_from(conn: duckdb.DuckDBPyConnection, published_dir: str | Path) -> Path:
    """Publish a new snapshot from an open warehouse file connection; returns the snapshot path."""
    if is_lake(conn):
        raise WarehouseError("a DuckLake has no published snapshots: readers attach the lake")
    directory = Path(published_dir)
    directory.mkdir(parents=True, exist_ok=True)
    numbers = _snapshot_numbers(directory)
    number = (numbers[-1] + 1) if numbers else 1
    final = directory / f"warehouse-{number}.duckdb"
    building = directory / f".building-{number}-{os.getpid()}.duckdb"
    _remove_building(building)
    previous = current_memory_limit(conn)
    try:
        # the copy streams every published row once: a small buffer pool is enough, and
        # shrinking it first evicts what the caller's queries cached, so publishing does not add
        # to their peak memory; should a table need more, retry with the caller's limit
        for limit in (PUBLISH_MEMORY_LIMIT, previous):
            try:
                conn.execute(f"SET memory_limit = '{limit}'")
                _copy_published_schemas(conn, building)
                break
            except duckdb.OutOfMemoryException as exc:
                log.warning("publishing with memory_limit %s failed (%s); retrying", limit, exc)
                _remove_building(building)
                if limit == previous:
                    raise
        os.replace(building, final)
    finally:
        conn.execute(f"SET memory_limit = '{previous}'")
        _remove_building(building)
    temp_current = directory / f".{CURRENT_FILE}.{os.getpid()}.tmp"
    temp_current.write_text(final.name + "\n", encoding="utf-8")
    os.replace(temp_current, directory / CURRENT_FILE)
    _prune(directory, keep=KEEP_SNAPSHOTS)
    return final


def _prune(directory: Path, keep: int) -> None:
    numbers = _snapshot_numbers(directory)
    for number in numbers[:-keep]:
        (directory / f"warehouse-{number}.duckdb").unlink(missing_ok=True)
        (directory / f"warehouse-{number}.duckdb.wal").unlink(missing_ok=True)


def publish(warehouse_path: Warehouse, published_dir: str | Path) -> Path | None:
    """Publish from the warehouse file. Works while this process already holds a connection to
    it (duckdb shares the open database); fails with ``WarehouseLockedError`` if another
    process does. None for a DuckLake (:func:`publish_for_readers`)."""
    conn = connect(warehouse_path)
    try:
        return publish_for_readers(conn, published_dir)
    finally:
        conn.close()


def open_published(published_dir: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current snapshot; close it after the query."""
    path = current_snapshot_path(published_dir)
    conn = duckdb.connect(str(path), read_only=True)
    conn.execute("SET TimeZone = 'UTC'")
    return conn
