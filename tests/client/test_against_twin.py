"""Integration: the client against a real twin on a free loopback port.

The client never imports the twin; only these tests do (to start it and read its truth/stats).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.client import ClientConfig, Forbidden, NotFound, VeloraAuthError, VeloraClient

twin_launcher = pytest.importorskip("pipeline.twin.launcher")

CREDENTIALS = {"client_id": "twin-client", "client_secret": "twin-secret"}


class OffsetClock:
    """Wall clock that tests can push forward (token expiry) without really waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@pytest.fixture(scope="module")
def twin() -> Iterator[Any]:
    with twin_launcher.running_twin(
        clock="frozen", creators=2000, seed=7, allow_http_webhooks=True
    ) as handle:
        yield handle


@pytest.fixture(autouse=True)
def clean_twin(twin) -> Iterator[None]:
    twin.clear_faults()
    twin.reset_stats()
    yield
    twin.clear_faults()


def client_for(twin, **overrides: Any) -> VeloraClient:
    config = {
        "base_url": twin.base_url,
        **CREDENTIALS,
        "backoff_base": 0.02,
        "backoff_cap": 0.2,
        **overrides,
    }
    clock = config.pop("clock", None)
    return VeloraClient(ClientConfig(**config), clock=clock)


def truth_ids(twin) -> list[str]:
    return [s["id"] for s in twin.truth_live()["streams"]]


