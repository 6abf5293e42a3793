"""The demo's seeding part on a small world: a frozen twin with the receiver subscribed before
the clock moves, a day of every group, the delivered webhooks loaded, the marts built.

Runs the real ``velora demo --no-serve`` code path (twin, receiver and seeder as processes on
free loopback ports, a real DuckDB file); nothing is left running afterwards. The loaded events
are counted against the twin's own ground truth (``/_twin/truth/events``) for the seeded window:
a delivery lost between the twin, the receiver's landing log and the loader shows up there.
"""

from __future__ import annotations

import argparse
import socket
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipeline.harness import demo
from pipeline.twin.launcher import running_twin


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
        channel_cadences = conn.execute(
            "SELECT DISTINCT cadence_minutes FROM core.leaderboard_entries "
            "UNION SELECT DISTINCT cadence_minutes FROM core.channel_profiles"
        ).fetchall()
        # The seed's first and last live poll: the clock's last advance delivered every event
        # before the last one; the catch-up to the present comes after the load.
        window = conn.execute(
            "SELECT min(poll_at), max(poll_at) FROM raw.api_responses "
            "WHERE endpoint = 'live_streams'"
        ).fetchone()
        assert window is not None
        loaded = dict(
            conn.execute(
                "SELECT canonical_type, count(DISTINCT event_key) FROM core.webhook_events "
                "WHERE NOT is_test AND event_at >= ? AND event_at < ? GROUP BY ALL",
                list(window),
            ).fetchall()
        )
    assert webhook_events and webhook_events[0] > 0, "delivered events were loaded"
    assert money and money[0] > 0, "monetization comes from the webhook events"
    assert channels and channels[0] > 0, "channel figures come from the live polls"
    assert cadences == [(60,)], "the seeded polls record the demo's coarser cadence"
    assert channel_cadences == [(1440,)], "so do the once-a-day per-channel polls"
    truth = _truth_events(args, *window)
    subscribed = demo.WEBHOOK_EVENTS.split(",")
    expected = {kind: truth[kind] for kind in subscribed if truth.get(kind)}
    assert sum(expected.values()) > 100, "the seeded day has events of the authorized channels"
    assert loaded == expected, "every event of the seeded window was delivered, landed and loaded"


def _truth_events(args: argparse.Namespace, start: datetime, end: datetime) -> dict[str, int]:
    """The twin's count per event type of the authorized channels (those webhooks cover)."""
    with running_twin(clock="frozen", start=end, seed=args.seed, creators=args.creators) as twin:
        response = twin.client.get(
            "/_twin/truth/events", params={"from": start.isoformat(), "to": end.isoformat()}
        )
        response.raise_for_status()
        return response.json()["authorizedTotals"]
