"""Core derivation: the raw responses stored for one poll -> validated rows in core tables.

Works only from what ``raw.api_responses`` holds (never from in-memory responses), so a poll can
be re-derived at any time with the same result. Rows failing their Pandera schema go to
``core.quarantine``; rows already stored are skipped, so deriving a poll twice changes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import polars as pl

from pipeline.config import Settings
from pipeline.ingest.tracked import resolve_tracked
from pipeline.ingest.transforms import (
    Body,
    TransformResult,
    category_snapshot_rows,
    channel_profile_rows,
    chat_stats_rows,
    clip_rows,
    leaderboard_rows,
    stream_snapshot_rows,
    team_member_rows,
    team_rows,
    vod_rows,
)
from pipeline.ingest.transforms.values import pick, reject, unwrap
from pipeline.polars_frames import frame_from_rows
from pipeline.schemas import FRAME_SCHEMAS, SCHEMAS, SNAPSHOT_COLUMN, rows_as_json, split_valid
from pipeline.warehouse.core_load import (
    LoadCounts,
    QuarantineEntry,
    insert_quarantine,
    load_frame,
)
from pipeline.warehouse.raw import StoredBody, select_poll_bodies

log = logging.getLogger("pipeline.ingest")

ENDPOINT_COLUMN = "__endpoint"  # transient: which endpoint produced a candidate row
CADENCE_COLUMN = "cadence_minutes"

Transform = Callable[[Sequence[Body], datetime], TransformResult]


def _streams(source: str) -> Transform:
    return lambda bodies, poll_at: stream_snapshot_rows(source, bodies, poll_at)


def _board(board: str) -> Transform:
    return lambda bodies, poll_at: leaderboard_rows(board, bodies, poll_at)


# endpoint -> [(core table, transform, value of the table's RETURNING column for this endpoint)]
DERIVATIONS: dict[str, list[tuple[str, Transform, str | None]]] = {
    "live_streams": [("core.stream_snapshots", _streams("live"), "live")],
    "top_streams": [("core.stream_snapshots", _streams("top"), "top")],
    "growing_streams": [("core.stream_snapshots", _streams("growing"), "growing")],
    "featured_streams": [("core.stream_snapshots", _streams("featured"), "featured")],
    "volts_leaderboard": [("core.leaderboard_entries", _board("volts"), "volts")],
    "gift_leaderboard": [("core.leaderboard_entries", _board("gifts"), "gifts")],
    "points_leaderboard": [("core.leaderboard_entries", _board("points"), "points")],
    "chat_stats": [("core.chat_stats", chat_stats_rows, None)],
    "categories": [("core.category_snapshots", category_snapshot_rows, None)],
    "clips": [("core.clips", clip_rows, None)],
    "vods": [("core.vods", vod_rows, None)],
    "teams": [("core.teams", team_rows, None), ("core.team_members", team_member_rows, None)],
    "channel_profiles": [("core.channel_profiles", channel_profile_rows, None)],
}


@dataclass
class DeriveCounts:
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0
    malformed: list[str] = field(default_factory=list)


@dataclass
class _TableBatch:
    frames: list[pl.DataFrame] = field(default_factory=list)
    rejects: list[tuple[str, QuarantineEntry]] = field(default_factory=list)
    returning: dict[str, str] = field(default_factory=dict)  # RETURNING value -> endpoint


PollKey = tuple[datetime, str]  # (poll_at, endpoint)


def _bodies_by_endpoint(
    conn: duckdb.DuckDBPyConnection,
    poll_at: datetime,
    endpoints: Sequence[str],
    stored_rows: Sequence[StoredBody] | None,
) -> tuple[dict[str, list[Body]], dict[str, int | None]]:
    """The poll's parsed bodies per endpoint, and the cadence each endpoint was polled at."""
    grouped: dict[str, list[Body]] = defaultdict(list)
    cadences: dict[str, int | None] = {}
    if stored_rows is None:
        stored_rows = select_poll_bodies(conn, poll_at, endpoints)
    for stored in stored_rows:
        grouped[stored.endpoint].append(
            Body.from_stored(
                stored.path, stored.params_json, stored.page, stored.fetched_at, stored.body_text
            )
        )
        cadences.setdefault(stored.endpoint, stored.cadence_minutes)
    return grouped, cadences


