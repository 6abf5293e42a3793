"""Job selection, cadence ticks, and the `velora ingest` / `velora seed` command lines."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.cadence import poll_tick
from pipeline.cli import main
from pipeline.config import Settings
from pipeline.ingest import ENDPOINT_JOBS, is_due, select_jobs
from pipeline.twin.launcher import running_twin
from pipeline.warehouse import open_published


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        pytest.param(None, list(ENDPOINT_JOBS), id="default-all"),
        pytest.param("all", list(ENDPOINT_JOBS), id="all"),
        pytest.param(
            "live",
            ["live_streams", "top_streams", "growing_streams", "featured_streams"],
            id="group",
        ),
        pytest.param("clips, live_streams", ["clips", "live_streams"], id="names-with-spaces"),
        pytest.param(
            "live_streams,live",
            ["live_streams", "top_streams", "growing_streams", "featured_streams"],
            id="no-repeats",
        ),
    ],
)
def test_select_jobs(selection: str | None, expected: list[str]) -> None:
    assert select_jobs(selection) == expected


def test_select_jobs_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown endpoint or group 'livestreams'"):
        select_jobs("livestreams")


@pytest.mark.parametrize(
    ("name", "minute", "due"),
    [
        pytest.param("live_streams", 5, True, id="live-every-5"),
        pytest.param("volts_leaderboard", 5, False, id="leaderboards-not-at-5"),
        pytest.param("volts_leaderboard", 45, True, id="leaderboards-at-45"),
        pytest.param("clips", 45, False, id="hourly-not-at-45"),
        pytest.param("clips", 0, True, id="hourly-on-the-hour"),
    ],
)
def test_is_due(name: str, minute: int, due: bool) -> None:
    assert is_due(name, datetime(2026, 1, 15, 20, minute, tzinfo=UTC), Settings()) is due


def test_poll_tick_truncates_to_the_cadence() -> None:
    assert poll_tick(datetime(2026, 1, 15, 20, 7, 59, tzinfo=UTC), 5) == datetime(
        2026, 1, 15, 20, 5, tzinfo=UTC
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ingest_when_api_unreachable_says_how_to_start_the_twin(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VELORA_API_BASE_URL", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("VELORA_DATA_DIR", str(tmp_path))
    assert main(["ingest", "--once", "--select", "live"]) == 2
    assert "is the twin running? start it with `velora twin serve`" in capsys.readouterr().err


def test_ingest_rejects_an_unknown_selection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VELORA_DATA_DIR", str(tmp_path))
    assert main(["ingest", "--once", "--select", "nope"]) == 2
    assert "unknown endpoint or group 'nope'" in capsys.readouterr().err


def test_ingest_once_prints_counts_and_publishes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The twin's frozen clock stands at the poll ingest takes (now): a twin in January polled
    # "now" would make every stream appear live for eleven months.
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    with running_twin(clock="frozen", start=start, creators=200, rate_limit=1_000_000_000) as twin:
        monkeypatch.setenv("VELORA_API_BASE_URL", twin.base_url)
        monkeypatch.setenv("VELORA_CLIENT_ID", "twin-client")
        monkeypatch.setenv("VELORA_CLIENT_SECRET", "twin-secret")
        monkeypatch.setenv("VELORA_DATA_DIR", str(tmp_path))
        assert main(["ingest", "--once", "--select", "live,categories"]) == 0
    out = capsys.readouterr().out
    assert "live_streams:" in out and "categories:" in out and "published" in out
    reader = open_published(tmp_path / "published")
    rows = reader.execute(
        "SELECT count(*) FROM core.stream_snapshots WHERE source = 'live'"
    ).fetchone()
    runs = reader.execute(
        "SELECT name, status, rows_written > 0 FROM ops.run_log WHERE kind = 'ingest' ORDER BY name"
    ).fetchall()
    reader.close()
    assert rows is not None and rows[0] > 0
    # The run log the Data health page shows: one row per job of the poll, published with it.
    names = [name for name, _, _ in runs]
    assert names == sorted({"categories", "live_streams", *names})  # each job once
    assert all(status == "ok" for _, status, _ in runs)
    assert ("live_streams", "ok", True) in runs and ("categories", "ok", True) in runs


def test_seed_rejects_nonpositive_days(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VELORA_DATA_DIR", str(tmp_path))
    assert main(["seed", "--days", "0"]) == 2
    assert "--days must be positive" in capsys.readouterr().err
