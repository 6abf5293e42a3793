"""raw.api_responses: append-only storage of every response body of a poll, verbatim."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.warehouse.sqlfiles import sql_text

_TS = pa.timestamp("us", tz="UTC")
RAW_ARROW_SCHEMA = pa.schema(
    [
        ("endpoint", pa.string()),
        ("path", pa.string()),
        ("params_json", pa.string()),
        ("poll_at", _TS),
        ("page", pa.int32()),
        ("status", pa.int32()),
        ("fetched_at", _TS),
        ("headers_json", pa.string()),
        ("body_text", pa.string()),
        ("parse_error", pa.string()),
        ("ingested_at", _TS),
    ]
)
# Arrow's default pool (mimalloc) reserves ~20-30 MB the first time it is used and keeps it;
# the system allocator returns a poll's buffers when freed (~15 MB less peak RSS, live at 100k).
ARROW_POOL = pa.system_memory_pool()


@dataclass(frozen=True)
class RawResponse:
    """One response as stored; ``parse_error`` is set when ``body_text`` is not valid JSON."""

    endpoint: str
    path: str
    params_json: str
    poll_at: datetime
    page: int
    status: int
    fetched_at: datetime
    headers_json: str | None
    body_text: str | None
    parse_error: str | None


@dataclass(frozen=True)
class StoredBody:
    """A stored, parseable response read back from raw for core derivation."""

    endpoint: str
    params_json: str
    path: str
    page: int
    fetched_at: datetime
    body_text: str


def canonical_params(path: str, params: Mapping[str, Any] | None) -> str:
    """The request identity as JSON: path plus query params, sorted, without the opaque cursor.

    The cursor is left out because a page number identifies the position within one poll and a
    cursor may differ between two runs of the same poll.
    """
    query = {k: v for k, v in (params or {}).items() if k != "cursor" and v is not None}
    return json.dumps({"path": path, "query": query}, sort_keys=True, default=str)


def json_parse_error(body_text: str | None) -> str | None:
    """Why ``body_text`` is not JSON, or None when it parses."""
    if body_text is None or body_text == "":
        return "empty body"
    try:
        json.loads(body_text)
    except ValueError as exc:
        return f"invalid JSON: {exc}"
    return None


def _unregister(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    # after a failed statement the transaction is aborted and unregister would raise, hiding
    # the original error; the view is scoped to this connection and replaced on the next use
    with contextlib.suppress(duckdb.TransactionException):
        conn.unregister(name)


def insert_raw_responses(
    conn: duckdb.DuckDBPyConnection, rows: Sequence[RawResponse]
) -> Counter[tuple[str, datetime]]:
    """Insert the responses of one or more polls in one statement; returns the new rows per
    ``(endpoint, poll_at)``. Responses whose key is already stored are skipped (the caller
    counts them as duplicates)."""
    unique: dict[tuple[str, str, datetime, int], RawResponse] = {}
    for row in rows:  # a key twice in one batch: the first response wins
        unique.setdefault((row.endpoint, row.params_json, row.poll_at, row.page), row)
    rows = list(unique.values())
    if not rows:
        return Counter()
    now = datetime.now(UTC)
    # an Arrow table (not polars): bodies are large strings and polars -> Arrow would copy them
    columns: dict[str, list[Any]] = {name: [] for name in RAW_ARROW_SCHEMA.names}
    for r in rows:
        for name in RAW_ARROW_SCHEMA.names:
            columns[name].append(now if name == "ingested_at" else getattr(r, name))
    frame = pa.Table.from_arrays(
        [pa.array(columns[f.name], type=f.type, memory_pool=ARROW_POOL) for f in RAW_ARROW_SCHEMA],
        schema=RAW_ARROW_SCHEMA,
    )
    polls = [r.poll_at for r in rows]
    conn.register("raw_candidates", frame)
    try:
        inserted = conn.execute(
            sql_text("insert_raw_responses.sql"), {"first": min(polls), "last": max(polls)}
        ).fetchall()
    finally:
        _unregister(conn, "raw_candidates")
    return Counter((str(row[0]), row[1]) for row in inserted)


def poll_has_responses(
    conn: duckdb.DuckDBPyConnection, poll_at: datetime, endpoints: Sequence[str]
) -> bool:
    """Whether raw already holds any response of ``endpoints`` for ``poll_at``."""
    # fetchall, not fetchone: a half-read result makes the next conn.register() fail
    rows = conn.execute(
        sql_text("poll_has_raw.sql"), {"poll_at": poll_at, "endpoints": list(endpoints)}
    ).fetchall()
    return bool(rows and rows[0][0])


def select_poll_bodies(
    conn: duckdb.DuckDBPyConnection, poll_at: datetime, endpoints: Sequence[str]
) -> list[StoredBody]:
    """The parseable 2xx responses stored for ``poll_at`` and ``endpoints``, in page order."""
    rows = conn.execute(
        sql_text("select_raw_for_poll.sql"), {"poll_at": poll_at, "endpoints": list(endpoints)}
    ).fetchall()
    return [
        StoredBody(
            endpoint=r[0],
            params_json=r[1],
            path=r[2],
            page=int(r[3]),
            fetched_at=r[4],
            body_text=r[5],
        )
        for r in rows
    ]
