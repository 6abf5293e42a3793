"""Webhook delivery: signatures, envelopes, variants, retries, disabling, duplicates, test events."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from pipeline.twin.launcher import TwinHandle
from pipeline.twin.world import World
from tests.twin_server.conftest import START, frozen_twin
from tests.twin_server.receiver import Receiver, running_receiver

ALL_EVENTS = [
    "stream.online",
    "stream.offline",
    "channel.follow",
    "channel.subscribe",
    "channel.gift",  # alias of channel.subscription.gift
    "channel.subscription.end",
    "channel.volts",
    "channel.points.redeem",
    "channel.raid",
]


def verify(secret: str, body: bytes, signature: str) -> bool:
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


@pytest.fixture(scope="module")
def hooked(world: World, receiver: Receiver) -> Iterator[tuple[TwinHandle, dict, datetime]]:
    """A frozen twin with one webhook for every event type, advanced by two hours."""
    with frozen_twin(world, webhook_duplicate_rate=0.2, allow_http_webhooks=True) as twin:
        hook = twin.create_webhook(f"{receiver.base_url}/hooks/all", ALL_EVENTS)
        t0 = twin.now()
        for _ in range(4):
            twin.advance(1800)
        yield twin, hook, t0


def test_create_returns_the_secret_once(hooked: tuple[TwinHandle, dict, datetime]) -> None:
    twin, hook, _ = hooked
    assert hook["secret"] and hook["status"] == "active"
    auth = {"Authorization": f"Bearer {twin.token()}"}
    listed = twin.client.get(
        f"/api/developer/apps/{twin.config.client_id}/webhooks", headers=auth
    ).json()["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]


def test_every_delivery_is_signed_over_the_raw_body(
    hooked: tuple[TwinHandle, dict, datetime], receiver: Receiver
) -> None:
    _, hook, _ = hooked
    got = receiver.at("/hooks/all")
    assert len(got) > 50
    for request in got:
        assert verify(hook["secret"], request.body, request.headers["x-velora-signature"])
        assert request.headers["content-type"] == "application/json"
        doc = json.loads(request.body)
        assert request.headers["x-velora-event"] == doc.get("type", doc.get("event"))
        assert request.headers["x-velora-timestamp"].isdigit()
        assert len(request.headers["x-velora-timestamp"]) == 13  # unix milliseconds
    tampered = got[0].body.replace(b"{", b"{ ", 1)
    assert not verify(hook["secret"], tampered, got[0].headers["x-velora-signature"])


def test_both_envelopes_and_payload_variants_are_mixed(receiver: Receiver, hooked: tuple) -> None:
    docs = [json.loads(r.body) for r in receiver.at("/hooks/all")]
    with_id = [d for d in docs if set(d) == {"id", "type", "timestamp", "data"}]
    without_id = [d for d in docs if set(d) == {"event", "timestamp", "data"}]
    assert with_id and without_id
    assert len(with_id) + len(without_id) == len(docs)
    assert all(d["id"].startswith("evt_") for d in with_id)
    types = {d.get("type", d.get("event")) for d in docs}
    assert "channel.gift" in types, "the subscriber's alias is the wire name"
    assert "channel.subscription.gift" not in types
    follow_users = [
        d["data"]["follower"] for d in docs if d.get("type", d.get("event")) == "channel.follow"
    ]
    assert any("id" in u for u in follow_users) and any("userId" in u for u in follow_users)
    assert all(d["data"]["isTest"] is False for d in docs)


def test_distinct_deliveries_match_the_true_event_totals(
    hooked: tuple[TwinHandle, dict, datetime], receiver: Receiver
) -> None:
    twin, _, t0 = hooked
    aliases = {"channel.gift": "channel.subscription.gift"}
    distinct = {r.body for r in receiver.at("/hooks/all")}
    by_type = Counter(
        aliases.get(t, t)
        for t in (json.loads(b).get("type") or json.loads(b)["event"] for b in distinct)
    )
    truth = twin.truth_events(start=t0.isoformat(), end=twin.now().isoformat())
    expected = {k: v for k, v in truth["authorizedTotals"].items() if v}
    assert dict(by_type) == expected


def _data_of(receiver: Receiver, *wire_types: str) -> list[dict]:
    docs = [json.loads(r.body) for r in receiver.at("/hooks/all")]
    return [d["data"] for d in docs if d.get("type", d.get("event")) in wire_types]


def _user_id(user: dict) -> str | None:
    return user.get("id", user.get("userId"))


def test_subscribe_and_gift_top_level_user_is_the_subscriber_and_the_gifter(
    hooked: tuple[TwinHandle, dict, datetime], receiver: Receiver
) -> None:
    """Changelog v1.2.0: userId on subscribe/gift matches the later subscription.end."""
    subscribes = _data_of(receiver, "channel.subscribe")
    gifts = _data_of(receiver, "channel.gift")
    ends = _data_of(receiver, "channel.subscription.end")
    assert subscribes and gifts and ends
    for data in subscribes:
        assert data["userId"] == _user_id(data["subscriber"]) != data["channelId"]
        assert data["username"] == data["subscriber"]["username"]
        assert data["displayName"] == data["subscriber"]["displayName"]
    for data in gifts:
        if data["gifter"].get("isAnonymous"):
            assert "userId" not in data and data["isAnonymous"] is True
        else:
            assert data["userId"] == _user_id(data["gifter"]) != data["channelId"]
            assert data["username"] == data["gifter"]["username"]
    assert all(data["userId"] != data["channelId"] for data in ends)


def test_stream_events_always_carry_stream_id_and_the_channel_user(
    hooked: tuple[TwinHandle, dict, datetime], receiver: Receiver
) -> None:
    twin, _, _ = hooked
    stream_events = _data_of(receiver, "stream.online", "stream.offline")
    assert len(stream_events) > 10
    for data in stream_events:
        assert isinstance(data["streamId"], str) and data["streamId"]
        channel = twin.world.creator(data["channelId"])
        assert channel is not None
        assert (data["userId"], data["username"]) == (channel.id, channel.username)
        if "stream" in data:
            assert data["stream"]["id"] == data["streamId"]
    nested = sum("stream" in d for d in stream_events)
    assert 0 < nested < len(stream_events), "the nested stream{} still comes on some"


def test_duplicates_are_sent_and_counted(
    hooked: tuple[TwinHandle, dict, datetime], receiver: Receiver
) -> None:
    twin, _, _ = hooked
    bodies = Counter(r.body for r in receiver.at("/hooks/all"))
    repeated = sum(n - 1 for n in bodies.values())
    stats = twin.deliveries()
    assert stats["duplicates_sent"] > 0
    assert repeated == stats["duplicates_sent"]
    assert stats["delivered"] == len(receiver.at("/hooks/all"))
    assert stats["pending"] == 0


RETRY_OFFSETS = [0, 0, 60, 360, 2160, 9360]  # seconds after the first attempt


@pytest.mark.parametrize(
    ("mode", "expected_stamp_offsets"),
    [("first_attempt", [0] * 6), ("attempt", RETRY_OFFSETS)],
    ids=["default-retry-keeps-first-attempt-timestamp-2h-later", "opt-in-timestamp-per-attempt"],
)
def test_retry_schedule_then_disable_after_the_fifth_retry(
    world: World, receiver: Receiver, mode: str, expected_stamp_offsets: list[int]
) -> None:
    config = {} if mode == "first_attempt" else {"webhook_retry_timestamp": mode}
    with frozen_twin(world, allow_http_webhooks=True, **config) as twin:
        # Subscribed to an event the world never emits, so only the test event is delivered.
        hook = twin.create_webhook(f"{receiver.base_url}/hooks/fail", ["user.authorization.grant"])
        assert twin.test_event("user.authorization.grant", webhook_id=hook["id"]) == 1
        before = len(receiver.at("/hooks/fail"))
        start = twin.now()
        twin.flush_webhooks()
        offsets = [0, 0]  # first attempt, then the immediate retry
        assert len(receiver.at("/hooks/fail")) - before == 2
        for step, expected_new in [(59, 0), (1, 1), (299, 0), (1, 1), (1800, 1), (7199, 0), (1, 1)]:
            seen = len(receiver.at("/hooks/fail"))
            twin.advance(step)
            assert len(receiver.at("/hooks/fail")) - seen == expected_new, f"after +{step}s"
            if expected_new:
                offsets.append(int((twin.now() - start).total_seconds()))
        assert offsets == RETRY_OFFSETS
        got = receiver.at("/hooks/fail")[before:]
        stamps = [int(r.headers["x-velora-timestamp"]) for r in got]
        assert stamps[0] == int(start.timestamp() * 1000)
        assert [round((s - stamps[0]) / 1000) for s in stamps] == expected_stamp_offsets
        assert len({r.body for r in got}) == 1, "retries resend the same body"
        auth = {"Authorization": f"Bearer {twin.token()}"}
        status = twin.client.get(
            f"/api/developer/apps/{twin.config.client_id}/webhooks/{hook['id']}", headers=auth
        ).json()["status"]
        assert status == "disabled"
        twin.test_event("user.authorization.grant", webhook_id=hook["id"])
        twin.advance(3600)
        assert len(receiver.at("/hooks/fail")) - before == 6, "a disabled webhook gets nothing"
        counts = twin.deliveries()
        assert counts["failed"] == 6 and counts["retried"] == 5
        assert counts["webhooks_disabled"] == 1


def test_test_events_carry_is_test(world: World, receiver: Receiver) -> None:
    with frozen_twin(world, start=START + timedelta(days=3), allow_http_webhooks=True) as twin:
        hook = twin.create_webhook(f"{receiver.base_url}/hooks/tests", ["channel.follow"])
        assert twin.test_event("channel.follow") == 1
        twin.flush_webhooks()
        got = receiver.at("/hooks/tests")
        assert len(got) == 1
        assert json.loads(got[0].body)["data"]["isTest"] is True
        assert verify(hook["secret"], got[0].body, got[0].headers["x-velora-signature"])


def test_webhook_crud_and_secret_rotation(twin: TwinHandle) -> None:
    """Never delivers, so https URLs on a port nobody listens on are fine."""
    base = f"/api/developer/apps/{twin.config.client_id}/webhooks"
    auth = {"Authorization": f"Bearer {twin.token()}"}
    assert (
        twin.client.post(
            base, json={"url": "https://127.0.0.1:9/x", "events": ["stream.online"]}
        ).status_code
        == 401
    )
    bad = twin.client.post(
        base, json={"url": "https://127.0.0.1:9/x", "events": ["nope"]}, headers=auth
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
    created = twin.client.post(
        base, json={"url": "https://127.0.0.1:9/x", "events": ["stream.online"]}, headers=auth
    )
    assert created.status_code == 201
    hook = created.json()
    patched = twin.client.patch(
        f"{base}/{hook['id']}", json={"events": ["channel.cheer"]}, headers=auth
    ).json()
    assert patched["events"] == ["channel.cheer"]
    rotated = twin.client.post(f"{base}/{hook['id']}/rotate-secret", headers=auth).json()
    assert rotated["id"] == hook["id"] and rotated["secret"] != hook["secret"]
    assert twin.client.delete(f"{base}/{hook['id']}", headers=auth).status_code == 204
    gone = twin.client.get(f"{base}/{hook['id']}", headers=auth)
    assert gone.status_code == 404 and gone.json()["error"] == "not_found"
    other_app = twin.client.get("/api/developer/apps/someone-else/webhooks", headers=auth)
    assert other_app.status_code == 403


def test_advances_that_do_not_wait_deliver_everything_by_the_flush(world: World) -> None:
    """``{"wait": false}`` (the demo's seed): each advance returns before its deliveries, which
    run in order in the background; the flush returns once all of them are delivered."""
    with (
        running_receiver() as receiver,
        frozen_twin(world, webhook_duplicate_rate=0.0, allow_http_webhooks=True) as twin,
    ):
        twin.create_webhook(f"{receiver.base_url}/hooks/bg", ALL_EVENTS)
        t0 = twin.now()
        answers = [
            twin._admin(
                "POST",
                "/_twin/clock/advance",
                json={"to": (t0 + timedelta(minutes=30 * step)).isoformat(), "wait": False},
            )
            for step in range(1, 5)
        ]
        settled = twin.flush_webhooks()
        truth = twin.truth_events(start=t0.isoformat(), end=twin.now().isoformat())
    expected = sum(truth["authorizedTotals"].values())
    assert expected > 0
    assert answers[0]["deliveries"]["events_queued"] == 0, "the first advance did not wait"
    assert settled["pending"] == 0 and settled["delivered"] == expected
    assert len({r.body for r in receiver.at("/hooks/bg")}) == expected


@pytest.mark.parametrize("wait", ["no", 0, None], ids=["string", "integer", "null"])
def test_advance_wait_must_be_a_boolean(twin: TwinHandle, wait: object) -> None:
    response = twin.client.post("/_twin/clock/advance", json={"seconds": 60, "wait": wait})
    assert response.status_code == 400
    assert response.json()["details"]["param"] == "wait"
