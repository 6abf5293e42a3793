"""``GET /api/developer/subscriptions`` (roster) and ``/count`` (changelog v1.2.0): the token
user's own channel, ``subscriptions:read``, page/perPage, totals equal the world's truth, and the
shared 120/min subscriber bucket."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from pipeline.twin.launcher import TwinHandle
from pipeline.twin.world import Subscriber, World
from tests.twin_server.conftest import START, assert_error_format, frozen_twin

ROSTER = "/api/developer/subscriptions"
COUNT = "/api/developer/subscriptions/count"
ROSTER_KEYS = {"userId", "username", "displayName", "tier", "isGift", "gifter", "expiresAt"}


@pytest.fixture(scope="module")
def subs_twin(world: World) -> Iterator[TwinHandle]:
    """No limits at all, so functional tests never meet the 120/min bucket."""
    with frozen_twin(world, subscriber_rate_limit=0) as handle:
        yield handle


@pytest.fixture(scope="module")
def channel(world: World) -> str:
    return sorted(world.authorized_creator_ids)[10]


@pytest.fixture(scope="module")
def truth(world: World, channel: str) -> list[Subscriber]:
    rows = world.subscribers(channel, START)
    assert len(rows) > 250, "need several pages of 100"
    return rows


def _get(twin: TwinHandle, path: str, token: str, **params: Any) -> Any:
    response = twin.client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_roster_walk_is_the_worlds_active_subscribers(
    subs_twin: TwinHandle, channel: str, truth: list[Subscriber]
) -> None:
    token = subs_twin.user_token(channel)
    rows: list[dict[str, Any]] = []
    for page in range(1, 100):
        body = _get(subs_twin, ROSTER, token, page=page, perPage=100)
        assert set(body) == {"subscriptions", "total", "page", "perPage"}
        assert (body["total"], body["page"], body["perPage"]) == (len(truth), page, 100)
        rows.extend(body["subscriptions"])
        if len(body["subscriptions"]) < 100:
            break
    assert [r["userId"] for r in rows] == [s.user.id for s in truth]
    beyond = _get(subs_twin, ROSTER, token, page=page + 1, perPage=100)
    assert beyond["subscriptions"] == [] and beyond["total"] == len(truth)


def test_roster_defaults_to_page_1_of_50(
    subs_twin: TwinHandle, channel: str, truth: list[Subscriber]
) -> None:
    body = _get(subs_twin, ROSTER, subs_twin.user_token(channel))
    assert (body["page"], body["perPage"], len(body["subscriptions"])) == (1, 50, 50)
    assert [r["userId"] for r in body["subscriptions"]] == [s.user.id for s in truth[:50]]


def test_roster_items_carry_the_documented_fields(
    subs_twin: TwinHandle, channel: str, truth: list[Subscriber]
) -> None:
    token = subs_twin.user_token(channel)
    by_id = {s.user.id: s for s in truth}
    rows = [
        r
        for p in (1, 2, 3)
        for r in _get(subs_twin, ROSTER, token, page=p, perPage=100)["subscriptions"]
    ]
    assert any(r["gifter"] for r in rows) and any(r["gifter"] is None for r in rows)
    for row in rows:
        assert set(row) == ROSTER_KEYS
        sub = by_id[row["userId"]]
        assert (row["username"], row["displayName"]) == (sub.user.username, sub.user.display_name)
        assert (row["tier"], row["isGift"]) == (sub.tier, sub.is_gift)
        expected_gifter = sub.gifter.id if sub.gifter else None
        assert (row["gifter"] or {}).get("userId") == expected_gifter
        expires = (sub.started_at + timedelta(days=30)).isoformat(timespec="milliseconds")
        assert row["expiresAt"] == expires.replace("+00:00", "Z"), "30 days after the subscribe"


def test_count_and_total_are_the_channels_truth(
    subs_twin: TwinHandle, world: World, channel: str, truth: list[Subscriber]
) -> None:
    token = subs_twin.user_token(channel)
    assert _get(subs_twin, COUNT, token) == {"count": len(truth)}
    other = sorted(world.authorized_creator_ids)[20]
    other_token = subs_twin.user_token(other)
    assert _get(subs_twin, COUNT, other_token)["count"] == len(world.subscribers(other, START))
    assert _get(subs_twin, ROSTER, other_token, perPage=1)["total"] != len(truth)


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-2"}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"perPage": "0"}, "perPage"),
        ({"perPage": "101"}, "perPage"),
        ({"perPage": "many"}, "perPage"),
    ],
    ids=[
        "page-zero-pages-are-1-based",
        "page-negative",
        "page-not-a-number",
        "page-not-whole",
        "perPage-zero",
        "perPage-over-100-is-an-error-not-clamped",
        "perPage-not-a-number",
    ],
)
def test_invalid_paging_is_400_with_details(
    subs_twin: TwinHandle, channel: str, params: dict[str, str], param: str
) -> None:
    response = subs_twin.client.get(
        ROSTER, params=params, headers={"Authorization": f"Bearer {subs_twin.user_token(channel)}"}
    )
    assert response.status_code == 400
    body = response.json()
    assert_error_format(body, "invalid_request")
    assert body["details"]["param"] == param and body["details"]["minimum"] == 1


def wait_for_fresh_window() -> None:
    left = 60 - time.time() % 60
    if left < 5:  # 121 requests take well under a second
        time.sleep(left + 0.05)


def test_all_subscriber_endpoints_share_one_120_per_minute_bucket(
    world: World, channel: str
) -> None:
    with frozen_twin(world) as twin:
        assert twin.config.subscriber_rate_limit == 120, "the documented default"
        user = {"Authorization": f"Bearer {twin.user_token(channel)}"}
        app = {"Authorization": f"Bearer {twin.token()}"}
        wait_for_fresh_window()
        statuses = [twin.client.get(COUNT, headers=user).status_code for _ in range(60)]
        statuses += [
            twin.client.get(ROSTER, params={"perPage": 1}, headers=user).status_code
            for _ in range(59)
        ]
        legacy = f"/api/subscriptions/creator/{channel}/subscribers"
        statuses.append(twin.client.get(legacy, params={"limit": 1}, headers=app).status_code)
        assert statuses == [200] * 120
        over = twin.client.get(ROSTER, headers=user)
        assert over.status_code == 429
        body = over.json()
        assert_error_format(body, "rate_limit_exceeded")
        assert int(over.headers["Retry-After"]) == body["retry_after"] >= 1
        assert over.headers["X-RateLimit-Limit"] == "120"
        assert twin.client.get(COUNT, headers=user).status_code == 429
        assert twin.client.get("/api/streams", headers=user).status_code == 200
