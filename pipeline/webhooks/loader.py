"""Load sealed landing segments into the warehouse, exactly once.

Per segment, in ONE DuckDB transaction: insert the events (an anti-join on ``event_key``), their
typed rows, any quarantined records, and the segment's checkpoint row in
``ops.webhook_segments_loaded``. Either all of it commits or none of it does, so a crash
between "rows written" and "checkpoint written" is impossible; and a delivery that landed twice
(a retry, a replay, a segment re-read) meets its stored key and inserts nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline.schemas.webhooks import POLARS_COLUMNS, TYPED_TABLE_NAMES, frame
from pipeline.warehouse import Warehouse, WarehouseMissingError, connect
from pipeline.warehouse.commits import claim, rollback, run_transaction
from pipeline.warehouse.frames import registered
from pipeline.webhooks.framing import scan_bytes
from pipeline.webhooks.landing import sealed_segments
from pipeline.webhooks.normalize import NormalizationError, NormalizedEvent, normalize_delivery

log = logging.getLogger(__name__)
EVENT_KEY = ("event_key",)


@dataclass
class LoadResult:
    segments: int = 0  # segments loaded by this call
    records: int = 0  # records read from them (including duplicates and quarantined)
    inserted: int = 0  # new rows in core.webhook_events
    duplicates: int = 0  # records whose event_key was already loaded (or repeated in-segment)
    test_events: int = 0  # inserted events flagged isTest (kept out of typed tables)
    errors: list[str] = field(default_factory=list)  # quarantined records / damaged regions
    quarantined: int = 0
    typed_inserted: dict[str, int] = field(default_factory=dict)
    first_event_at: datetime | None = None  # the span of event times newly loaded: the
    last_event_at: datetime | None = None  # days whose marts change


@dataclass
class _SegmentBatch:
    events: list[dict[str, Any]] = field(default_factory=list)
    typed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    test_keys: set[str] = field(default_factory=set)
    records: int = 0
    repeated_in_segment: int = 0


def loaded_segments(conn: duckdb.DuckDBPyConnection) -> set[str]:
    rows = conn.execute("SELECT segment FROM ops.webhook_segments_loaded").fetchall()
    return {r[0] for r in rows}


def pending_segments(landing_dir: str | Path, warehouse_path: Warehouse | None = None) -> list[str]:
    """Sealed segment names not yet loaded, oldest first.

    Without ``warehouse_path`` it lists every sealed segment (the names a Dagster sensor uses as
    its cursor: segments sort chronologically, so "everything after the last name seen").
    With it, segments already checkpointed in the warehouse are left out (opened read-only).
    """
    names = sealed_segments(landing_dir)
    if warehouse_path is None:
        return names
    try:
        conn = connect(warehouse_path, read_only=True)
    except WarehouseMissingError:
        return names
    try:
        try:
            done = loaded_segments(conn)
        except duckdb.CatalogException:
            done = set()
    finally:
        conn.close()
    return [n for n in names if n not in done]


def _store_segment(
    conn: duckdb.DuckDBPyConnection, segment: str, batch: _SegmentBatch, size: int
) -> tuple[list[dict[str, Any]], int, dict[str, int]] | None:
    """One transaction: the segment's new rows and its checkpoint; None if already loaded.
    Returns the events inserted, the duplicates and the typed rows inserted per table."""
    keys = [e["event_key"] for e in batch.events]
    conn.execute("BEGIN TRANSACTION")
    try:
        # two loaders of one segment (or of one event in two segments) would both append: the
        # claim makes the second commit conflict, and its re-run finds the rows stored
        claim(conn, "webhook_loader")
        done = conn.execute(  # fetchall: a half-read result would block conn.register()
            "SELECT 1 FROM ops.webhook_segments_loaded WHERE segment = ?", [segment]
        ).fetchall()
        if done:
            conn.execute("ROLLBACK")
            return None
        existing = _count_existing(conn, keys)
        new_events = [e for e in batch.events if e["event_key"] not in existing]
        _insert(conn, "core.webhook_events", frame("core.webhook_events", new_events), EVENT_KEY)
        typed_counts: dict[str, int] = {}
        for table in TYPED_TABLE_NAMES:
            rows = [r for r in batch.typed.get(table, []) if r["event_key"] not in existing]
            _insert(conn, table, frame(table, rows), EVENT_KEY)
            if rows:
                typed_counts[table] = len(rows)
        if batch.quarantine:
            _insert(
                conn,
                "core.webhook_quarantine",
                pl.DataFrame(batch.quarantine, schema=_QUARANTINE_SCHEMA),
                ("segment", "record_offset"),
            )
        duplicates = len(existing) + batch.repeated_in_segment
        conn.execute(
            "INSERT INTO ops.webhook_segments_loaded VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                segment,
                batch.records,
                len(new_events),
                duplicates,
                len(batch.quarantine),
                size,
                datetime.now(UTC),
            ],
        )
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
    return new_events, duplicates, typed_counts


def _prepare(segment: str, data: bytes) -> _SegmentBatch:
    batch = _SegmentBatch()
    scan = scan_bytes(data)
    now = datetime.now(UTC)
    for offset, reason in scan.damaged:
        preview = data[offset : offset + 64].hex()
        batch.quarantine.append(
            {
                "segment": segment,
                "record_offset": offset,
                "event_key": None,
                "reason": f"damaged landing record: {reason}",
                "body": preview,
                "received_at": None,
                "quarantined_at": now,
            }
        )
    seen: set[str] = set()
    for offset, record in scan.records:
        batch.records += 1
        if record.key in seen:
            batch.repeated_in_segment += 1
            continue
        seen.add(record.key)
        received_at = datetime.fromtimestamp(record.received_at_ms / 1000.0, tz=UTC)
        try:
            event: NormalizedEvent = normalize_delivery(
                record.body,
                record.headers,
                record.received_at_ms,
                record.key,
                webhook_id=record.webhook_id,
                subscription_channels=record.channels,
            )
        except NormalizationError as exc:
            batch.quarantine.append(
                {
                    "segment": segment,
                    "record_offset": offset,
                    "event_key": record.key,
                    "reason": str(exc),
                    "body": record.body.decode("utf-8", "replace"),
                    "received_at": received_at,
                    "quarantined_at": now,
                }
            )
            continue
        batch.events.append(event.event_row(segment))
        if event.envelope.is_test:
            batch.test_keys.add(event.event_key)
            continue  # test events stay out of the typed (analytics) tables
        if event.typed_error is not None:
            batch.quarantine.append(
                {
                    "segment": segment,
                    "record_offset": offset,
                    "event_key": record.key,
                    "reason": f"{event.typed_table}: {event.typed_error}",
                    "body": event.payload_json,
                    "received_at": received_at,
                    "quarantined_at": now,
                }
            )
        elif event.typed_table is not None and event.typed_row is not None:
            batch.typed.setdefault(event.typed_table, []).append(event.typed_row)
    return batch


def _insert(
    conn: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame, key: tuple[str, ...]
) -> None:
    if df.height == 0:
        return
    # An anti-join on the key, not ON CONFLICT: DuckLake has no primary keys. `table` and `key`
    # come from this package's fixed table list, never from input.
    matches = " AND ".join(f"t.{column} = i.{column}" for column in key)
    with registered(conn, "incoming_rows", df):
        conn.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows AS i "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {matches})"
        )


def _count_existing(conn: duckdb.DuckDBPyConnection, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    incoming = pl.DataFrame({"event_key": keys}, schema={"event_key": pl.String})
    with registered(conn, "incoming_keys", incoming):
        rows = conn.execute(
            "SELECT k.event_key FROM incoming_keys k JOIN core.webhook_events e USING (event_key)"
        ).fetchall()
    return {r[0] for r in rows}


_QUARANTINE_SCHEMA = {
    "segment": pl.String(),
    "record_offset": pl.Int64(),
    "event_key": pl.String(),
    "reason": pl.String(),
    "body": pl.String(),
    "received_at": pl.Datetime("us", "UTC"),
    "quarantined_at": pl.Datetime("us", "UTC"),
}


def load_segment(
    conn: duckdb.DuckDBPyConnection, landing_dir: Path, segment: str, result: LoadResult
) -> bool:
    """Load one sealed segment in one transaction; False if it was already loaded."""
    return load_segment_bytes(conn, segment, (landing_dir / segment).read_bytes(), result)


def load_segment_bytes(
    conn: duckdb.DuckDBPyConnection, segment: str, data: bytes, result: LoadResult
) -> bool:
    """Load framed records (a segment's bytes, or a JetStream batch's messages joined) under the
    name ``segment`` in one transaction; False if that name was already loaded. Event keys
    already loaded are counted as duplicates, never inserted twice."""
    batch = _prepare(segment, data)
    # the transaction re-reads what is stored, so a re-run after a lost commit conflict inserts
    # exactly the events still missing (pipeline/warehouse/commits.py)
    stored = run_transaction(
        lambda: _store_segment(conn, segment, batch, len(data)), what=f"webhook segment {segment}"
    )
    if stored is None:
        return False
    new_events, duplicates, typed_counts = stored
    result.segments += 1
    result.records += batch.records
    result.inserted += len(new_events)
    result.duplicates += duplicates
    result.test_events += sum(1 for e in new_events if e["event_key"] in batch.test_keys)
    result.quarantined += len(batch.quarantine)
    times = [e["event_at"] or e["received_at"] for e in new_events]
    if times:
        result.first_event_at = min([*times, result.first_event_at or max(times)])
        result.last_event_at = max([*times, result.last_event_at or min(times)])
    result.errors += [f"{segment}@{q['record_offset']}: {q['reason']}" for q in batch.quarantine]
    for table, count in typed_counts.items():
        result.typed_inserted[table] = result.typed_inserted.get(table, 0) + count
    return True


def load_sealed_segments(
    landing_dir: str | Path,
    warehouse_path: Warehouse,
    *,
    conn: duckdb.DuckDBPyConnection | None = None,
    segments: Iterable[str] | None = None,
) -> LoadResult:
    """Load every sealed, not yet loaded segment (or just ``segments``), oldest first.

    Pass ``conn`` to reuse an open read-write connection (e.g. a Dagster DuckDB resource); it
    is then left open.
    """
    landing = Path(landing_dir)
    own = conn is None
    connection = connect(warehouse_path) if conn is None else conn
    result = LoadResult()
    try:
        done = loaded_segments(connection)
        names = list(segments) if segments is not None else sealed_segments(landing)
        for name in sorted(names):
            if name in done:
                continue
            load_segment(connection, landing, name, result)
    finally:
        if own:
            connection.close()
    if result.errors:
        log.warning("webhook load quarantined %d records", result.quarantined)
    return result


__all__ = [
    "POLARS_COLUMNS",
    "LoadResult",
    "load_sealed_segments",
    "load_segment",
    "load_segment_bytes",
    "pending_segments",
]
