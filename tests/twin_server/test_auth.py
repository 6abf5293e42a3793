"""OAuth: token grants, bearer checks against twin time, scopes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from pipeline.twin.launcher import TwinHandle
from pipeline.twin.world import Creator, World
from tests.twin_server.conftest import assert_error_format, frozen_twin

TOKEN = "/api/developer/oauth/token"
# Endpoints documented as acting for the authorizing user's own channel: user tokens only.
OWN_CHANNEL = [
    ("/api/integrations/oauth/stream/info", "stream:read"),
    ("/api/users/me", "user:read"),
    ("/api/developer/subscriptions", "subscriptions:read"),
    ("/api/developer/subscriptions/count", "subscriptions:read"),
]
PRIVATE = [
    *OWN_CHANNEL,
    ("/api/subscriptions/creator/{creator}/subscribers", "subscriptions:read"),
]
PRIVATE_IDS = [p[0].removeprefix("/api/") for p in PRIVATE]


@pytest.fixture(scope="module")
def authed(world: World) -> Iterator[TwinHandle]:
    with frozen_twin(world, token_ttl=600) as twin:
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


def _code_grant(twin: TwinHandle, code: str, **extra: str) -> dict:
    return _grant(
        twin,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1/cb",
        code_verifier="v" * 43,
        **extra,
    )


def _me(twin: TwinHandle, access_token: str) -> dict:
    response = twin.client.get("/api/users/me", headers={"Authorization": f"Bearer {access_token}"})
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


@pytest.mark.parametrize(("template", "scope"), PRIVATE, ids=PRIVATE_IDS)
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


@pytest.mark.parametrize(("template", "scope"), PRIVATE, ids=PRIVATE_IDS)
def test_missing_scope_is_403_insufficient_scope(
    authed: TwinHandle, template: str, scope: str
) -> None:
    token = _grant(authed, scope="chat:read")["access_token"]
    response = authed.client.get(
        _path(authed, template), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    body = response.json()
    assert_error_format(body, "insufficient_scope")  # the scope is checked before the user
    assert body["details"]["required_scope"] == scope
    own_channel = (template, scope) in OWN_CHANNEL
    good = authed.user_token(scopes=scope) if own_channel else authed.token(scope)
    ok = authed.client.get(_path(authed, template), headers={"Authorization": f"Bearer {good}"})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(("template", "scope"), OWN_CHANNEL, ids=[p[0] for p in OWN_CHANNEL])
def test_app_only_token_is_forbidden_where_the_docs_act_for_a_user(
    authed: TwinHandle, template: str, scope: str
) -> None:
    """Client credentials are "app-only access": no user, so no "own channel" to act for."""
    response = authed.client.get(template, headers={"Authorization": f"Bearer {authed.token()}"})
    assert response.status_code == 403
    body = response.json()
    assert_error_format(body, "forbidden")
    assert body["details"]["required_grant"] == "authorization_code"


def _authorized(twin: TwinHandle, index: int) -> Creator:
    creator = twin.world.creator(sorted(twin.world.authorized_creator_ids)[index])
    assert creator is not None
    return creator


@pytest.mark.parametrize(
    ("code_of", "expected_index"),
    [
        (lambda c: c.username, 5),
        (lambda c: c.username.upper(), 5),
        (lambda c: c.id, 7),
        (lambda c: c.id, -1),
    ],
    ids=[
        "code-is-a-username",
        "code-username-any-case",
        "code-is-a-user-id",
        "last-authorized-creator",
    ],
)
def test_authorization_code_acts_for_the_broadcaster_it_names(
    authed: TwinHandle, code_of: Callable[[Creator], str], expected_index: int
) -> None:
    expected = _authorized(authed, expected_index)
    token = _code_grant(authed, code_of(expected))["access_token"]
    assert _me(authed, token)["id"] == expected.id


def test_unknown_or_unauthorized_code_falls_back_to_the_first_authorized_id(
    authed: TwinHandle,
) -> None:
    authorized = set(authed.world.authorized_creator_ids)
    outsider = next(c for c in authed.world.creators if c.id not in authorized)
    for code in (outsider.username, outsider.id, "no-such-user-zz"):
        token = _code_grant(authed, code)["access_token"]
        assert _me(authed, token)["id"] == _authorized(authed, 0).id, code
    with pytest.raises(ValueError, match="not a creator that authorized"):
        authed.user_token(outsider.username)


def test_refresh_keeps_the_user_and_client_credentials_stay_app_only(authed: TwinHandle) -> None:
    creator = _authorized(authed, 3)
    first = _code_grant(authed, creator.username)
    refreshed = _grant(authed, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert _me(authed, refreshed["access_token"])["id"] == creator.id
    app = _grant(authed)
    app_refreshed = _grant(authed, grant_type="refresh_token", refresh_token=app["refresh_token"])
    response = authed.client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {app_refreshed['access_token']}"}
    )
    assert response.status_code == 403


def test_stream_info_is_the_token_users_own_stream(authed: TwinHandle) -> None:
    authorized = set(authed.world.authorized_creator_ids)
    live = {s.user_id: s for s in authed.state.live().streams if s.user_id in authorized}
    offline = next(c for c in sorted(authorized) if c not in live)
    on_air = live[sorted(live)[0]]
    for user_id, expected in ((on_air.user_id, on_air), (offline, None)):
        token = authed.user_token(user_id)
        info = authed.client.get(
            "/api/integrations/oauth/stream/info", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert info["isLive"] is (expected is not None)
        if expected is not None:
            assert (info["title"], info["viewerCount"]) == (expected.title, expected.viewer_count)
        assert _me(authed, token)["id"] == user_id


def test_token_expires_in_twin_time_and_refresh_works(authed: TwinHandle) -> None:
    doc = _code_grant(authed, "any-code")
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
    token = authed.user_token()
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
