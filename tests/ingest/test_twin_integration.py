"""Endpoint jobs against a real twin on loopback (frozen clock, so every poll is exact)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline.cadence import poll_tick
from pipeline.client import ClientConfig, VeloraClient
from pipeline.config import Settings
from pipeline.harness.seed import seed_history
from pipeline.ingest import ENDPOINT_JOBS, IngestError, run_endpoint, run_endpoints
from pipeline.marts import refresh
from pipeline.schemas import SCHEMAS
from pipeline.twin.launcher import TwinHandle, running_twin
from pipeline.warehouse import connect, open_published
from pipeline.warehouse.tables import check_table

CREATORS = 300
BIG = 1_000_000_000
LIVE = [n for n, job in ENDPOINT_JOBS.items() if job.group == "live"]


@pytest.fixture(scope="module")
def twin() -> Iterator[TwinHandle]:
    with running_twin(
        clock="frozen", creators=CREATORS, rate_limit=BIG, subscriber_rate_limit=BIG
    ) as handle:
        yield handle


@pytest.fixture
def settings(twin: TwinHandle, tmp_path: Path) -> Settings:
    return Settings(
        api_base_url=twin.base_url,
        client_id="twin-client",
        client_secret="twin-secret",
        data_dir=tmp_path,
        warehouse_path=tmp_path / "warehouse.duckdb",
        top_n_tracked=3,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[VeloraClient]:
    config = ClientConfig.from_settings(
        settings, rate_ceiling_per_minute=BIG, burst=BIG, max_retries=0, page_size=20
    )
    with VeloraClient(config) as c:
        yield c


def next_poll(twin: TwinHandle) -> datetime:
    """Move the frozen twin to the next 5-minute tick and return it."""
    tick = poll_tick(twin.now(), 5) + timedelta(minutes=5)
    twin.advance_to(tick)
    return tick


def test_live_snapshot_matches_twin_truth_exactly_once_per_stream(
    twin: TwinHandle, client: VeloraClient, settings: Settings
) -> None:
    poll = next_poll(twin)
    truth = twin.truth_live()
    result = run_endpoint(
        "live_streams",
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=poll,
        settings=settings,
    )
    assert result.requests >= 2  # the whole directory, every page
    conn = connect(settings.warehouse_path)
    rows = conn.execute(
        "SELECT stream_id, user_id, viewer_count FROM core.stream_snapshots "
        "WHERE source = 'live' AND snapshot_at = ?",
        [poll],
    ).fetchall()
    expected = {(s["id"], s["userId"], s["viewerCount"]) for s in truth["streams"]}
    assert len(rows) == truth["count"] == len(expected)
    assert set(rows) == expected
    # ingest writes no mart: the marts are built from core afterwards (tests/marts)
    assert conn.execute("SELECT count(*) FROM marts.live_totals").fetchall() == [(0,)]
    again = run_endpoint(
        "live_streams",
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=poll,
        settings=settings,
    )
    assert (again.raw_rows, again.loaded) == (0, 0)
    assert again.duplicates >= result.requests
    assert conn.execute("SELECT count(*) FROM core.stream_snapshots").fetchone() == (len(rows),)
    conn.close()


@pytest.mark.parametrize("minutes", [1, 10], ids=["every-minute", "every-ten-minutes"])
def test_the_cadence_of_a_poll_is_stored_with_its_rows(
    twin: TwinHandle, client: VeloraClient, settings: Settings, minutes: int
) -> None:
    # Marts read the gap rule's cadence from the rows, never from today's settings.
    settings = replace(settings, live_cadence_minutes=minutes)
    poll = next_poll(twin)
    run_endpoint(
        "live_streams",
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=poll,
        settings=settings,
    )
    conn = connect(settings.warehouse_path)
    stored = {
        table: conn.execute(
            f"SELECT DISTINCT cadence_minutes FROM {table} WHERE {column} = ?",  # noqa: S608
            [poll],
        ).fetchall()
        for table, column in (
            ("raw.api_responses", "poll_at"),
            ("core.stream_snapshots", "snapshot_at"),
        )
    }
    conn.close()
    assert stored == {"raw.api_responses": [(minutes,)], "core.stream_snapshots": [(minutes,)]}


def test_every_endpoint_job_loads_valid_rows(
    twin: TwinHandle, client: VeloraClient, settings: Settings
) -> None:
    poll = next_poll(twin)
    results = run_endpoints(
        list(ENDPOINT_JOBS),
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=poll,
        settings=settings,
    )
    by_name = {r.endpoint: r for r in results}
    assert set(by_name) == set(ENDPOINT_JOBS)
    for name in (
        "live_streams",
        "top_streams",
        "categories",
        "teams",
        "channel_profiles",
        "tracked_channels",
    ):
        assert by_name[name].loaded > 0, name
    assert not any(r.quarantined or r.failures for r in results)
    conn = connect(settings.warehouse_path)
    for table in SCHEMAS:
        report = check_table(conn, table)
        assert report.passed, report.summary
    tracked = conn.execute("SELECT count(*), min(reason) FROM ops.tracked_channels").fetchone()
    assert tracked == (3, "top_n")
    conn.close()


def test_one_failing_channel_does_not_stop_the_others(
    twin: TwinHandle, client: VeloraClient, settings: Settings
) -> None:
    poll = next_poll(twin)
    settings = replace(settings, tracked_channels=("no_such_channel_zz",))
    run_endpoint(
        "live_streams",
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=poll,
        settings=settings,
    )
    result = run_endpoint(
        "channel_profiles",
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=poll,
        settings=settings,
    )
    assert result.loaded == 3
    assert len(result.failures) == 1 and "no_such_channel_zz" in result.failures[0]


def test_malformed_response_is_kept_raised_and_the_next_poll_recovers(
    twin: TwinHandle, client: VeloraClient, settings: Settings
) -> None:
    good = next_poll(twin)
    run_endpoint(
        "top_streams",
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=good,
        settings=settings,
    )
    bad = next_poll(twin)
    twin.set_faults(malformed_rate=1.0)
    try:
        with pytest.raises(IngestError, match="malformed") as caught:
            run_endpoint(
                "top_streams",
                client=client,
                warehouse_path=settings.warehouse_path,
                poll_at=bad,
                settings=settings,
            )
    finally:
        twin.clear_faults()
    assert caught.value.endpoint == "top_streams"
    assert caught.value.results[0].raw_rows == 1
    recovered = next_poll(twin)
    ok = run_endpoint(
        "top_streams",
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=recovered,
        settings=settings,
    )
    assert ok.loaded > 0
    conn = connect(settings.warehouse_path)
    kept = conn.execute(
        "SELECT parse_error IS NOT NULL, length(body_text) > 0 FROM raw.api_responses WHERE poll_at = ?",
        [bad],
    ).fetchall()
    assert kept == [(True, True)]
    per_poll = dict(
        conn.execute(
            "SELECT snapshot_at, count(*) FROM core.stream_snapshots GROUP BY 1"
        ).fetchall()
    )
    assert per_poll[good] > 0 and per_poll[recovered] > 0 and bad not in per_poll
    conn.close()


def _history(path: Path) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    rows = conn.execute(
        "SELECT source, snapshot_at, stream_id, viewer_count, position FROM core.stream_snapshots ORDER BY ALL"
    ).fetchall()
    conn.close()
    return rows


def test_short_seed_builds_history_deterministically(tmp_path: Path) -> None:
    now = datetime(2026, 1, 20, 12, 30, tzinfo=UTC)
    outputs = []
    for run in ("a", "b"):
        base = Settings(
            data_dir=tmp_path / run, warehouse_path=tmp_path / run / "w.duckdb", top_n_tracked=2
        )
        summary = seed_history(
            days=1 / 24, settings=base, names=LIVE + ["categories"], creators=CREATORS, now=now
        )
        # from the hour before now - 1 h (11:00) up to now itself, so schedules carry on from there
        assert summary.steps == 19 and summary.end == now and not summary.errors
        assert summary.published is not None
        outputs.append(_history(base.warehouse_path))
        reader = open_published(base.published_dir)
        assert reader.execute("SELECT count(*) FROM marts.live_totals").fetchone() == (19,)
        assert reader.execute(
            "SELECT count(DISTINCT snapshot_at) FROM core.category_snapshots"
        ).fetchone() == (2,)  # the hourly job's 11:00 and 12:00 ticks
        reader.close()
    assert outputs[0] == outputs[1] and len(outputs[0]) > 0


def test_batched_seed_polls_equal_one_poll_at_a_time(
    twin: TwinHandle, client: VeloraClient, settings: Settings, tmp_path: Path
) -> None:
    now = datetime(2026, 1, 20, 12, 30, tzinfo=UTC)
    seeded = Settings(data_dir=tmp_path / "seed", warehouse_path=tmp_path / "seed" / "w.duckdb")
    summary = seed_history(days=1 / 24, settings=seeded, names=LIVE, creators=CREATORS, now=now)
    assert summary.steps == 19 and not summary.errors
    tick = summary.start
    while tick <= summary.end:  # the same polls, one run_endpoints call each
        twin.advance_to(tick)
        run_endpoints(
            LIVE,
            client=client,
            warehouse_path=settings.warehouse_path,
            poll_at=tick,
            settings=settings,
        )
        tick += timedelta(minutes=5)
    # page size differs (20 vs 100) but rows, positions and totals must not
    assert _history(seeded.warehouse_path) == _history(settings.warehouse_path)
    with connect(settings.warehouse_path) as conn:  # the marts a seed builds at its end
        refresh(conn, summary.start.date(), summary.end.date(), today=summary.end.date())
    totals = "SELECT * FROM marts.live_totals ORDER BY 1"
    a, b = (
        duckdb.connect(str(p), read_only=True)
        for p in (seeded.warehouse_path, settings.warehouse_path)
    )
    assert a.execute(totals).fetchall() == b.execute(totals).fetchall()
    a.close()
    b.close()


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(list(ENDPOINT_JOBS), id="every-job-in-one-sweep"),
        # tracked_channels reads the live snapshot (a one-row SELECT) and then registers a frame
        # on the same connection: a half-read result used to fail with "unfinished result"
        pytest.param(["categories", "tracked_channels"], id="one-row-select-then-register"),
    ],
)
def test_one_sweep_runs_every_job_on_one_connection(
    twin: TwinHandle, client: VeloraClient, settings: Settings, names: list[str]
) -> None:
    poll_at = next_poll(twin)
    results = run_endpoints(
        names,
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=poll_at,
        settings=settings,
    )
    assert [r.endpoint for r in results] == names
    assert all(r.loaded > 0 for r in results if r.endpoint in ("categories", "live_streams"))


# wall-clock columns (and response headers, with their Date): two runs of one poll differ there
_WALL_CLOCK = {"fetched_at", "ingested_at", "quarantined_at", "updated_at"}


def _stored(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = duckdb.connect(str(path), read_only=True)
    tables = conn.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_schema IN ('raw', 'core', 'ops') AND table_name <> 'schema_migrations' "
        "ORDER BY 1"
    ).fetchall()
    stored: dict[str, list[tuple[object, ...]]] = {}
    for (table,) in tables:
        schema, name = table.split(".")
        columns = [
            c
            for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, name],
            ).fetchall()
            if c not in _WALL_CLOCK
            and not (table == "raw.api_responses" and c == "headers_json")
            and not (table == "ops.run_log" and c in ("started_at", "finished_at"))
        ]
        # names read from information_schema, not input
        quoted = ", ".join(f'"{c}"' for c in columns)
        query = f"SELECT {quoted} FROM {table}"  # noqa: S608
        stored[table] = sorted(conn.execute(query).fetchall(), key=repr)
    conn.close()
    return stored


def test_chunked_store_and_derive_stores_and_counts_as_one_pass(
    twin: TwinHandle,
    client: VeloraClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fan-out jobs are stored and derived a few responses at a time (``CHUNK_RESPONSES``):
    the results, the stored rows and a re-run's counts are those of a single pass."""
    from pipeline.ingest import runner

    chunk_counts: list[int] = []
    real = runner._store_and_derive_chunks

    def spy(conn: duckdb.DuckDBPyConnection, chunks: list[object], *args: object) -> object:
        chunk_counts.append(len(chunks))
        return real(conn, chunks, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_store_and_derive_chunks", spy)
    poll = next_poll(twin)
    runs: dict[str, tuple[list[object], list[object], dict[str, list[tuple[object, ...]]]]] = {}
    for label, chunk in (("one pass", BIG), ("chunked", 3)):
        monkeypatch.setattr(runner, "CHUNK_RESPONSES", chunk)
        path = tmp_path / f"{label}.duckdb"
        first = run_endpoints(
            list(ENDPOINT_JOBS),
            client=client,
            warehouse_path=path,
            poll_at=poll,
            settings=settings,
        )
        again = run_endpoints(
            list(ENDPOINT_JOBS),
            client=client,
            warehouse_path=path,
            poll_at=poll,
            settings=settings,
        )
        runs[label] = (list(first), list(again), _stored(path))
    # leaderboards and hourly were chunked (live has no fan-out job; re-runs take one pass)
    assert sum(n > 1 for n in chunk_counts) == 2
    assert runs["chunked"][0] == runs["one pass"][0]
    assert runs["chunked"][1] == runs["one pass"][1]
    assert runs["chunked"][2] == runs["one pass"][2]
    assert sum(r.raw_rows for r in runs["chunked"][1]) == 0  # type: ignore[attr-defined]


def test_a_failing_chunk_keeps_every_fetched_body(
    twin: TwinHandle, client: VeloraClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.ingest import runner

    poll = next_poll(twin)
    run_endpoints(
        LIVE, client=client, warehouse_path=settings.warehouse_path, poll_at=poll, settings=settings
    )
    monkeypatch.setattr(runner, "CHUNK_RESPONSES", 3)
    real = runner.derive_polls
    calls: list[int] = []

    def failing_second_chunk(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("derive failed")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "derive_polls", failing_second_chunk)
    with pytest.raises(RuntimeError, match="derive failed"):
        run_endpoints(
            ["teams"],
            client=client,
            warehouse_path=settings.warehouse_path,
            poll_at=poll,
            settings=settings,
        )
    monkeypatch.setattr(runner, "derive_polls", real)
    conn = connect(settings.warehouse_path)
    stored = conn.execute(
        "SELECT count(*) FROM raw.api_responses WHERE endpoint = 'teams' AND poll_at = ?", [poll]
    ).fetchone()
    conn.close()
    again = run_endpoint(
        "teams",
        client=client,
        warehouse_path=settings.warehouse_path,
        poll_at=poll,
        settings=settings,
    )
    assert stored == (again.requests,)  # every response of the failed run was kept
    assert again.raw_rows == 0
