"""Per-channel fan-out (bounded, per-key errors) and webhook management calls."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest

from pipeline.client import ClientConfigError, NotFound, VeloraArgumentError

from .fakes import error_body, json_response

STATS = {"isLive": True, "viewerCount": 10, "chatters": 4, "messagesPerMinute": 2.5}


def test_fan_out_collects_per_key_errors_without_losing_others(make_client) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        channel = request.url.path.split("/")[4]
        if channel == "gone":
            return json_response(404, error_body("not_found", "no such channel"))
        return json_response(200, {"stats": {**STATS, "channelId": channel}})

    client, _ = make_client(handler)
    keys = ["a", "gone", "b", "c", "a"]
    result = client.fan_out(client.chat_stats, keys)
    assert list(result.results) == ["a", "b", "c"]  # input order, duplicates run once
    assert {k: r.item.channel_id for k, r in result.results.items()} == {
        "a": "a",
        "b": "b",
        "c": "c",
    }
    assert list(result.errors) == ["gone"] and isinstance(result.errors["gone"], NotFound)
    assert not result.ok
    assert client.stats.requests_by_endpoint["/api/chat/channels/{channel_id}/stats"] == 4


def test_fan_out_concurrency_is_bounded(make_client) -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.01)  # hold the slot so overlapping calls are visible
        with lock:
            in_flight -= 1
        return json_response(200, {"leaderboard": [{"userId": "x", "amount": 1}]})

    client, _ = make_client(handler, max_concurrency=3)
    result = client.fan_out(client.volts_leaderboard, [f"u_{i}" for i in range(24)])
    assert result.ok and len(result.results) == 24
    assert 1 < peak <= 3


def test_fan_out_of_nothing(make_client) -> None:
    client, rec = make_client(lambda r: json_response(200, {}))
    result = client.fan_out(client.chat_stats, [])
    assert result.results == {} and result.errors == {} and rec.requests == []


def test_leaderboard_calls_hit_documented_paths(make_client) -> None:
    client, rec = make_client(
        lambda r: json_response(
            200,
            {
                "creatorId": "u_1",
                "leaderboard": [
                    {"rank": 1, "userId": "x", "giftCount": 3, "points": 9, "amount": 5}
                ],
            },
        )
    )
    assert client.volts_leaderboard("u_1", period="week").items[0].value == 5
    assert client.gift_leaderboard("u_1").items[0].value == 3
    assert client.points_leaderboard("u_1").items[0].value == 9
    assert rec.paths() == [
        "/api/volts/leaderboard/u_1",
        "/api/subscriptions/creator/u_1/gift-leaderboard",
        "/api/channel-points/u_1/leaderboard",
    ]
    assert (
        rec.requests[0].url.params["period"] == "week"
        and "period" not in rec.requests[1].url.params
    )


class WebhookServer:
    def __init__(self) -> None:
        self.hooks: dict[str, dict[str, object]] = {}
        self.requests: list[tuple[str, str, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body: dict[str, Any] = json.loads(request.content) if request.content else {}
        self.requests.append((request.method, request.url.path, body))
        base = "/api/developer/apps/app-1/webhooks"
        path = request.url.path
        if path == "/api/developer/oauth/token":
            return json_response(
                200, {"access_token": "tok-app-1", "token_type": "Bearer", "expires_in": 3600}
            )
        assert request.headers.get("authorization") == "Bearer tok-app-1"
        if request.method == "POST" and path == base:
            hook = {
                "id": f"wh_{len(self.hooks) + 1}",
                "url": body["url"],
                "events": body["events"],
                "status": "active",
                "createdAt": "2026-11-28T08:00:00.000Z",
            }
            self.hooks[hook["id"]] = hook
            return json_response(201, {**hook, "secret": "whsec-first-0001"})
        if request.method == "GET" and path == base:
            return json_response(200, {"webhooks": list(self.hooks.values())})
        hook_id = path.removeprefix(base + "/").split("/")[0]
        if hook_id not in self.hooks:
            return json_response(404, error_body("not_found", "no webhook"))
        if path.endswith("/rotate-secret"):
            return json_response(200, {"id": hook_id, "secret": "whsec-second-0002"})
        if request.method == "GET":
            return json_response(200, {"webhook": self.hooks[hook_id]})
        if request.method == "PATCH":
            self.hooks[hook_id].update(body)
            return json_response(200, self.hooks[hook_id])
        if request.method == "DELETE":
            del self.hooks[hook_id]
            return httpx.Response(204)
        return json_response(400, error_body("invalid_request", "?"))


def test_webhook_lifecycle(make_client) -> None:
    server = WebhookServer()
    client, _ = make_client(server, client_id="app-1", client_secret="app-secret-1")
    created = client.create_webhook(
        "http://127.0.0.1:8788/webhooks/velora", ["stream.online", "channel.follow"]
    )
    assert created["secret"] == "whsec-first-0001" and created["status"] == "active"
    assert [h["id"] for h in client.list_webhooks()] == ["wh_1"]
    assert client.get_webhook("wh_1")["url"] == "http://127.0.0.1:8788/webhooks/velora"
    assert client.update_webhook("wh_1", events=["stream.offline"])["events"] == ["stream.offline"]
    assert client.rotate_webhook_secret("wh_1") == {"id": "wh_1", "secret": "whsec-second-0002"}
    client.delete_webhook("wh_1")
    assert client.list_webhooks() == []
    with pytest.raises(NotFound):
        client.get_webhook("wh_1")
    methods = [(m, p) for m, p, _ in server.requests if not p.endswith("/oauth/token")]
    assert methods[0] == ("POST", "/api/developer/apps/app-1/webhooks")
    assert ("POST", "/api/developer/apps/app-1/webhooks/wh_1/rotate-secret") in methods
    assert ("DELETE", "/api/developer/apps/app-1/webhooks/wh_1") in methods


@pytest.mark.parametrize(
    ("call", "error"),
    [
        pytest.param(
            lambda c: c.create_webhook("ftp://x", ["stream.online"]),
            VeloraArgumentError,
            id="non-http-url",
        ),
        pytest.param(
            lambda c: c.create_webhook("http://x", []), VeloraArgumentError, id="no-events"
        ),
        pytest.param(lambda c: c.update_webhook("wh_1"), VeloraArgumentError, id="update-nothing"),
        pytest.param(lambda c: c.get_webhook(""), VeloraArgumentError, id="empty-webhook-id"),
    ],
)
def test_webhook_argument_errors(make_client, call, error) -> None:
    client, rec = make_client(WebhookServer(), client_id="app-1", client_secret="app-secret-1")
    with pytest.raises(error):
        call(client)
    assert rec.requests == []


def test_webhooks_need_a_client_id(make_client) -> None:
    client, _ = make_client(WebhookServer())
    with pytest.raises(ClientConfigError, match="client_id"):
        client.list_webhooks()
