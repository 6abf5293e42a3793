"""The demo's seeding part on a small world: a frozen twin with the receiver subscribed before
the clock moves, a day of every group, the delivered webhooks loaded, the marts built.

Runs the real ``velora demo --no-serve`` code path (twin, receiver and seeder as processes on
free loopback ports, a real DuckDB file); nothing is left running afterwards.
"""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

import duckdb
import pytest

from pipeline.harness import demo


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VELORA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VELORA_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("VELORA_API_BASE_URL", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("VELORA_WEBHOOK_PORT", str(_free_port()))
    return tmp_path


def test_the_demo_seed_captures_webhooks_and_builds_the_daily_marts(demo_env: Path) -> None:
    args = argparse.Namespace(
        days=1.0,
        creators=60,
        seed=42,
        cadence=60,
        channel_cadence=1440,
        no_seed=False,
        no_serve=True,
    )
    assert demo.run(args) == 0
    landed = list((demo_env / "landing").glob("*.seg"))
    assert landed, "the receiver landed the deliveries of the seeded day"
    with duckdb.connect(str(demo_env / "warehouse.duckdb"), read_only=True) as conn:
        webhook_events = conn.execute("SELECT count(*) FROM core.webhook_events").fetchone()
        money = conn.execute("SELECT count(*) FROM marts.monetization_daily").fetchone()
        channels = conn.execute("SELECT count(*) FROM marts.channel_daily").fetchone()
        cadences = conn.execute(
            "SELECT DISTINCT cadence_minutes FROM core.stream_snapshots"
        ).fetchall()
    assert webhook_events and webhook_events[0] > 0, "delivered events were loaded"
    assert money and money[0] > 0, "monetization comes from the webhook events"
    assert channels and channels[0] > 0, "channel figures come from the live polls"
    assert cadences == [(60,)], "the seeded polls record the demo's coarser cadence"
