"""``run_endpoint``: fetch -> store raw -> derive core (validate, quarantine, load) -> marts.

The same code serves Dagster assets, ``velora ingest --once`` and ``velora seed``. Everything
fetched is stored in raw *before* anything can fail on its content; a malformed response is
kept (raw + quarantine) and reported with :class:`IngestError` after the usable rows are loaded.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import duckdb

from pipeline.cadence import cadence_minutes
from pipeline.client import VeloraClient
from pipeline.client.errors import VeloraApiError, VeloraTransportError
from pipeline.client.responses import ApiResponse
from pipeline.config import Settings
from pipeline.ingest.derive import DeriveCounts, PollKey, derive_polls
from pipeline.ingest.fetch import FETCHERS, FetchContext, FetchOutcome
from pipeline.ingest.jobs import ENDPOINT_JOBS, GROUPS
from pipeline.ingest.results import IngestError, IngestResult
from pipeline.ingest.run_records import run_records
from pipeline.warehouse import Warehouse, connect
from pipeline.warehouse.commits import claim, rollback, run_transaction
from pipeline.warehouse.raw import (
    RawResponse,
    StoredBody,
    canonical_params,
    insert_raw_responses,
    json_parse_error,
    poll_has_responses,
)
from pipeline.warehouse.run_log import record_runs

log = logging.getLogger("pipeline.ingest")

# Store raw and derive at most this many responses at a time (one fan-out key's pages are never
# split). At 100,000 creators the hourly group fetches ~2,750 responses (~2,500 team-member
# pages); storing and deriving them at once held the Arrow copy of every body, DuckDB's
# transaction-local copy and all parsed bodies and candidate rows together: ~150 MB above the
# fetched responses. A chunk at a time the transient part is a fraction of that.
CHUNK_RESPONSES = 200
# ... and at most this much body text: a clip page (100 clips) is ~100x a team-member page, and
# the cold clip backfill alone is ~180 pages.
CHUNK_BODY_CHARS = 2_000_000
# Per-key jobs (client.fan_out) whose rows never share a grain across keys: each row's grain
# holds its key (creator, team, channel) or, for clips, a clip id listed under one channel only.
# Deriving them chunk by chunk (split between keys) loads and counts exactly what one pass does.
_FAN_OUT_JOBS = frozenset(
    {
        "volts_leaderboard",
        "gift_leaderboard",
        "points_leaderboard",
        "chat_stats",
        "clips",
        "vods",
        "teams",
        "channel_profiles",
    }
)
# Their transforms take bodies in (path, page) order; chunks follow that order so the repeat
# kept and the first malformed body reported are the ones a single pass would give. (The
# /api/teams listing sorts before /api/teams/{slug}/members.)
_PATH_ORDERED = frozenset({"clips", "vods", "teams", "channel_profiles"})


def _check_poll_at(poll_at: datetime) -> datetime:
    if not isinstance(poll_at, datetime) or poll_at.tzinfo is None:
        raise ValueError(f"poll_at must be a timezone-aware datetime, got {poll_at!r}")
    return poll_at.astimezone(UTC)


def raw_row(
    endpoint: str, response: ApiResponse, poll_at: datetime, settings: Settings
) -> RawResponse:
    """The stored form of one response, with the cadence its poll was taken at."""
    return RawResponse(
        endpoint=endpoint,
        path=response.path,
        params_json=canonical_params(response.path, response.params),
        poll_at=poll_at,
        page=response.page,
        status=response.status,
        fetched_at=response.fetched_at,
        headers_json=json.dumps(response.headers, sort_keys=True),
        body_text=response.body_text,
        parse_error=json_parse_error(response.body_text),
        cadence_minutes=cadence_minutes(ENDPOINT_JOBS[endpoint].group, settings),
    )


def run_endpoint(
    name: str,
    *,
    client: VeloraClient,
    warehouse_path: Warehouse,
    poll_at: datetime,
    settings: Settings,
    conn: duckdb.DuckDBPyConnection | None = None,
) -> IngestResult:
    """Run one endpoint job for the poll ``poll_at`` (the schedule tick); see module doc.

    ``conn`` lets a caller that already holds the warehouse (``velora seed``) reuse it;
    otherwise the warehouse is opened and closed here.
    """
    return run_endpoints(
        [name],
        client=client,
        warehouse_path=warehouse_path,
        poll_at=poll_at,
        settings=settings,
        conn=conn,
    )[0]


def run_endpoints(
    names: Sequence[str],
    *,
    client: VeloraClient,
    warehouse_path: Warehouse,
    poll_at: datetime,
    settings: Settings,
    conn: duckdb.DuckDBPyConnection | None = None,
    prefetched: Mapping[str, FetchOutcome] | None = None,
) -> list[IngestResult]:
    """Run several endpoint jobs for one poll, group by group (live first, so leaderboards and
    hourly jobs see this poll's live snapshot). Jobs feeding the same table are validated and
    loaded together (one Pandera pass, one insert). Results come back in ``names`` order.

    ``prefetched`` holds fetch outcomes already obtained for this poll (``velora seed`` fetches
    the next poll while the current one is written); those jobs are not fetched again.
    """
    unknown = [n for n in names if n not in ENDPOINT_JOBS]
    if unknown:
        raise ValueError(
            f"unknown endpoint job(s) {', '.join(unknown)}; known: {', '.join(ENDPOINT_JOBS)}"
        )
    poll_at = _check_poll_at(poll_at)
    started_at = datetime.now(UTC)
    own_conn = conn is None
    db = connect(warehouse_path) if conn is None else conn
    results: dict[str, IngestResult] = {}
    problems: list[tuple[str, str]] = []
    unreachable: list[bool] = []
    try:
        for group in GROUPS:
            batch = [n for n in names if ENDPOINT_JOBS[n].group == group]
            if not batch:
                continue
            fatal = _run_batch(
                batch, client, db, poll_at, settings, results, problems, prefetched or {}
            )
            if fatal is not None:
                unreachable.append(isinstance(fatal, VeloraTransportError))
                break  # the API is unusable: later groups would only fail the same way
        record_runs(
            db,
            run_records(
                names,
                results,
                problems,
                poll_at=poll_at,
                started_at=started_at,
                finished_at=datetime.now(UTC),
            ),
        )
    finally:
        if own_conn:
            db.close()
    ordered = tuple(results[n] for n in names if n in results)
    if problems:
        endpoint, _ = problems[0]
        message = "; ".join(text for _, text in problems)
        raise IngestError(message, endpoint=endpoint, results=ordered, unreachable=any(unreachable))
    return list(ordered)


def _store_and_derive(
    conn: duckdb.DuckDBPyConnection,
    rows: list[RawResponse],
    batch: Sequence[str],
    polls: Sequence[datetime],
    settings: Settings,
) -> tuple[Counter[tuple[str, datetime]], dict[PollKey, DeriveCounts]]:
    """Raw rows and their core rows in one transaction (one commit). If deriving fails, the
    transaction is rolled back and the raw rows are stored on their own before the error
    propagates: whatever happens, the fetched bodies are kept."""

    def transaction() -> tuple[Counter[tuple[str, datetime]], dict[PollKey, DeriveCounts]]:
        conn.execute("BEGIN TRANSACTION")
        try:
            _claim_groups(conn, batch)
            inserted = insert_raw_responses(conn, rows)
            # every response new: the stored rows are exactly these, no need to read them back
            fresh = _derivable(rows) if sum(inserted.values()) == len(rows) else None
            derived = derive_polls(
                conn, batch, polls, settings, own_transaction=False, stored_rows=fresh
            )
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
        return inserted, derived

    try:
        # anti-joins on the grain: a re-run after a lost commit conflict writes only what is
        # still missing (pipeline/warehouse/commits.py)
        return run_transaction(transaction, what=f"ingest of {', '.join(batch)}")
    except BaseException:
        _keep_raw(conn, rows)
        raise


def run_fetched_polls(
    polls: Sequence[tuple[datetime, Mapping[str, FetchOutcome]]],
    *,
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
) -> list[list[IngestResult]]:
    """Store and derive several polls whose live-group responses are already fetched, in one
    transaction: one raw insert, one Pandera pass and one insert per table, one commit.
    ``velora seed`` uses it for runs of consecutive live-only polls. Per-poll results come back
    in order; a poll with malformed responses raises :class:`IngestError` after all are stored.
    """
    if not polls:
        return []
    names = list(polls[0][1])
    if any(ENDPOINT_JOBS[n].group != "live" for n in names):
        raise ValueError("only live-group jobs can be batched across polls")
    if any(list(outcomes) != names for _, outcomes in polls):
        raise ValueError("every batched poll must run the same jobs")
    ticks = [_check_poll_at(tick) for tick, _ in polls]
    rows = [
        raw_row(n, r, tick, settings)
        for tick, (_, o) in zip(ticks, polls, strict=True)
        for n in names
        for r in o[n].responses
    ]
    inserted, derived = _store_and_derive(conn, rows, names, ticks, settings)
    all_results: list[list[IngestResult]] = []
    problems: list[tuple[str, str]] = []
    for tick, (_, outcomes) in zip(ticks, polls, strict=True):
        results: dict[str, IngestResult] = {}
        _report(names, outcomes, inserted, derived, tick, results, problems)
        all_results.append([results[n] for n in names])
    if problems:
        flat = tuple(r for rs in all_results for r in rs)
        raise IngestError("; ".join(t for _, t in problems), endpoint=problems[0][0], results=flat)
    return all_results


def _derivable(rows: Sequence[RawResponse]) -> dict[datetime, list[StoredBody]]:
    """Per poll, the rows ``select_raw_for_poll.sql`` would return: parseable 2xx responses."""
    by_poll: dict[datetime, list[StoredBody]] = {}
    for r in rows:
        if r.parse_error is None and 200 <= r.status <= 299:
            by_poll.setdefault(r.poll_at, []).append(
                StoredBody(
                    r.endpoint,
                    r.params_json,
                    r.path,
                    r.page,
                    r.fetched_at,
                    r.body_text or "",
                    r.cadence_minutes,
                )
            )
    return by_poll


def _run_batch(
    batch: Sequence[str],
    client: VeloraClient,
    conn: duckdb.DuckDBPyConnection,
    poll_at: datetime,
    settings: Settings,
    results: dict[str, IngestResult],
    problems: list[tuple[str, str]],
    prefetched: Mapping[str, FetchOutcome],
) -> VeloraApiError | None:
    """Fetch, store raw and derive one group's jobs; returns the fatal error, if any."""
    ctx = FetchContext(client=client, conn=conn, settings=settings, poll_at=poll_at)
    outcomes: dict[str, FetchOutcome] = {
        name: prefetched[name] if name in prefetched else FETCHERS[name](ctx) for name in batch
    }
    rows = [
        raw_row(name, r, poll_at, settings) for name, o in outcomes.items() for r in o.responses
    ]
    # A re-run of the poll (raw already holds some of it) derives everything stored for the
    # poll, as before: chunks of this fetch could miss responses only the earlier run stored.
    if len(rows) <= CHUNK_RESPONSES or poll_has_responses(conn, poll_at, batch):
        inserted, derived = _store_and_derive(conn, rows, batch, [poll_at], settings)
    else:
        inserted, derived = _store_and_derive_chunks(
            conn, _chunks(rows, batch), batch, poll_at, settings
        )
    return _report(batch, outcomes, inserted, derived, poll_at, results, problems)


def _chunks(
    rows: Sequence[RawResponse], batch: Sequence[str]
) -> list[tuple[list[str], list[RawResponse]]]:
    """``rows`` (one poll, none stored yet) as ``(jobs to derive, responses)`` chunks of about
    :data:`CHUNK_RESPONSES`. The first chunk derives every job of the batch with all responses
    of the jobs that are not fan-outs, so e.g. ``tracked_channels`` is derived before any
    profile of this poll is loaded, as in one pass. A key repeated in ``rows`` keeps its first
    response, as :func:`insert_raw_responses` would, so every chunk's responses are new."""
    unique: dict[tuple[str, str, int], RawResponse] = {}
    for row in rows:
        unique.setdefault((row.endpoint, row.params_json, row.page), row)
    first = [r for r in unique.values() if r.endpoint not in _FAN_OUT_JOBS]
    groups: list[list[RawResponse]] = []  # one fan-out key's pages each
    for name in batch:
        mine = [r for r in unique.values() if r.endpoint == name and name in _FAN_OUT_JOBS]
        if name in _PATH_ORDERED:
            mine.sort(key=lambda r: (r.path, r.page))
        for row in mine:
            if groups and groups[-1][0].endpoint == name and groups[-1][0].path == row.path:
                groups[-1].append(row)
            else:
                groups.append([row])
    chunks: list[tuple[list[str], list[RawResponse]]] = [(list(batch), first)]
    chars = _body_chars(first)
    for group in groups:
        names, current = chunks[-1]
        more = _body_chars(group)
        if current and (
            len(current) + len(group) > CHUNK_RESPONSES or chars + more > CHUNK_BODY_CHARS
        ):
            names, current, chars = [], [], 0
            chunks.append((names, current))
        if group[0].endpoint not in names:
            names.append(group[0].endpoint)
        current.extend(group)
        chars += more
    return chunks


def _body_chars(rows: Sequence[RawResponse]) -> int:
    return sum(len(r.body_text or "") for r in rows)


def _store_and_derive_chunks(
    conn: duckdb.DuckDBPyConnection,
    chunks: Sequence[tuple[list[str], list[RawResponse]]],
    batch: Sequence[str],
    poll_at: datetime,
    settings: Settings,
) -> tuple[Counter[tuple[str, datetime]], dict[PollKey, DeriveCounts]]:
    """:func:`_store_and_derive` a chunk at a time, one transaction (commit) per chunk: DuckDB
    keeps a transaction's new rows in memory until it commits, so one transaction for the
    group held every body again (hourly group at 100,000 creators: ~30 MB higher peak).
    Each chunk is idempotent like a whole poll. If deriving a chunk fails, it is rolled back
    and the raw rows of it and of every later chunk are stored before the error propagates:
    whatever happens, the fetched bodies are kept (a re-run then derives the poll from raw)."""
    inserted: Counter[tuple[str, datetime]] = Counter()
    derived = {(poll_at, name): DeriveCounts() for name in batch}
    for index, (names, rows) in enumerate(chunks):

        def transaction(
            names: list[str] = names, rows: list[RawResponse] = rows
        ) -> tuple[Counter[tuple[str, datetime]], dict[PollKey, DeriveCounts]]:
            conn.execute("BEGIN TRANSACTION")
            try:
                _claim_groups(conn, names or batch)
                new = insert_raw_responses(conn, rows)
                # Every row is new: chunking only runs when raw held nothing of this poll, keys
                # are deduplicated, and one writer polls a group (a re-run after a conflict
                # starts from the rolled-back state).
                stored = _derivable(rows).get(poll_at, [])
                counts = derive_polls(
                    conn,
                    names,
                    [poll_at],
                    settings,
                    own_transaction=False,
                    stored_rows={poll_at: stored},
                )
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise
            return new, counts

        try:
            new, counts = run_transaction(transaction, what=f"ingest of {', '.join(names)}")
        except BaseException:
            _keep_raw(conn, [r for _, rest in chunks[index:] for r in rest])
            raise
        inserted.update(new)
        for key, part in counts.items():
            total = derived[key]
            total.loaded += part.loaded
            total.duplicates += part.duplicates
            total.quarantined += part.quarantined
            total.malformed.extend(part.malformed)
    return inserted, derived


def _claim_groups(conn: duckdb.DuckDBPyConnection, jobs: Sequence[str]) -> None:
    """Two runs of one group's poll both append the same rows (the anti-join of each sees
    none of the other's): the claim makes the second commit conflict and re-run."""
    for group in sorted({ENDPOINT_JOBS[name].group for name in jobs}):
        claim(conn, f"ingest_{group}")


def _keep_raw(conn: duckdb.DuckDBPyConnection, rows: Sequence[RawResponse]) -> None:
    """After a failed store-and-derive, the fetched bodies on their own (the original error is
    what the caller raises); a re-run then derives the poll from raw."""
    try:
        run_transaction(lambda: insert_raw_responses(conn, rows), what="raw responses")
    except Exception:
        log.exception("could not keep the %d raw responses of a failed ingest", len(rows))


def _report(
    batch: Sequence[str],
    outcomes: Mapping[str, FetchOutcome],
    inserted: Counter[tuple[str, datetime]],
    derived: dict[PollKey, DeriveCounts],
    poll_at: datetime,
    results: dict[str, IngestResult],
    problems: list[tuple[str, str]],
) -> VeloraApiError | None:
    """Results of one poll's jobs; records problems; returns the fatal error, if any."""
    fatal: VeloraApiError | None = None
    for name in batch:
        outcome, counts = outcomes[name], derived[(poll_at, name)]
        requests = len(outcome.responses)
        new_raw = inserted.get((name, poll_at), 0)
        result = IngestResult(
            endpoint=name,
            poll_at=poll_at,
            requests=requests,
            raw_rows=new_raw,
            loaded=counts.loaded,
            duplicates=(requests - new_raw) + counts.duplicates,
            quarantined=counts.quarantined,
            failures=tuple(outcome.failures),
        )
        results[name] = result
        log.info("%s poll %s", result.summary(), poll_at.isoformat())
        for failure in outcome.failures:
            log.warning("%s: %s", name, failure)
        malformed = outcome.malformed + counts.malformed
        if malformed:
            problems.append(
                (name, f"{name}: malformed response kept in raw.api_responses ({malformed[0]})")
            )
        if outcome.fatal is not None:
            fatal = outcome.fatal
            problems.append((name, f"{name}: {outcome.fatal}"))
    return fatal
