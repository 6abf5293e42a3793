"""``velora seed``: history from a frozen-clock twin, stepped forward at the schedule's cadence.

At every step the endpoint jobs that are due run through the same :func:`run_endpoints` code the
schedules use; one warehouse connection is held for the whole run and one snapshot is published
at the end. With a frozen clock every response is a pure function of (seed, creators, time), so
a seed run is deterministic.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx

from pipeline import cadence
from pipeline.cadence import aligned_start
from pipeline.client import ClientConfig, VeloraClient
from pipeline.config import TWIN_CLIENT_ID, TWIN_CLIENT_SECRET, Settings
from pipeline.ingest.fetch import FETCHERS, FetchContext, FetchOutcome
from pipeline.ingest.jobs import ENDPOINT_JOBS, is_due
from pipeline.ingest.results import IngestError
from pipeline.ingest.runner import run_endpoints, run_fetched_polls
from pipeline.marts import refresh
from pipeline.warehouse import connect, publish_for_readers

log = logging.getLogger("pipeline.harness.seed")

UNLIMITED_RATE = 1_000_000_000  # the seeding twin is ours alone: no pacing needed
BATCH_POLLS = 6  # consecutive live-only polls written together (one commit, one Pandera pass)


class SeedError(Exception):
    """Seeding could not run (twin unreachable, clock not frozen, ...)."""


class TwinClock(Protocol):
    def now(self) -> datetime: ...
    def advance_to(self, when: datetime) -> Any: ...


class RemoteTwinClock:
    """Clock control of an already running twin through its admin API."""

    def __init__(self, base_url: str, *, webhooks_in_background: bool = False) -> None:
        # flushing waits for every queued delivery: minutes for a week of them on a slow disk
        self._http = httpx.Client(base_url=base_url, timeout=600.0)
        self.webhooks_in_background = webhooks_in_background

    def _doc(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise SeedError(f"twin admin call failed: {response.status_code} {response.text[:200]}")
        return response.json()

    def clock(self) -> dict[str, Any]:
        try:
            return self._doc(self._http.get("/_twin/clock"))
        except httpx.TransportError as exc:
            raise SeedError(
                f"cannot reach the twin at {self._http.base_url} ({exc}); is it running? "
                "start it with `velora twin serve --clock frozen`"
            ) from None

    def now(self) -> datetime:
        doc = self.clock()
        raw = str(doc.get("now") or doc.get("time") or doc.get("at"))
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)

    def advance_to(self, when: datetime) -> Any:
        body = {"to": when.isoformat(), "wait": not self.webhooks_in_background}
        return self._doc(self._http.post("/_twin/clock/advance", json=body))

    def settle_webhooks(self) -> None:
        """Return once every webhook due by the twin's current time has been delivered."""
        self._doc(self._http.post("/_twin/webhooks/flush"))

    def close(self) -> None:
        self._http.close()


@dataclass
class SeedSummary:
    start: datetime
    end: datetime
    steps: int = 0
    seconds: float = 0.0
    results: Counter[str] = field(default_factory=Counter)  # loaded rows per endpoint
    errors: list[str] = field(default_factory=list)
    published: Path | None = None
    step_seconds: list[float] = field(default_factory=list)  # wall time of each step's jobs
    publish_seconds: float = 0.0
    marts_seconds: float = 0.0
    webhook_events_loaded: int = 0  # new events loaded during the seed (``load_webhooks``)


def seed_ticks(start: datetime, end: datetime, cadence_minutes: int) -> list[datetime]:
    """Every cadence tick from ``start`` up to and including ``end``."""
    step = timedelta(minutes=cadence_minutes)
    count = int((end - start) / step) + 1
    return [start + step * i for i in range(max(count, 0))]


@contextlib.contextmanager
def _twin(
    base_url: str | None, start: datetime, seed: int, creators: int, webhooks_in_background: bool
) -> Iterator[tuple[str, TwinClock]]:
    if base_url:
        remote = RemoteTwinClock(base_url, webhooks_in_background=webhooks_in_background)
        try:
            doc = remote.clock()
            if doc.get("mode") not in (None, "frozen"):
                raise SeedError(
                    f"the twin at {base_url} runs a {doc.get('mode')} clock; seeding needs "
                    "`velora twin serve --clock frozen` (or omit --base-url)"
                )
            yield base_url.rstrip("/"), remote
        finally:
            remote.close()
        return
    from pipeline.twin.launcher import running_twin

    with running_twin(
        clock="frozen",
        start=start,
        seed=seed,
        creators=creators,
        rate_limit=UNLIMITED_RATE,
        subscriber_rate_limit=UNLIMITED_RATE,
    ) as handle:
        yield handle.base_url, handle