def derive_poll(
    conn: duckdb.DuckDBPyConnection,
    endpoints: Sequence[str],
    poll_at: datetime,
    settings: Settings,
    *,
    own_transaction: bool = True,
    stored_rows: Sequence[StoredBody] | None = None,
) -> dict[str, DeriveCounts]:
    """Derive core rows of ``endpoints`` for ``poll_at`` in one transaction (its own, or the
    caller's when ``own_transaction`` is False).

    The input is what ``raw.api_responses`` holds for the poll: read back, or ``stored_rows``
    when the caller has just inserted exactly those rows in the same transaction (saves reading
    the bodies back)."""
    counts = derive_polls(
        conn,
        endpoints,
        [poll_at],
        settings,
        own_transaction=own_transaction,
        stored_rows=None if stored_rows is None else {poll_at: stored_rows},
    )
    return {name: counts[(poll_at, name)] for name in endpoints}


def derive_polls(
    conn: duckdb.DuckDBPyConnection,
    endpoints: Sequence[str],
    polls: Sequence[datetime],
    settings: Settings,
    *,
    own_transaction: bool = True,
    stored_rows: Mapping[datetime, Sequence[StoredBody]] | None = None,
) -> dict[PollKey, DeriveCounts]:
    """Like :func:`derive_poll` for several polls at once: one Pandera pass and one insert per
    table for all of them (``velora seed`` batches consecutive live polls this way).
    ``clips`` and ``tracked_channels`` depend on earlier polls, so they derive one poll at a time.
    """
    if len(polls) > 1 and {"clips", "tracked_channels"} & set(endpoints):
        raise ValueError("clips and tracked_channels are derived one poll at a time")
    counts = {(poll, name): DeriveCounts() for poll in polls for name in endpoints}
    batches: dict[str, _TableBatch] = defaultdict(_TableBatch)
    for poll in polls:
        rows = None if stored_rows is None else stored_rows.get(poll, [])
        _transform_poll(conn, endpoints, poll, settings, rows, batches, counts)
    if own_transaction:
        conn.execute("BEGIN TRANSACTION")
    try:
        for table, batch in batches.items():
            _load_table(conn, table, batch, counts, min(polls), max(polls))
        if own_transaction:
            conn.execute("COMMIT")
    except BaseException:
        if own_transaction:
            conn.execute("ROLLBACK")
        raise
    return counts


def _transform_poll(
    conn: duckdb.DuckDBPyConnection,
    endpoints: Sequence[str],
    poll: datetime,
    settings: Settings,
    stored_rows: Sequence[StoredBody] | None,
    batches: dict[str, _TableBatch],
    counts: dict[PollKey, DeriveCounts],
) -> None:
    """Candidate rows of one poll into ``batches``.
    A function of its own so the parsed bodies are freed before validation and load (at
    100,000 creators they are ~20 MB of dicts)."""
    bodies, cadences = _bodies_by_endpoint(conn, poll, endpoints, stored_rows)
    for name in endpoints:
        polled = _Polled(name, poll, cadences.get(name))
        if name == "tracked_channels":
            result = tracked_channel_rows(conn, settings, poll, bodies.get(name, []))
            table = "ops.tracked_channels"
            _collect(batches[table], counts[(poll, name)], polled, table, result, None)
            continue
        for table, transform, returning in DERIVATIONS[name]:
            result = transform(bodies.get(name, []), poll)
            _collect(batches[table], counts[(poll, name)], polled, table, result, returning)


@dataclass(frozen=True)
class _Polled:
    """Which endpoint's poll a set of candidate rows came from, and the cadence it ran at."""

    endpoint: str
    poll: datetime
    cadence_minutes: int | None


