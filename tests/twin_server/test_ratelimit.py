"""Rate limits: headers on every response, 429 + Retry-After past the limit, separate buckets."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from pipeline.twin.launcher import TwinHandle
from pipeline.twin.world import World
from tests.twin_server.conftest import assert_error_format, frozen_twin

LIMIT = 5


def wait_for_fresh_window() -> None:
    """Fixed 60 s wall-clock windows: avoid starting a burst right before a window ends."""
    left = 60 - time.time() % 60
    if left < 5:
        time.sleep(left + 0.05)


@pytest.fixture()
def limited(world: World) -> Iterator[TwinHandle]:
    with frozen_twin(world, rate_limit=LIMIT, subscriber_rate_limit=2) as twin:
        wait_for_fresh_window()
        yield twin


def test_headers_on_every_response_and_429_past_the_limit(limited: TwinHandle) -> None:
    paths = [
        "/api/streams/live",
        "/api/nowhere",
        "/api/streams/live?cursor=bad",
        "/api/users/me",
        "/api/streams/user/nobody_here_x",
    ]
    statuses = []
    for path in paths:
        response = limited.client.get(path)
        statuses.append(response.status_code)
        assert response.headers["X-RateLimit-Limit"] == str(LIMIT)
        assert int(response.headers["X-RateLimit-Reset"]) % 60 == 0
        assert int(response.headers["X-RateLimit-Reset"]) > time.time() - 1
    assert statuses == [200, 404, 400, 401, 404]
    remaining = int(limited.client.get("/api/teams").headers.get("X-RateLimit-Remaining", "-1"))
    assert remaining == 0 or remaining == LIMIT - 1  # 0, unless a new window just began
    over = limited.client.get("/api/streams/live")
    if remaining == 0:
        assert over.status_code == 429
        body = over.json()
        assert_error_format(body, "rate_limit_exceeded")
        retry = int(over.headers["Retry-After"])
        assert 1 <= retry <= 60 and body["retry_after"] == retry
        assert over.headers["X-RateLimit-Remaining"] == "0"
        assert limited.stats()["rate_limited_429"] >= 1


def test_admin_paths_are_not_limited(limited: TwinHandle) -> None:
    for _ in range(LIMIT * 3):
        assert limited.client.get("/_twin/clock").status_code == 200
    assert limited.client.get("/api/streams/live").status_code == 200


def test_tokens_are_limited_per_client_and_anonymous_per_address(limited: TwinHandle) -> None:
    token = limited.token()
    auth = {"Authorization": f"Bearer {token}"}
    anonymous = [limited.client.get("/api/teams").status_code for _ in range(LIMIT + 1)]
    assert anonymous[-1] == 429
    with_token = limited.client.get("/api/teams", headers=auth)
    assert with_token.status_code == 200, "the client's bucket is separate from the address's"


def test_subscriber_endpoint_has_its_own_limit(limited: TwinHandle) -> None:
    auth = {"Authorization": f"Bearer {limited.token()}"}
    creator = limited.world.authorized_creator_ids[0]
    path = f"/api/subscriptions/creator/{creator}/subscribers"
    responses = [limited.client.get(path, headers=auth) for _ in range(3)]
    assert [r.headers["X-RateLimit-Limit"] for r in responses] == ["2", "2", "2"]
    assert responses[2].status_code == 429
    assert limited.client.get("/api/streams/live", headers=auth).status_code == 200


def test_zero_disables_the_limit(twin: TwinHandle) -> None:
    statuses = {twin.client.get("/api/badges/catalog").status_code for _ in range(30)}
    assert statuses == {200}
