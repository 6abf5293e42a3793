"""The vods job against a real twin: exact session ends without webhooks, one request a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from pipeline.config import Settings
from pipeline.harness.seed import seed_history
from pipeline.twin.world import World, WorldConfig

CREATORS = 200
SEED = 42  # seed_history's twin
NOW = datetime(2026, 1, 20, 6, 0, tzinfo=UTC)


def test_vods_end_sessions_exactly_and_are_asked_once_per_session(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, warehouse_path=tmp_path / "w.duckdb")
    summary = seed_history(
        days=0.25,
        settings=settings,
        names=["live_streams", "vods"],
        creators=CREATORS,
        now=NOW,
        publish=False,
    )
    assert not summary.errors
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    sessions = conn.execute(
        "SELECT stream_id, channel_id, started_at, ended_at, end_source FROM marts.stream_sessions"
    ).fetchall()
    asked = conn.execute(
        "SELECT lower(path), count(*) FROM raw.api_responses WHERE endpoint = 'vods' GROUP BY ALL"
    ).fetchall()
    conn.close()
    world = World(WorldConfig(seed=SEED, creators=CREATORS))
    ended = [s for s in sessions if s[4] != "ongoing"]
    by_vod = [s for s in ended if s[4] == "vod"]
    # every ended session but those whose VOD is not asked for yet (ended since the last
    # 15-minute vods tick) has its exact end from the VOD
    assert len(by_vod) >= len(ended) - 40 and len(by_vod) > 20
    for stream_id, channel, started, ended_at, _ in by_vod:
        truth = world.sessions_between(channel, started, started + timedelta(minutes=1))
        assert (started, ended_at) in truth, stream_id
    # one request per ended session: no channel is asked more often than it ended streams
    ended_per_channel: dict[str, int] = {}
    for _, channel, *_ in ended:
        ended_per_channel[channel] = ended_per_channel.get(channel, 0) + 1
    names = {c.id: c.username.lower() for c in world.creators}
    per_path = {path: n for path, n in asked}
    for channel, count in ended_per_channel.items():
        assert per_path.get(f"/api/streams/user/{names[channel]}/vods", 0) <= count
    assert sum(per_path.values()) <= len(ended)