def _collect(
    batch: _TableBatch,
    counts: DeriveCounts,
    polled: _Polled,
    table: str,
    result: TransformResult,
    returning: str | None,
) -> None:
    endpoint = polled.endpoint
    counts.duplicates += result.duplicates
    for item in result.rejects:
        batch.rejects.append((endpoint, QuarantineEntry(item.reason, item.row_json, polled.poll)))
        if item.whole_body:
            counts.malformed.append(f"{endpoint}: {item.reason}")
    if result.rows:
        columns = FRAME_SCHEMAS[table]
        if CADENCE_COLUMN in columns:  # snapshot tables carry the cadence of their poll
            for row in result.rows:
                row[CADENCE_COLUMN] = polled.cadence_minutes
        frame = frame_from_rows(result.rows, columns)
        batch.frames.append(frame.with_columns(pl.lit(endpoint).alias(ENDPOINT_COLUMN)))
    if returning is not None:
        batch.returning[returning] = endpoint


def _load_table(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    batch: _TableBatch,
    counts: dict[PollKey, DeriveCounts],
    first: datetime,
    last: datetime,
) -> None:
    quarantine: list[tuple[str, QuarantineEntry]] = list(batch.rejects)
    poll_column = SNAPSHOT_COLUMN[table]
    if batch.frames:
        frame = pl.concat(batch.frames, how="vertical", rechunk=True)
        split = split_valid(SCHEMAS[table], frame)
        if split.invalid.height:
            endpoints = split.invalid.get_column(ENDPOINT_COLUMN).to_list()
            polls = split.invalid.get_column(poll_column).to_list()
            rows = rows_as_json(split.invalid.drop(ENDPOINT_COLUMN))
            for endpoint, poll, reason, row_json in zip(
                endpoints, polls, split.reasons, rows, strict=True
            ):
                quarantine.append((endpoint, QuarantineEntry(reason, row_json, poll)))
            log.warning(
                "%s: %d rows quarantined (polls %s..%s)", table, split.invalid.height, first, last
            )
        valid = split.valid
        offered: Counter[PollKey] = Counter(
            zip(
                valid.get_column(poll_column).to_list(),
                valid.get_column(ENDPOINT_COLUMN).to_list(),
                strict=True,
            )
        )
        written = load_frame(conn, table, valid.drop(ENDPOINT_COLUMN), first, last)
        loaded = _loaded_by_poll(written, batch.returning, offered)
        for key, n in offered.items():
            counts[key].loaded += loaded.get(key, 0)
            # offered but not written: the grain is already stored (a re-run of the poll)
            counts[key].duplicates += max(0, n - loaded.get(key, 0))
    if quarantine:
        insert_quarantine(conn, table, [q for _, q in quarantine])
        for endpoint, entry in quarantine:
            counts[(entry.poll_at, endpoint)].quarantined += 1


def _loaded_by_poll(
    written: LoadCounts, returning: dict[str, str], offered: Counter[PollKey]
) -> Counter[PollKey]:
    if returning:  # a table fed by several endpoints counts per RETURNING value
        return Counter(
            {(poll, returning[k]): v for (k, poll), v in written.items() if k in returning}
        )
    # one endpoint feeds this table in this batch
    endpoint = next((e for _, e in offered), None)
    if endpoint is None:
        return Counter()
    return Counter({(poll, endpoint): v for (_, poll), v in written.items()})


def tracked_channel_rows(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    poll_at: datetime,
    profile_bodies: Sequence[Body],
) -> TransformResult:
    """ops.tracked_channels rows: the tracked set at ``poll_at``; user ids of configured channels
    that are not live come from the profiles fetched in this poll."""
    ids: dict[str, str] = {}
    for body in profile_bodies:
        user = unwrap(body.data, "user")
        if isinstance(user, dict):
            name, uid = pick(user, "username"), pick(user, "id", "userId")
            if isinstance(name, str) and isinstance(uid, (str, int)) and not isinstance(uid, bool):
                ids[name.lower()] = str(uid)
    result = TransformResult()
    for channel in resolve_tracked(conn, settings, poll_at):
        user_id = channel.user_id or ids.get(channel.username.lower())
        row = {
            "snapshot_at": poll_at,
            "user_id": user_id,
            "username": channel.username,
            "reason": channel.reason,
            "viewer_rank": channel.viewer_rank,
        }
        if user_id is None:
            result.rejects.append(
                reject("user id unknown: the channel's profile could not be fetched", row)
            )
            continue
        result.rows.append(row)
    return result
