"""Tokens: client credentials, refresh before expiry, 401 re-auth once, fixed token, anonymous,
and logs that never leak a secret."""

from __future__ import annotations

import json
import logging
import threading

import httpx
import pytest

from pipeline.client import VeloraAuthError

from .fakes import error_body, json_response

SECRET = "sup3r-s3cret-value"
OK = {"streams": [], "pagination": {"cursor": None}}


class TokenServer:
    """Issues numbered tokens; API calls succeed only with a currently valid token."""

    def __init__(self, clock, expires_in: int = 3600, revoke_first_n_uses: int = 0) -> None:
        self.clock = clock
        self.expires_in = expires_in
        self.issued: list[str] = []
        self.valid: dict[str, float] = {}
        self.token_bodies: list[dict[str, object]] = []
        self.revoke_first_n_uses = revoke_first_n_uses
        self.auth_headers: list[str | None] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            if request.url.path == "/api/developer/oauth/token":
                body = json.loads(request.content)
                self.token_bodies.append(body)
                if body.get("client_secret") != SECRET:
                    return json_response(
                        401, error_body("invalid_client", "bad client credentials")
                    )
                token = f"tok-{len(self.issued) + 1}-abcdef"
                self.issued.append(token)
                self.valid[token] = self.clock.time() + self.expires_in
                return json_response(
                    200,
                    {
                        "access_token": token,
                        "token_type": "Bearer",
                        "expires_in": self.expires_in,
                        "scope": "stream:read",
                    },
                )
            header = request.headers.get("authorization")
            self.auth_headers.append(header)
            token = header.removeprefix("Bearer ") if header else None
            if self.revoke_first_n_uses > 0 and token in self.valid:
                self.revoke_first_n_uses -= 1
                del self.valid[token]  # server-side revocation
            if token is None or self.valid.get(token, 0) <= self.clock.time():
                return json_response(401, error_body("unauthorized", "token missing or expired"))
            return json_response(200, OK)


def test_client_credentials_token_fetched_with_json_body(make_client, clock) -> None:
    server = TokenServer(clock)
    client, rec = make_client(server, client_id="app-1", client_secret=SECRET)
    client.live_streams()
    token_request = rec.requests[0]
    assert token_request.method == "POST" and token_request.url.path == "/api/developer/oauth/token"
    assert token_request.headers["content-type"] == "application/json"
    assert server.token_bodies == [
        {"grant_type": "client_credentials", "client_id": "app-1", "client_secret": SECRET}
    ]
    assert server.auth_headers == ["Bearer tok-1-abcdef"]
    assert client.auth_mode == "client_credentials"


def test_token_refreshed_before_expiry_with_fake_clock(make_client, clock) -> None:
    server = TokenServer(clock, expires_in=100)
    client, _ = make_client(server, client_id="app-1", client_secret=SECRET)
    client.live_streams()
    clock.advance(85)  # 85% of the lifetime: still the same token
    client.live_streams()
    clock.advance(6)  # 91%: past the 90% refresh point, before the server's expiry
    client.live_streams()
    assert server.issued == ["tok-1-abcdef", "tok-2-abcdef"]
    assert server.auth_headers == [
        "Bearer tok-1-abcdef",
        "Bearer tok-1-abcdef",
        "Bearer tok-2-abcdef",
    ]
    assert client.stats.reauths == 0  # refreshed proactively, never saw a 401


def test_401_reauthenticates_once_then_succeeds(make_client, clock) -> None:
    server = TokenServer(clock, revoke_first_n_uses=1)
    client, _ = make_client(server, client_id="app-1", client_secret=SECRET)
    client.live_streams()
    assert server.issued == ["tok-1-abcdef", "tok-2-abcdef"]
    assert server.auth_headers == ["Bearer tok-1-abcdef", "Bearer tok-2-abcdef"]
    assert client.stats.reauths == 1


