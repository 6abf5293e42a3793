"""raw.api_responses: append-only storage of every response body of a poll, verbatim."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from pipeline.polars_frames import frame_from_columns
from pipeline.warehouse.frames import registered
from pipeline.warehouse.inserts import insert_counted
from pipeline.warehouse.sqlfiles import sql_text

_TS = pl.Datetime("us", "UTC")
RAW_COLUMNS: dict[str, Any] = {
    "endpoint": pl.String,
    "path": pl.String,
    "params_json": pl.String,
    "poll_at": _TS,
    "page": pl.Int32,
    "status": pl.Int32,
    "fetched_at": _TS,
    "headers_json": pl.String,
    "body_text": pl.String,
    "parse_error": pl.String,
    "ingested_at": _TS,
    "cadence_minutes": pl.Int16,
}


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
    cadence_minutes: int | None = None  # the cadence the poll was taken at


@dataclass(frozen=True)
class StoredBody:
    """A stored, parseable response read back from raw for core derivation."""

    endpoint: str
    params_json: str
    path: str
    page: int
    fetched_at: datetime
    body_text: str
    cadence_minutes: int | None = None


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
    columns: dict[str, list[Any]] = {name: [] for name in RAW_COLUMNS}
    for r in rows:
        for name in RAW_COLUMNS:
            columns[name].append(now if name == "ingested_at" else getattr(r, name))
    frame = frame_from_columns(columns, RAW_COLUMNS)
    polls = [r.poll_at for r in rows]
    with registered(conn, "raw_candidates", frame):
        inserted = insert_counted(
            conn,
            "raw.api_responses",
            sql_text("insert_raw_responses.sql"),
            {"first": min(polls), "last": max(polls)},
            ("endpoint", "poll_at"),
        )
    return Counter({(str(endpoint), poll): n for (endpoint, poll), n in inserted.items()})


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
            cadence_minutes=r[6],
        )
        for r in rows
    ]