def seed_history(
    *,
    days: float,
    settings: Settings,
    names: Sequence[str],
    creators: int = 2000,
    seed: int = 42,
    cadence_minutes: int = 5,
    base_url: str | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    publish: bool = True,
    build_marts: bool = True,
    group_cadences: Mapping[str, int] | None = None,
    webhooks_in_background: bool = False,
    load_webhooks: bool = False,
) -> SeedSummary:
    """Seed ``days`` of history ending at ``now`` (default: the current time) into
    ``settings.warehouse``; builds the marts and publishes once at the end. See the module
    doc. ``group_cadences`` polls other groups (leaderboards, hourly) coarser than their schedule
    (each poll stores its cadence, so the marts read the samples right).
    ``webhooks_in_background`` (a running twin only): clock advances return before the twin has
    delivered their webhooks, so deliveries overlap the polls; the seed waits for the last of
    them before it returns.
    ``load_webhooks``: load the receiver's sealed landing segments (``settings.landing_dir``)
    while seeding, so only the last ones are left for ``velora webhooks load``."""
    if days <= 0:
        raise SeedError(f"--days must be positive, got {days:g}")
    say = progress or (lambda text: None)
    now = now or datetime.now(UTC)
    start = aligned_start(now, days)
    # History runs up to the present, so the live schedule carries on where seeding stopped.
    end = now
    settings = replace(settings, live_cadence_minutes=cadence_minutes)
    for name, minutes in (group_cadences or {}).items():
        settings = replace(settings, **{cadence.group(name).settings_field: minutes})
        cadence.cadence_minutes(name, settings)  # a multiple of the group's tick, or an error
    if webhooks_in_background and not base_url:
        raise SeedError("webhooks in the background need a running twin (--base-url)")
    with _twin(base_url, start, seed, creators, webhooks_in_background) as (url, clock):
        twin_now = clock.now()
        if base_url and twin_now > start:
            start = twin_now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            end = start + timedelta(days=days) - timedelta(minutes=cadence_minutes)
        ticks = seed_ticks(start, end, cadence_minutes)
        summary = SeedSummary(start=ticks[0], end=ticks[-1])
        settings = replace(
            settings,
            api_base_url=url,
            client_id=settings.client_id or TWIN_CLIENT_ID,
            client_secret=settings.client_secret or TWIN_CLIENT_SECRET,
        )
        config = ClientConfig.from_settings(
            settings, rate_ceiling_per_minute=UNLIMITED_RATE, burst=UNLIMITED_RATE
        )
        say(
            f"seeding {len(ticks)} polls every {cadence_minutes} min from {ticks[0]:%Y-%m-%d %H:%M} "
            f"to {ticks[-1]:%Y-%m-%d %H:%M} UTC ({', '.join(names)})"
        )
        began = time.perf_counter()
        conn = connect(settings.warehouse)
        # thousands of tiny per-poll statements: one DuckDB thread avoids hand-off overhead
        # (~7% less CPU per poll, measured); the connection is closed at the end of the seed
        conn.execute("SET threads = 1")
        try:
            loader = _WebhookLoader(conn, settings, summary) if load_webhooks else None
            with (
                VeloraClient(config) as client,
                ThreadPoolExecutor(1) as prefetcher,
                loader or contextlib.nullcontext(),
            ):
                stepper = _Stepper(client, conn, clock, settings, names, summary, prefetcher)
                report_every = max(1, len(ticks) // 50)
                for index, tick in enumerate(ticks, start=1):
                    following = ticks[index] if index < len(ticks) else None
                    step_began = time.perf_counter()
                    stepper.step(tick, following)
                    summary.step_seconds.append(time.perf_counter() - step_began)
                    summary.steps = index
                    if index % report_every == 0 or index == len(ticks):
                        say(_progress_line(summary, len(ticks), tick, began))
                stepper.flush()  # normally already empty: the last tick flushes
                if isinstance(clock, RemoteTwinClock) and clock.webhooks_in_background:
                    say("waiting for the twin to deliver the last webhooks")
                    clock.settle_webhooks()  # the loader loads what lands meanwhile
            if build_marts:  # the marts of every seeded day, as the marts sensor builds them
                marts_began = time.perf_counter()
                refresh(conn, ticks[0].date(), ticks[-1].date(), today=ticks[-1].date())
                summary.marts_seconds = time.perf_counter() - marts_began
            if publish:
                publish_began = time.perf_counter()
                summary.published = publish_for_readers(conn, settings.published_dir)
                summary.publish_seconds = time.perf_counter() - publish_began
        finally:
            conn.close()
        summary.seconds = time.perf_counter() - began
    return summary


class _WebhookLoader:
    """Loads sealed landing segments every few seconds while the seed runs, through the same
    idempotent, checkpointed loader as ``velora webhooks load``. It writes on its own cursor of
    the seed's connection (DuckDB allows one writing process, and the webhook tables are not the
    ones the polls write), so the CPU left idle while the twin delivers does the loading."""

    INTERVAL_SECONDS = 5.0

    def __init__(self, conn: Any, settings: Settings, summary: SeedSummary) -> None:
        self.cursor = conn.cursor()
        self.settings, self.summary = settings, summary
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="seed-webhook-loader", daemon=True)

    def __enter__(self) -> _WebhookLoader:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join()
        self.cursor.close()

    def _run(self) -> None:
        from pipeline.webhooks.loader import load_sealed_segments

        while not self.stopping.wait(self.INTERVAL_SECONDS):
            try:
                result = load_sealed_segments(
                    self.settings.landing_dir, self.settings.warehouse, conn=self.cursor
                )
                self.summary.webhook_events_loaded += result.inserted
            except Exception as exc:  # left for `velora webhooks load`, which retries it
                log.warning("loading landed webhooks during the seed: %s", exc)


