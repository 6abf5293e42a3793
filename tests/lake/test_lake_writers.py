"""Many writers on one DuckLake (issue 11 §1 "Many writers", §5 "Writers and readers").

1. A mart build that loses a commit conflict DuckLake does not retry (another build deleted from
   the same mart table) builds again and commits; with no attempts left it fails loudly.
2. Four writer processes at once (two ingest workers, the webhook loader, a mart build) with
   reader processes in a loop: every committed row is present exactly once, readers see no error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bench import lake_writers
from pipeline.marts import build
from pipeline.marts.registry import MARTS
from pipeline.twin.launcher import running_twin
from pipeline.warehouse import WarehouseConflictError, connect
from pipeline.warehouse import commits as commit_retries
from pipeline.warehouse.lake import LakeConfig

DAY = lake_writers.DAY.date()


@pytest.fixture(scope="module")
def prefetched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The twin's live and categories responses, fetched once for every test here."""
    scratch = tmp_path_factory.mktemp("prefetch")
    with running_twin(
        clock="frozen", start=lake_writers.DAY, creators=300, rate_limit=10**9
    ) as twin:
        return lake_writers.prefetch(twin.base_url, scratch)


@pytest.fixture
def live_lake(lake_config: LakeConfig, prefetched: Path, tmp_path: Path) -> LakeConfig:
    """A lake holding a few live polls of ``DAY``, so the live marts have rows to replace."""
    import pickle

    from pipeline.client import VeloraClient
    from pipeline.client.config import ClientConfig
    from pipeline.ingest.runner import run_endpoints

    outcomes = pickle.loads(prefetched.read_bytes())
    settings = lake_writers._settings(tmp_path)  # noqa: SLF001 - the workload's own settings
    conn = connect(lake_config)
    try:
        with VeloraClient(ClientConfig.from_settings(settings)) as client:
            for minute in range(3):
                run_endpoints(
                    list(lake_writers.LIVE_JOBS),
                    client=client,
                    warehouse_path=lake_config,
                    poll_at=lake_writers.DAY + timedelta(minutes=minute),
                    settings=settings,
                    conn=conn,
                    prefetched={n: outcomes[n] for n in lake_writers.LIVE_JOBS},
                )
    finally:
        conn.close()
    return lake_config


@pytest.fixture
def second_writer(live_lake: LakeConfig) -> Iterator[duckdb.DuckDBPyConnection]:
    """Another process's connection to the same lake (its own DuckDB instance)."""
    conn = connect(live_lake)
    yield conn
    conn.close()


def _build_interrupted_once(
    monkeypatch: pytest.MonkeyPatch, interloper: Callable[[], object]
) -> list[int]:
    """While the build under test is inside its transaction, ``interloper`` commits first (once)."""
    original = build.run_file
    interrupted: list[int] = []

    def run_file(conn: duckdb.DuckDBPyConnection, name: str, params: Any) -> Any:
        if not interrupted:
            interrupted.append(1)
            interloper()  # commits before the build under test reaches its COMMIT
        return original(conn, name, params)

    monkeypatch.setattr(build, "run_file", run_file)
    return interrupted


def _run_log(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT status, detail FROM ops.run_log WHERE kind = 'marts' ORDER BY finished_at"
    ).fetchall()


@pytest.mark.parametrize(
    "other_days",
    [
        pytest.param(0, id="same-day-replaced-by-another-build"),
        # DuckLake's conflict is per table: a build of ANOTHER day of the mart conflicts too
        pytest.param(1, id="other-day-of-the-same-mart"),
    ],
)
def test_a_build_that_loses_a_commit_conflict_builds_again(
    monkeypatch: pytest.MonkeyPatch,
    live_lake: LakeConfig,
    second_writer: duckdb.DuckDBPyConnection,
    other_days: int,
) -> None:
    mart = MARTS["live_totals"]
    other = DAY + timedelta(days=other_days)
    interrupted = _build_interrupted_once(
        monkeypatch, lambda: build.build_mart(second_writer, mart, other, other + timedelta(1))
    )
    conn = connect(live_lake)
    try:
        result = build.build_mart(conn, mart, DAY, DAY + timedelta(days=1))
        assert interrupted  # the conflict was really staged
        stored = conn.execute(
            "SELECT count(*), count(DISTINCT snapshot_at) FROM marts.live_totals "
            "WHERE snapshot_at >= $lo AND snapshot_at < $hi",
            {"lo": build._bound(DAY), "hi": build._bound(DAY + timedelta(days=1))},  # noqa: SLF001
        ).fetchall()[0]
        assert result.rows["marts.live_totals"] == stored[0] == stored[1] > 0  # each bucket once
        statuses = [status for status, _ in _run_log(conn)]
        assert statuses == ["ok", "ok"]  # the interloper's and ours; no "failed" for the re-run
    finally:
        conn.close()


