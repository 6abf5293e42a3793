"""Velora rejects http:// webhook URLs (Webhook Events Reference); the twin too, unless a local
run opts in with ``allow_http_webhooks`` / ``--allow-http-webhooks``."""

from __future__ import annotations

import httpx
import pytest

from pipeline.cli import build_parser
from pipeline.twin.cli import config_from_args
from pipeline.twin.launcher import TwinHandle
from pipeline.twin.world import World
from tests.twin_server.conftest import assert_error_format, frozen_twin

DOCUMENTED_REJECTION = "Webhook URLs must use HTTPS. HTTP endpoints will be rejected."


def _hooks(twin: TwinHandle) -> str:
    return f"/api/developer/apps/{twin.config.client_id}/webhooks"


def _auth(twin: TwinHandle) -> dict[str, str]:
    return {"Authorization": f"Bearer {twin.token()}"}


def _assert_https_rejection(response: httpx.Response) -> None:
    assert response.status_code == 400
    body = response.json()
    assert_error_format(body, "invalid_request")
    assert DOCUMENTED_REJECTION in body["message"]
    assert body["details"]["param"] == "url"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/hook", "HTTP://example.com/hook", "http://[::1]:9/hook"],
    ids=["loopback-http", "upper-case-scheme", "ipv6-loopback-http"],
)
def test_http_url_is_rejected_on_create(twin: TwinHandle, url: str) -> None:
    response = twin.client.post(
        _hooks(twin), json={"url": url, "events": ["stream.online"]}, headers=_auth(twin)
    )
    _assert_https_rejection(response)


def test_http_url_is_rejected_on_update_and_the_hook_keeps_its_url(twin: TwinHandle) -> None:
    created = twin.client.post(
        _hooks(twin),
        json={"url": "https://127.0.0.1:9/hook", "events": ["stream.online"]},
        headers=_auth(twin),
    )
    assert created.status_code == 201, created.text
    path = f"{_hooks(twin)}/{created.json()['id']}"
    patched = twin.client.patch(path, json={"url": "http://127.0.0.1:9/hook"}, headers=_auth(twin))
    _assert_https_rejection(patched)
    assert twin.client.get(path, headers=_auth(twin)).json()["url"] == "https://127.0.0.1:9/hook"
    twin.client.delete(path, headers=_auth(twin))


def test_allow_http_webhooks_accepts_loopback_receivers(world: World) -> None:
    with frozen_twin(world, allow_http_webhooks=True) as twin:
        hook = twin.create_webhook("http://127.0.0.1:9/hook", ["stream.online"])
        assert hook["url"] == "http://127.0.0.1:9/hook"
        patched = twin.client.patch(
            f"{_hooks(twin)}/{hook['id']}",
            json={"url": "http://127.0.0.1:8/x"},
            headers=_auth(twin),
        )
        assert patched.status_code == 200, patched.text


@pytest.mark.parametrize(
    ("flags", "allow_http", "retry_timestamp"),
    [
        ([], False, "first_attempt"),
        (["--allow-http-webhooks"], True, "first_attempt"),
        (["--webhook-retry-timestamp", "attempt"], False, "attempt"),
    ],
    ids=["defaults-https-only-first-attempt", "allow-http-flag", "retry-timestamp-flag"],
)
def test_serve_flags_map_onto_the_config(
    flags: list[str], allow_http: bool, retry_timestamp: str
) -> None:
    args = build_parser().parse_args(["twin", "serve", *flags])
    config = config_from_args(args)
    assert config.allow_http_webhooks is allow_http
    assert config.webhook_retry_timestamp == retry_timestamp
