"""Endpoint jobs against a real twin on loopback (frozen clock, so every poll is exact)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline.client import ClientConfig, VeloraClient
from pipeline.config import Settings
from pipeline.ingest import ENDPOINT_JOBS, IngestError, poll_tick, run_endpoint, run_endpoints
from pipeline.ingest.checks import validate_table
from pipeline.ingest.seed import seed_history
from pipeline.schemas import SCHEMAS
from pipeline.twin.testing import TwinHandle, running_twin
from pipeline.warehouse import connect, open_published

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
    totals = conn.execute("SELECT live_channels, total_viewers FROM marts.live_totals").fetchall()
    assert totals == [(truth["count"], truth["totalViewers"])]
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
        report = validate_table(conn, table)
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