def test_complete_live_walk_equals_truth(twin) -> None:
    truth = twin.truth_live()
    with client_for(twin) as client:
        result = client.live_streams()
    assert [s.stream_id for s in result.items] == [s["id"] for s in truth["streams"]]
    assert sum(s.viewer_count or 0 for s in result.items) == truth["totalViewers"]
    assert result.duplicates_removed == 0
    pages = -(-truth["count"] // 100)
    assert len(result.responses) == pages
    assert client.stats.requests_by_endpoint["/api/streams/live"] == pages  # the minimum


def test_live_walk_equals_truth_with_faults_on(twin) -> None:
    twin.set_faults(
        error_rate=0.15, timeout_rate=0.05, malformed_rate=0.1, timeout_delay=1.0, seed=3
    )
    expected = truth_ids(twin)  # admin routes are not faulted
    with client_for(twin, timeout=0.4, max_retries=8) as client:
        walks = [client.live_streams() for _ in range(10)]
    for walk in walks:
        assert [s.stream_id for s in walk.items] == expected
    injected = twin.client.get("/_twin/faults").json()["injected"]
    assert (
        injected.get("error", 0) > 0
        and injected.get("timeout", 0) > 0
        and injected.get("malformed", 0) > 0
    )
    assert client.stats.retries >= sum(injected.values())  # every fault cost exactly one retry


def test_429_storm_is_waited_out(twin) -> None:
    twin.set_faults(storm_seconds=1.5)  # a storm starts now
    with client_for(twin) as client:
        result = client.live_streams()
    assert [s.stream_id for s in result.items] == truth_ids(twin)
    assert client.stats.rate_limited >= 1 and twin.stats()["storm_429"] >= 1


def test_no_429_at_default_pacing_for_a_realistic_poll(twin) -> None:
    with client_for(twin) as client:
        live = client.live_streams()
        client.top_streams()
        client.growing_streams()
        client.featured_streams()
        client.categories()
        channels = [s.user_id for s in live.items[:8] if s.user_id]
        for call in (
            client.chat_stats,
            client.volts_leaderboard,
            client.gift_leaderboard,
            client.points_leaderboard,
        ):
            outcome = client.fan_out(call, channels)
            assert outcome.ok, outcome.errors
    stats = twin.stats()
    assert stats["served_429"] == 0 and client.stats.rate_limited == 0
    assert stats["total"] == client.stats.requests  # every request we counted reached the twin


def test_token_refreshed_before_expiry(twin) -> None:
    clock = OffsetClock()
    with client_for(twin, clock=clock) as client:
        client.live_streams()
        clock.offset += 3600 * 0.95  # past 90% of the token's lifetime
        twin.advance(3600 * 0.95)
        client.featured_streams()
        assert client.stats.token_fetches == 2 and client.stats.reauths == 0
    assert twin.stats()["by_status"].get("401", 0) == 0


def test_401_reauthenticates_once(twin) -> None:
    with client_for(twin) as client:
        client.list_webhooks()  # private: needs a valid token
        assert twin.expire_tokens() >= 1
        client.list_webhooks()
        assert client.stats.reauths == 1 and client.stats.token_fetches == 2
    assert twin.stats()["by_status"].get("401") == 1


def test_bad_credentials_and_rejected_fixed_token(twin) -> None:
    with (
        client_for(twin, client_secret="wrong") as client,
        pytest.raises(VeloraAuthError, match="token request rejected"),
    ):
        client.live_streams()
    with (
        VeloraClient(
            ClientConfig(
                base_url=twin.base_url, client_id="twin-client", access_token="not-a-token"
            )
        ) as client,
        pytest.raises(VeloraAuthError),
    ):
        client.list_webhooks()


def test_fan_out_keeps_other_channels_when_one_is_missing(twin) -> None:
    with client_for(twin) as client:
        names = [s.username for s in client.live_streams(max_pages=1).items[:3] if s.username]
        outcome = client.fan_out(client.user_profile, [*names, "no-such-channel-zz"])
    assert list(outcome.results) == names
    assert isinstance(outcome.errors["no-such-channel-zz"], NotFound)
    assert outcome.errors["no-such-channel-zz"].code == "not_found"


def test_webhook_management_round_trip(twin) -> None:
    with client_for(twin) as client:
        created = client.create_webhook("http://127.0.0.1:9/hook", ["stream.online"])
        assert created["secret"] and created["status"] == "active"
        assert created["id"] in [h["id"] for h in client.list_webhooks()]
        rotated = client.rotate_webhook_secret(created["id"])
        assert rotated["secret"] and rotated["secret"] != created["secret"]
        client.delete_webhook(created["id"])
        assert created["id"] not in [h["id"] for h in client.list_webhooks()]


def test_every_typed_call_parses_the_twin_without_warnings(twin) -> None:
    with client_for(twin) as client:
        live = client.live_streams()
        first = live.items[0]
        assert first.user_id and first.username and first.started_at and first.category_slug
        results: dict[str, Any] = {
            "top": client.top_streams(),
            "growing": client.growing_streams(),
            "featured": client.featured_streams(),
            "categories": client.categories(),
            "clips": client.clips(first.username),
            "volts": client.volts_leaderboard(first.user_id),
            "gifts": client.gift_leaderboard(first.user_id),
            "points": client.points_leaderboard(first.user_id),
            "teams": client.teams(),
            "followers": client.followers(first.user_id, max_pages=1),
            "subscribers": client.subscribers(first.user_id, max_pages=1),
        }
        slug = results["teams"].items[0].slug
        results["members"] = client.team_members(slug)
        objects = {
            "team": client.team(slug),
            "profile": client.user_profile(first.username),
            "channel": client.stream_by_username(first.username),
            "chat": client.chat_stats(first.user_id),
        }
    for name, result in {**results, **objects}.items():
        assert result.warnings == [], (name, result.warnings[:3])
    assert results["growing"].items[0].viewer_growth is not None
    assert all(e.value is not None and e.user_id for e in results["volts"].items)
    assert (
        objects["channel"].item.is_live
        and objects["channel"].item.stream.stream_id == first.stream_id
    )
    assert objects["profile"].item.user_id == first.user_id
    assert objects["team"].item.slug == slug
    assert results["followers"].total is not None


def _channel_with_a_few_pages_of_subscribers(twin) -> tuple[str, int]:
    """An authorized creator with 150-600 subscribers: several pages, few seconds of pacing."""
    for creator_id in sorted(twin.world.authorized_creator_ids):
        active = len(twin.world.subscribers(creator_id, twin.now()))
        if 150 <= active <= 600:
            return creator_id, active
    raise AssertionError("no authorized creator with 150-600 subscribers")


def test_subscription_roster_and_count_equal_the_twins_truth(twin) -> None:
    channel, active = _channel_with_a_few_pages_of_subscribers(twin)
    truth = twin.world.subscribers(channel, twin.now())
    with VeloraClient(
        ClientConfig(base_url=twin.base_url, access_token=twin.user_token(channel))
    ) as client:
        roster = client.subscription_roster()
        count = client.subscription_count()
        small_pages = client.subscription_roster(per_page=40, max_pages=2)
    assert [s.user_id for s in roster.items] == [s.user.id for s in truth]
    assert roster.total == count.item.count == active
    assert len(roster.responses) == -(-active // 100) and roster.warnings == []
    assert {s.gifter_id for s in roster.items if s.is_gift} - {None}, "gifters parsed"
    assert all(s.expires_at is not None for s in roster.items)
    assert len(small_pages.items) == 80 and small_pages.total == active
    stats = twin.stats()
    assert stats["served_429"] == 0
    assert stats["endpoints"]["GET /api/developer/subscriptions"] == {
        "200": len(roster.responses) + 2
    }


def test_subscription_endpoints_refuse_the_app_token(twin) -> None:
    with client_for(twin) as client:
        with pytest.raises(Forbidden, match="user token") as caught:
            client.subscription_count()
        assert caught.value.code == "forbidden"
        with pytest.raises(Forbidden):
            client.subscription_roster()
