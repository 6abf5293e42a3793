"""openapi.json, same-seed determinism, clock controls and the CLI's busy-port error."""

from __future__ import annotations

import socket
import subprocess
import sys

from pipeline.twin.launcher import TwinHandle, running_twin
from pipeline.twin.world import World
from tests.twin_server.conftest import CREATORS, SEED, START

PUBLIC_PATHS = [
    "/api/streams/live",
    "/api/streams/top",
    "/api/categories",
    "/api/teams",
    "/api/badges/catalog",
    "/api/streams/growing",
]


def test_openapi_lists_the_served_paths(twin: TwinHandle) -> None:
    doc = twin.client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for path in [
        "/api/streams/live",
        "/api/users/{username}",
        "/api/subscriptions/creator/{creator_id}/subscribers",
        "/api/developer/oauth/token",
        "/api/developer/apps/{client_id}/webhooks",
    ]:
        assert path in doc["paths"], path
    admin = [p for p in doc["paths"] if p.startswith("/_twin")]
    assert admin and all(
        op["tags"] == ["twin-admin"] for p in admin for op in doc["paths"][p].values()
    )
    live = doc["paths"]["/api/streams/live"]["get"]["responses"]["200"]
    schema = live["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"streams", "pagination"}
    served = twin.client.get("/api/streams/live", params={"limit": 1}).json()["streams"][0]
    assert set(doc["components"]["schemas"]["Stream"]["properties"]) == set(served)


def test_same_seed_gives_the_same_responses(world: World) -> None:
    bodies = []
    for _ in range(2):
        with running_twin(
            seed=SEED, creators=CREATORS, clock="frozen", start=START, rate_limit=0
        ) as twin:
            user = twin.truth_live()["streams"][0]["username"]
            bodies.append(
                [twin.client.get(p).content for p in [*PUBLIC_PATHS, f"/api/users/{user}"]]
            )
    assert bodies[0] == bodies[1]
    with running_twin(
        seed=SEED + 1, creators=CREATORS, clock="frozen", start=START, rate_limit=0
    ) as twin:
        assert twin.client.get(PUBLIC_PATHS[0]).content != bodies[0][0]


def test_clock_modes_keep_time_continuous(world: World) -> None:
    with running_twin(world=world, clock="frozen", start=START, rate_limit=0) as twin:
        assert twin.clock()["now"] == "2026-01-15T20:00:00.000Z"
        assert twin.advance(90)["now"] == "2026-01-15T20:01:30.000Z"
        assert twin.advance_to("2026-01-15T21:00:00Z")["now"] == "2026-01-15T21:00:00.000Z"
        back = twin.client.post("/_twin/clock/advance", json={"to": "2026-01-15T20:00:00Z"})
        assert back.status_code == 400
        accelerated = twin.set_clock("accelerated", speed=1000)
        assert accelerated["mode"] == "accelerated" and accelerated["speed"] == 1000
        assert accelerated["now"] >= "2026-01-15T21:00:00.000Z"
        frozen = twin.set_clock("frozen")
        assert frozen["now"] > "2026-01-15T21:00:00.000Z"
        assert twin.clock()["now"] == frozen["now"]


def test_truth_viewers_and_events(twin: TwinHandle) -> None:
    channel = twin.truth_live()["streams"][0]["username"]
    viewers = twin.truth_viewers(channel, start="2026-01-15T19:00:00Z", end="2026-01-15T20:00:00Z")
    times = [p["at"] for p in viewers["points"]]
    assert 0 < len(times) <= 60 and times == sorted(times)  # live minutes only
    assert times[0] >= "2026-01-15T19:00:00.000Z" and times[-1] < "2026-01-15T20:00:00.000Z"
    totals = twin.truth_events(start="2026-01-15T19:00:00Z", end="2026-01-15T20:00:00Z")
    assert totals["totals"]["channel.follow"] >= totals["authorizedTotals"]["channel.follow"] > 0
    bad = twin.client.get("/_twin/truth/viewers", params={"channel": channel, "from": "nope"})
    assert bad.status_code == 400


def test_cli_busy_port_is_a_one_line_error_with_exit_2() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "twin", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "already in use" in lines[0]
    assert "Traceback" not in result.stderr


def test_stats_count_requests_by_endpoint(twin: TwinHandle) -> None:
    twin.reset_stats()
    twin.client.get("/api/streams/live")
    twin.client.get("/api/streams/live", params={"limit": 3})
    twin.client.get("/api/nope")
    stats = twin.stats()
    assert stats["endpoints"]["GET /api/streams/live"] == {"200": 2}
    assert stats["total"] == 3 and stats["served_429"] == 0
