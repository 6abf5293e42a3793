"""OAuth: token grants, bearer checks against twin time, scopes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.twin.testing import TwinHandle, running_twin
from pipeline.twin.world import World
from tests.twin_server.conftest import CREATORS, SEED, START, assert_error_format

TOKEN = "/api/developer/oauth/token"
PRIVATE = [
    ("/api/integrations/oauth/stream/info", "stream:read"),
    ("/api/users/me", "user:read"),
    ("/api/subscriptions/creator/{creator}/subscribers", "subscriptions:read"),
]


@pytest.fixture(scope="module")
def authed(world: World) -> Iterator[TwinHandle]:
    with running_twin(
        world=world,
        seed=SEED,
        creators=CREATORS,
        clock="frozen",
        start=START,
        rate_limit=0,
        token_ttl=600,
    ) as twin:
        yield twin


def _grant(twin: TwinHandle, **extra: str) -> dict:
    body = {
        "grant_type": "client_credentials",
        "client_id": "twin-client",
        "client_secret": "twin-secret",
        **extra,
    }
    response = twin.client.post(TOKEN, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _path(twin: TwinHandle, template: str) -> str:
    return template.format(creator=twin.world.authorized_creator_ids[0])


def test_client_credentials_token_has_the_documented_shape(authed: TwinHandle) -> None:
    doc = _grant(authed)
    assert doc["token_type"] == "Bearer"
    assert doc["expires_in"] == 600
    assert doc["access_token"] and doc["refresh_token"]
    assert "subscriptions:read" in doc["scope"].split()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {
                "grant_type": "client_credentials",
                "client_id": "twin-client",
                "client_secret": "bad",
            },
            401,
            "invalid_client",
        ),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        (
            {
                "grant_type": "refresh_token",
                "client_id": "twin-client",
                "client_secret": "twin-secret",
                "refresh_token": "never-issued",
            },
            400,
            "invalid_grant",
        ),
        (
            {
                "grant_type": "client_credentials",
                "client_id": "twin-client",
                "client_secret": "twin-secret",
                "scope": "stream:read nonsense:scope",
            },
            400,
            "invalid_scope",
        ),
    ],
    ids=["wrong-secret", "unknown-grant", "unknown-refresh-token", "unknown-scope"],
)
def test_bad_token_requests_are_rejected(
    authed: TwinHandle, body: dict, status: int, code: str
) -> None:
    response = authed.client.post(TOKEN, json=body)
    assert response.status_code == status
    assert_error_format(response.json(), code)


def test_bad_json_body_is_400(authed: TwinHandle) -> None:
    response = authed.client.post(
        TOKEN, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert_error_format(response.json(), "invalid_request")


@pytest.mark.parametrize(("template", "scope"), PRIVATE, ids=[p[1] for p in PRIVATE])
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Basic dHdpbjp0d2lu", "Bearer not-a-real-token"],
    ids=["missing", "empty-bearer", "basic-scheme", "unknown-token"],
)
def test_private_endpoints_need_a_valid_bearer(
    authed: TwinHandle, template: str, scope: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = authed.client.get(_path(authed, template), headers=headers)
    assert response.status_code == 401
    assert_error_format(response.json(), "unauthorized")


@pytest.mark.parametrize(("template", "scope"), PRIVATE, ids=[p[1] for p in PRIVATE])
def test_missing_scope_is_403_insufficient_scope(
    authed: TwinHandle, template: str, scope: str
) -> None:
    token = _grant(authed, scope="chat:read")["access_token"]
    response = authed.client.get(
        _path(authed, template), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    body = response.json()
    assert_error_format(body, "insufficient_scope")
    assert body["details"]["required_scope"] == scope
    ok = authed.client.get(
        _path(authed, template), headers={"Authorization": f"Bearer {authed.token(scope)}"}
    )
    assert ok.status_code == 200, ok.text


def test_token_expires_in_twin_time_and_refresh_works(authed: TwinHandle) -> None:
    doc = _grant(authed)
    headers = {"Authorization": f"Bearer {doc['access_token']}"}
    path = "/api/integrations/oauth/stream/info"
    assert authed.client.get(path, headers=headers).status_code == 200
    authed.advance(599)
    assert authed.client.get(path, headers=headers).status_code == 200
    authed.advance(1)
    expired = authed.client.get(path, headers=headers)
    assert expired.status_code == 401
    assert_error_format(expired.json(), "unauthorized")
    assert expired.json()["details"]["reason"] == "token_expired"
    refreshed = _grant(authed, grant_type="refresh_token", refresh_token=doc["refresh_token"])
    fresh = {"Authorization": f"Bearer {refreshed['access_token']}"}
    assert authed.client.get(path, headers=fresh).status_code == 200
    reused = authed.client.post(
        TOKEN,
        json={
            "grant_type": "refresh_token",
            "client_id": "twin-client",
            "client_secret": "twin-secret",
            "refresh_token": doc["refresh_token"],
        },
    )
    assert reused.status_code == 400, "refresh tokens are single use"


def test_expire_tokens_admin_makes_tokens_fail(authed: TwinHandle) -> None:
    token = authed.token()
    headers = {"Authorization": f"Bearer {token}"}
    assert authed.client.get("/api/users/me", headers=headers).status_code == 200
    assert authed.expire_tokens() >= 1
    assert authed.client.get("/api/users/me", headers=headers).status_code == 401


def test_public_endpoints_accept_a_token_too(authed: TwinHandle) -> None:
    headers = {"Authorization": f"Bearer {authed.token()}"}
    assert authed.client.get("/api/streams/live", headers=headers).status_code == 200


def test_subscribers_of_a_creator_who_did_not_authorize_is_403(authed: TwinHandle) -> None:
    outsider = next(
        c.id for c in authed.world.creators if c.id not in set(authed.world.authorized_creator_ids)
    )
    response = authed.client.get(
        f"/api/subscriptions/creator/{outsider}/subscribers",
        headers={"Authorization": f"Bearer {authed.token()}"},
    )
    assert response.status_code == 403
    assert_error_format(response.json(), "forbidden")