class _Stepper:
    """Runs the due jobs of each tick.

    Ticks whose jobs are all live-group jobs are fetched (the next one on a background thread
    while the current ones are written) and written in batches of up to ``BATCH_POLLS`` polls:
    one transaction, one Pandera pass and one insert per table for the batch. A tick with other
    jobs first flushes the batch (its per-channel jobs need the live snapshots stored), then runs
    on its own. The twin is only advanced once every fetch of the current tick is done, so each
    response is still of its own tick.
    """

    def __init__(
        self,
        client: VeloraClient,
        conn: Any,
        clock: TwinClock,
        settings: Settings,
        names: Sequence[str],
        summary: SeedSummary,
        prefetcher: ThreadPoolExecutor,
    ) -> None:
        self.client, self.conn, self.clock = client, conn, clock
        self.settings, self.names, self.summary = settings, names, summary
        self.prefetcher = prefetcher
        self.pending: tuple[datetime, Future[dict[str, FetchOutcome]]] | None = None
        self.batch: list[tuple[datetime, dict[str, FetchOutcome]]] = []

    def _due(self, tick: datetime) -> list[str]:
        return [n for n in self.names if is_due(n, tick, self.settings)]

    def _live_only(self, tick: datetime | None) -> bool:
        due = self._due(tick) if tick is not None else []
        return bool(due) and all(ENDPOINT_JOBS[n].group == "live" for n in due)

    def _fetch_live(self, tick: datetime) -> dict[str, FetchOutcome]:
        if self.clock.now() < tick:
            self.clock.advance_to(tick)
        ctx = FetchContext(self.client, self.conn, self.settings, tick)  # live jobs: no DB use
        return {n: FETCHERS[n](ctx) for n in self._due(tick) if ENDPOINT_JOBS[n].group == "live"}

    def step(self, tick: datetime, following: datetime | None) -> None:
        if not self._live_only(tick):
            self.flush()
            if self.clock.now() < tick:
                self.clock.advance_to(tick)
            _run_step(self._due(tick), self.client, self.conn, tick, self.settings, self.summary)
            return
        if self.pending is not None and self.pending[0] == tick:
            outcomes = self.pending[1].result()
        else:
            outcomes = self._fetch_live(tick)
        self.pending = None
        if following is not None and self._live_only(following):
            self.pending = (following, self.prefetcher.submit(self._fetch_live, following))
        self.batch.append((tick, outcomes))
        if len(self.batch) >= BATCH_POLLS or not self._live_only(following):
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        try:
            per_poll = run_fetched_polls(batch, conn=self.conn, settings=self.settings)
            results = [r for rs in per_poll for r in rs]
        except IngestError as exc:
            results = list(exc.results)
            self.summary.errors.append(f"{batch[0][0].isoformat()}..: {exc}")
            log.warning("seed polls from %s: %s", batch[0][0].isoformat(), exc)
            if exc.unreachable or not results:
                raise
        for result in results:
            self.summary.results[result.endpoint] += result.loaded


def _run_step(
    due: Sequence[str],
    client: VeloraClient,
    conn: Any,
    tick: datetime,
    settings: Settings,
    summary: SeedSummary,
) -> None:
    if not due:
        return
    try:
        results = run_endpoints(
            due,
            client=client,
            warehouse_path=settings.warehouse,
            poll_at=tick,
            settings=settings,
            conn=conn,
        )
    except IngestError as exc:
        # kept in raw and reported; the next step carries on (the seed is a long batch)
        results = list(exc.results)
        summary.errors.append(f"{tick.isoformat()}: {exc}")
        log.warning("seed step %s: %s", tick.isoformat(), exc)
        if exc.unreachable or not results:
            raise
    for result in results:
        summary.results[result.endpoint] += result.loaded


def _progress_line(summary: SeedSummary, total: int, tick: datetime, began: float) -> str:
    elapsed = time.perf_counter() - began
    rows = sum(summary.results.values())
    filled = summary.steps * 30 // max(total, 1)
    return (
        f"  [{'#' * filled}{'.' * (30 - filled)}] {summary.steps}/{total} polls "
        f"(twin time {tick:%Y-%m-%d %H:%M}), {rows:,} rows loaded, {elapsed:.1f} s"
    )
