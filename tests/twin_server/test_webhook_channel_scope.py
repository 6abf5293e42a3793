"""Per-broadcaster webhooks (created with a user token) against app-wide ones (app token):
which events each gets, and the channel-less subscription deliveries, on real deliveries."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from pipeline.twin.launcher import TwinHandle
from pipeline.twin.world import World
from tests.twin_server.conftest import START, frozen_twin
from tests.twin_server.receiver import Receiver, running_receiver

EVENTS = [
    "channel.subscribe",
    "channel.gift",
    "channel.subscription.end",
    "channel.volts",
    "stream.online",
    "stream.offline",
]
SUBSCRIPTION_TYPES = {"channel.subscribe", "channel.gift", "channel.subscription.end"}
# Subscribes are the bulk of the app-wide traffic (payload unit tests cover them there).
APP_EVENTS = ["channel.gift", "channel.subscription.end"]
ALIASES = {"channel.gift": "channel.subscription.gift"}
HOURS = 3


def _busiest_channel(world: World) -> str:
    """The authorized creator with the most subscription events in the window."""
    t1 = START + timedelta(hours=HOURS)

    def subscription_events(creator_id: str) -> int:
        totals = world.event_totals(START, t1, creator_ids=[creator_id])
        return sum(totals.get(ALIASES.get(t, t), 0) for t in SUBSCRIPTION_TYPES)

    return max(sorted(world.authorized_creator_ids), key=subscription_events)


@pytest.fixture(scope="module")
def scoped(world: World) -> Iterator[tuple[TwinHandle, Receiver, dict[str, Any], str, datetime]]:
    channel = _busiest_channel(world)
    with (
        running_receiver() as receiver,
        frozen_twin(world, webhook_duplicate_rate=0.0, allow_http_webhooks=True) as twin,
    ):
        own = twin.create_webhook(
            f"{receiver.base_url}/hooks/own", EVENTS, token=twin.user_token(channel)
        )
        twin.create_webhook(f"{receiver.base_url}/hooks/app", APP_EVENTS)
        t0 = twin.now()
        for _ in range(HOURS * 2):
            twin.advance(1800)
        yield twin, receiver, own, channel, t0


def _deliveries(receiver: Receiver, path: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for body in dict.fromkeys(r.body for r in receiver.at(path)):  # distinct, in order
        doc = json.loads(body)
        out.append((doc.get("type", doc.get("event")), doc["data"]))
    return out


def test_the_webhook_object_names_no_channel(scoped: tuple) -> None:
    twin, _, own, _, _ = scoped
    assert set(own) == {"id", "url", "events", "status", "createdAt", "updatedAt", "secret"}
    listed = twin.client.get(
        f"/api/developer/apps/{twin.config.client_id}/webhooks",
        headers={"Authorization": f"Bearer {twin.token()}"},
    ).json()["webhooks"]
    assert all(set(h) == set(own) - {"secret"} for h in listed)


def test_user_token_webhook_gets_only_its_broadcasters_events(scoped: tuple) -> None:
    twin, receiver, _, channel, t0 = scoped
    got = _deliveries(receiver, "/hooks/own")
    truth = twin.truth_events(t0.isoformat(), twin.now().isoformat(), channel)["totals"]
    subscribed = {ALIASES.get(e, e) for e in EVENTS}
    expected = {t: n for t, n in truth.items() if t in subscribed and n}
    assert dict(Counter(ALIASES.get(t, t) for t, _ in got)) == expected
    for _, data in got:
        assert data.get("channelId", channel) == channel
        assert data.get("broadcaster", {"id": channel})["id"] == channel


def test_about_half_of_its_subscription_deliveries_carry_no_channel_field(scoped: tuple) -> None:
    _, receiver, _, channel, _ = scoped
    got = _deliveries(receiver, "/hooks/own")
    subscription = [(t, d) for t, d in got if t in SUBSCRIPTION_TYPES]
    channel_less = [(t, d) for t, d in subscription if "channelId" not in d]
    assert len(subscription) >= 20
    assert 0.25 < len(channel_less) / len(subscription) < 0.75
    assert {t for t, _ in channel_less} == SUBSCRIPTION_TYPES, "every subscription type"
    for _, data in channel_less:
        assert "broadcaster" not in data
        assert data.get("userId") != channel, "top-level user is the subscriber or gifter"
    others = [d for t, d in got if t not in SUBSCRIPTION_TYPES]
    assert others and all(d["channelId"] == channel for d in others)


def test_app_token_webhook_serves_every_authorized_creator_with_channel(scoped: tuple) -> None:
    twin, receiver, _, channel, t0 = scoped
    got = _deliveries(receiver, "/hooks/app")
    assert all(isinstance(d["channelId"], str) for _, d in got)
    assert len({d["channelId"] for _, d in got}) > 10
    truth = twin.truth_events(t0.isoformat(), twin.now().isoformat())["authorizedTotals"]
    by_type = Counter(ALIASES.get(t, t) for t, _ in got)
    assert all(by_type[ALIASES.get(e, e)] == truth.get(ALIASES.get(e, e), 0) for e in APP_EVENTS)
    own = [d for t, d in _deliveries(receiver, "/hooks/own") if t in APP_EVENTS]
    assert sum(d["channelId"] == channel for _, d in got) == len(own)