def test_a_conflict_that_outlasts_the_attempts_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
    live_lake: LakeConfig,
    second_writer: duckdb.DuckDBPyConnection,
) -> None:
    monkeypatch.setattr(commit_retries, "ATTEMPTS", 1)
    mart = MARTS["live_totals"]
    _build_interrupted_once(
        monkeypatch, lambda: build.build_mart(second_writer, mart, DAY, DAY + timedelta(days=1))
    )
    conn = connect(live_lake)
    try:
        with pytest.raises(WarehouseConflictError, match="mart live_totals .* 1 times"):
            build.build_mart(conn, mart, DAY, DAY + timedelta(days=1))
        log = _run_log(conn)
        assert [status for status, _ in log] == ["ok", "failed"]
        assert "Transaction conflict" in log[1][1]  # DuckLake's reason is kept
    finally:
        conn.close()


def _stage_once(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, interloper: Any
) -> list[int]:
    """Before ``module.name`` first runs inside the write under test, ``interloper`` commits."""
    original = getattr(module, name)
    staged: list[int] = []

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not staged:
            staged.append(1)
            interloper()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)
    return staged


def test_two_loaders_of_one_segment_store_it_once(
    monkeypatch: pytest.MonkeyPatch, lake_config: LakeConfig, tmp_path: Path
) -> None:
    """Both loaders check the checkpoint and the event keys before either commits: without the
    claim both append every event (DuckLake sees two appends, no conflict)."""
    from pipeline.webhooks import loader
    from pipeline.webhooks.landing import sealed_segments

    landing = tmp_path / "landing"
    landed = lake_writers.land(landing, lake_writers.Work(segments=1, events_per_segment=20))
    [segment] = sealed_segments(landing)
    first, second = connect(lake_config), connect(lake_config)
    try:
        other = loader.LoadResult()
        staged = _stage_once(
            monkeypatch,
            loader,
            "_insert",
            lambda: loader.load_segment(second, landing, segment, other),
        )
        mine = loader.LoadResult()
        loaded = loader.load_segment(first, landing, segment, mine)
        assert staged and other.inserted == landed
        assert not loaded and mine.inserted == 0  # the re-run found the segment checkpointed
        counts = first.execute(
            "SELECT count(*), count(DISTINCT event_key) FROM core.webhook_events"
        ).fetchall()
        assert counts == [(landed, landed)]
    finally:
        first.close()
        second.close()


def test_two_runs_of_one_poll_store_it_once(
    monkeypatch: pytest.MonkeyPatch, lake_config: LakeConfig, prefetched: Path, tmp_path: Path
) -> None:
    """Two ingests of the same live poll at once (a schedule and a manual run): each anti-join
    sees none of the other's rows, so without the claim every snapshot is stored twice."""
    import pickle

    from pipeline.client import VeloraClient
    from pipeline.client.config import ClientConfig
    from pipeline.ingest import runner

    outcomes = pickle.loads(prefetched.read_bytes())
    jobs = list(lake_writers.LIVE_JOBS)
    settings = lake_writers._settings(tmp_path)  # noqa: SLF001
    first, second = connect(lake_config), connect(lake_config)
    try:
        with VeloraClient(ClientConfig.from_settings(settings)) as client:

            def ingest(conn: duckdb.DuckDBPyConnection) -> int:
                results = runner.run_endpoints(
                    jobs,
                    client=client,
                    warehouse_path=lake_config,
                    poll_at=lake_writers.DAY,
                    settings=settings,
                    conn=conn,
                    prefetched={n: outcomes[n] for n in jobs},
                )
                return sum(r.loaded for r in results)

            theirs: list[int] = []
            staged = _stage_once(
                monkeypatch, runner, "derive_polls", lambda: theirs.append(ingest(second))
            )
            mine = ingest(first)
        assert staged and theirs[0] > 0
        assert mine == 0  # the re-run found every snapshot stored
        counts = first.execute(
            "SELECT count(*), count(DISTINCT (snapshot_at, source, stream_id)) "
            "FROM core.stream_snapshots"
        ).fetchall()
        assert counts == [(theirs[0], theirs[0])]
    finally:
        first.close()
        second.close()


def test_four_writers_and_readers_commit_every_row_exactly_once(
    lake_config: LakeConfig, prefetched: Path, tmp_path: Path
) -> None:
    work = lake_writers.Work(polls=8, segments=8, events_per_segment=40, mart_rounds=2, readers=2)
    landed = lake_writers.land(tmp_path / "landing", work)
    report = lake_writers.run(
        lake_config, work, prefetched=prefetched, landing=tmp_path / "landing", scratch=tmp_path
    )
    assert set(report.writers) == set(lake_writers.FOUR)
    assert lake_writers.check(lake_config, report) == []
    assert report.writers["webhook-loader"].rows["core.webhook_events"] == landed
    for name, writer in report.writers.items():
        assert writer.commit_s, f"{name} committed nothing"
    reads = sum(r.reads for r in report.readers.values())
    assert reads > 0 and all(r.error_count == r.lock_errors == 0 for r in report.readers.values())