def test_401_twice_fails_with_auth_error_after_one_reauth(make_client, clock) -> None:
    server = TokenServer(clock, revoke_first_n_uses=5)
    client, _ = make_client(server, client_id="app-1", client_secret=SECRET)
    with pytest.raises(VeloraAuthError, match="after re-authenticating once") as info:
        client.live_streams()
    assert info.value.status == 401
    assert len(server.issued) == 2 and len(server.auth_headers) == 2


def test_bad_credentials_give_clear_auth_error(make_client, clock) -> None:
    server = TokenServer(clock)
    client, rec = make_client(server, client_id="app-1", client_secret="wrong-secret-zzz")
    with pytest.raises(VeloraAuthError, match="token request rejected.*VELORA_CLIENT_ID") as info:
        client.live_streams()
    assert "wrong-secret-zzz" not in str(info.value)
    assert len(rec.requests) == 1  # no retry storm against the token endpoint


def test_fixed_access_token_is_sent_and_401_fails_at_once(make_client, clock) -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return json_response(401, error_body("unauthorized", "expired"))

    client, rec = make_client(handler, access_token="fixed-token-xyz")
    with pytest.raises(VeloraAuthError, match="fixed access token was rejected"):
        client.live_streams()
    assert seen == ["Bearer fixed-token-xyz"] and client.auth_mode == "fixed"


def test_anonymous_calls_send_no_authorization(make_client) -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return json_response(200, OK)

    client, _ = make_client(handler)
    client.live_streams()
    assert seen == [None] and client.auth_mode == "anonymous"


def test_anonymous_401_names_the_missing_credentials(make_client) -> None:
    client, _ = make_client(
        lambda r: json_response(401, error_body("unauthorized", "login required"))
    )
    with pytest.raises(VeloraAuthError, match="VELORA_CLIENT_ID"):
        client.subscribers("u_1")


def test_concurrent_calls_share_one_token_fetch(make_client, clock) -> None:
    server = TokenServer(clock)
    client, _ = make_client(server, client_id="app-1", client_secret=SECRET)
    result = client.fan_out(lambda key: client.live_streams(), list(range(12)))
    assert len(server.issued) == 1
    assert client.stats.token_fetches == 1
    assert result.ok and len(result.results) == 12
    assert all(h == "Bearer tok-1-abcdef" for h in server.auth_headers)


def test_logs_never_contain_secret_or_tokens(make_client, clock, caplog) -> None:
    server = TokenServer(clock, expires_in=100, revoke_first_n_uses=1)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/webhooks"):
            return json_response(
                201,
                {
                    "id": "wh_1",
                    "url": "http://x",
                    "events": ["stream.online"],
                    "secret": "whsec-123456789",
                },
            )
        if request.url.path == "/api/streams/top":
            # an error page that (wrongly) echoes the caller's credentials back
            return json_response(
                400,
                error_body("invalid_request", f"bad header Bearer {server.issued[-1]} / {SECRET}"),
            )
        return server(request)

    client, _ = make_client(handler, client_id="app-1", client_secret=SECRET)
    caplog.set_level(logging.DEBUG, logger="pipeline.client")
    client.live_streams()  # fetch, 401, re-auth
    clock.advance(95)
    client.live_streams()  # proactive refresh
    created = client.create_webhook("http://127.0.0.1:8788/webhooks/velora", ["stream.online"])
    with pytest.raises(Exception) as info:
        client.top_streams()
    assert created["secret"] == "whsec-123456789"
    assert len(server.issued) == 3 and caplog.records
    secrets = [SECRET, "whsec-123456789", *server.issued]
    texts = [r.getMessage() for r in caplog.records]
    texts += [
        repr(v) for r in caplog.records for k, v in vars(r).items() if k.startswith("velora_")
    ]
    texts += [str(info.value), repr(client.config)]
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked in {text!r}"
    assert any("event=token_fetched" in t for t in texts) and any(
        "event=reauthenticate" in t for t in texts
    )
