"""The edges found by walking the twin by hand: error format for every kind of bad request,
OpenAPI completeness and served bodies matching it, clips by id, followingCount, subscribers,
and the server using only the world's public API."""

from __future__ import annotations

import ast
import pathlib
from typing import Any

import jsonschema
import pytest

from pipeline.twin.launcher import TwinHandle
from pipeline.twin.server import create_app
from pipeline.twin.server.config import TwinConfig
from tests.twin_server.conftest import START, assert_error_format

SERVER_DIR = pathlib.Path(__file__).parents[2] / "pipeline" / "twin" / "server"


def _names(twin: TwinHandle) -> dict[str, str]:
    live = twin.truth_live()["streams"][0]
    return {"username": live["username"], "id": live["userId"], "slug": twin.world.teams[0].slug}


# ---- error format ----------------------------------------------------------------------------
BAD_REQUESTS = [
    ("GET", "/api/nope", 404, "not_found"),
    ("GET", "/api/streams/live/", 404, "not_found"),
    ("GET", "/api/users/{username}/", 404, "not_found"),
    ("POST", "/api/streams/live", 405, "method_not_allowed"),
    ("DELETE", "/api/users/{username}", 405, "method_not_allowed"),
    ("GET", "/api/developer/oauth/token", 405, "method_not_allowed"),
    ("PUT", "/api/developer/apps/twin-client/webhooks/wh_x", 405, "method_not_allowed"),
    ("GET", "/api/streams/live?limit=abc", 400, "invalid_request"),
    ("GET", "/api/streams/live?limit=1.5", 400, "invalid_request"),
    ("GET", "/api/categories?limit=abc", 400, "invalid_request"),
    ("GET", "/api/users/{id}/followers?limit=abc", 400, "invalid_request"),
    ("GET", "/api/streams/{username}/clips?limit=abc", 400, "invalid_request"),
    ("GET", "/api/teams/{slug}/members?limit=abc", 400, "invalid_request"),
    ("GET", "/api/search/global?query=a&limit=abc", 400, "invalid_request"),
    ("GET", "/api/streams/live?cursor=abc", 400, "invalid_request"),
    ("GET", "/api/streams/{username}/clips?sort=best", 400, "invalid_request"),
    ("GET", "/api/volts/leaderboard/{id}?period=year", 400, "invalid_request"),
    ("GET", "/api/users/no_such_user", 404, "not_found"),
    ("GET", "/api/streams/user/no_such_user", 404, "not_found"),
    ("GET", "/api/streams/no_such_user/clips", 404, "not_found"),
    ("GET", "/api/users/no_such_user/followers", 404, "not_found"),
    ("GET", "/api/volts/leaderboard/no_such_user", 404, "not_found"),
    ("GET", "/api/chat/channels/no_such_user/stats", 404, "not_found"),
    ("GET", "/api/streams/no_such_user/polls/active", 404, "not_found"),
    ("GET", "/api/clips/clip_not-an-id", 404, "not_found"),
    ("GET", "/api/teams/no-such-team", 404, "not_found"),
]


@pytest.mark.parametrize(
    ("method", "template", "status", "code"),
    BAD_REQUESTS,
    ids=[
        "unknown-route",
        "trailing-slash-is-not-a-redirect",
        "trailing-slash-on-a-user",
        "post-on-a-get-route",
        "delete-on-a-get-route",
        "get-on-the-token-endpoint",
        "put-on-a-webhook-is-not-served",
        "limit-not-a-number",
        "limit-not-whole",
        "limit-abc-on-categories",
        "limit-abc-on-followers",
        "limit-abc-on-clips",
        "limit-abc-on-team-members",
        "limit-abc-on-search",
        "cursor-garbage",
        "clips-unknown-sort",
        "leaderboard-unknown-period",
        "unknown-user-profile",
        "unknown-user-stream",
        "unknown-channel-clips",
        "unknown-user-followers",
        "unknown-creator-leaderboard",
        "unknown-channel-chat",
        "unknown-channel-poll",
        "unknown-clip-id",
        "unknown-team",
    ],
)
def test_bad_requests_get_velora_errors(
    twin: TwinHandle, method: str, template: str, status: int, code: str
) -> None:
    response = twin.client.request(method, template.format(**_names(twin)))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert_error_format(response.json(), code)


# ---- OpenAPI ---------------------------------------------------------------------------------
def _served() -> list[tuple[str, str]]:
    app = create_app(TwinConfig(creators=50, clock="frozen", rate_limit=0))
    out = []
    for route in app.routes:
        path = getattr(route, "path", "")
        for method in sorted(getattr(route, "methods", None) or ()):
            if path.startswith("/api") and method != "HEAD":
                out.append((method.lower(), path))
    return out


SERVED = _served()


@pytest.mark.parametrize(("method", "path"), SERVED, ids=[f"{m} {p}" for m, p in SERVED])
def test_openapi_documents_every_served_api_route(twin: TwinHandle, method: str, path: str) -> None:
    doc = twin.client.get("/openapi.json").json()
    assert method in doc["paths"].get(path, {}), f"{method.upper()} {path} is served, undocumented"


def test_openapi_documents_nothing_that_is_not_served(twin: TwinHandle) -> None:
    doc = twin.client.get("/openapi.json").json()
    documented = {(m, p) for p, ops in doc["paths"].items() if p.startswith("/api") for m in ops}
    assert documented == set(SERVED)


SCHEMA_CHECKS = [
    ("/api/streams", "/api/streams", None),
    ("/api/streams/live", "/api/streams/live", None),
    ("/api/streams/growing", "/api/streams/growing", None),
    ("/api/streams/user/{username}", "/api/streams/user/{username}", None),
    ("/api/users/{username}", "/api/users/{username}", None),
    ("/api/users/{user_id}/followers", "/api/users/{id}/followers", None),
    ("/api/categories", "/api/categories", None),
    ("/api/streams/{username}/clips", "/api/streams/{username}/clips", None),
    ("/api/volts/leaderboard/{creator_id}", "/api/volts/leaderboard/{id}", None),
    ("/api/chat/channels/{channel_id}/stats", "/api/chat/channels/{username}/stats", None),
    ("/api/teams/{slug}/members", "/api/teams/{slug}/members", None),
    ("/api/search/global", "/api/search/global?query=a", None),
    ("/api/badges/catalog", "/api/badges/catalog", None),
    ("/api/users/me", "/api/users/me", "user"),
    ("/api/integrations/oauth/stream/info", "/api/integrations/oauth/stream/info", "user"),
    ("/api/developer/subscriptions", "/api/developer/subscriptions?perPage=100", "user"),
    ("/api/developer/subscriptions/count", "/api/developer/subscriptions/count", "user"),
    (
        "/api/subscriptions/creator/{creator_id}/subscribers",
        "/api/subscriptions/creator/{authorized}/subscribers",
        "app",
    ),
]


@pytest.mark.parametrize(
    ("documented", "template", "token"), SCHEMA_CHECKS, ids=[c[0] for c in SCHEMA_CHECKS]
)
def test_served_bodies_match_the_openapi_schema(
    twin: TwinHandle, documented: str, template: str, token: str | None
) -> None:
    doc = twin.client.get("/openapi.json").json()
    schema: dict[str, Any] = doc["paths"][documented]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    bearer = {"app": twin.token, "user": twin.user_token}[token]() if token else None
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    names = {**_names(twin), "authorized": twin.world.authorized_creator_ids[0]}
    response = twin.client.get(template.format(**names), headers=headers)
    assert response.status_code == 200, response.text
    jsonschema.validate(response.json(), {**schema, "components": doc["components"]})


# ---- clips by id, followingCount, subscribers ------------------------------------------------
def test_clip_by_id_works_without_listing_the_channel_first(twin: TwinHandle) -> None:
    """The id alone finds the clip (it used to need the channel's list to be read first)."""
    creator = twin.world.creator(twin.world.authorized_creator_ids[3])
    assert creator is not None
    clips = twin.world.clips(creator.id, START)
    assert clips
    body = twin.client.get(f"/api/clips/{clips[-1].id}").json()
    assert body["clip"]["id"] == clips[-1].id
    assert body["clip"]["creatorUsername"] == creator.username


@pytest.mark.parametrize("path", ["/api/users/{username}", "/api/streams/user/{username}"])
def test_following_count_comes_from_the_world(twin: TwinHandle, path: str) -> None:
    names = _names(twin)
    body = twin.client.get(path.format(**names)).json()
    user = body.get("user", body)
    expected = twin.world.following_count(names["id"], START)
    assert user["followingCount"] == expected > 0


def test_subscriber_pages_are_the_world_subscribers(twin: TwinHandle) -> None:
    # not the biggest channel: its ~15k subscribers would take more pages than the 120/min limit
    creator_id = twin.world.authorized_creator_ids[10]  # ~600 subscribers
    headers = {"Authorization": f"Bearer {twin.token()}"}
    rows, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        body = twin.client.get(
            f"/api/subscriptions/creator/{creator_id}/subscribers", params=params, headers=headers
        ).json()
        assert "subscribers" in body, body
        rows.extend(body["subscribers"])
        cursor = body["pagination"]["cursor"]
        if cursor is None:
            break
    truth = twin.world.subscribers(creator_id, START)
    assert len(rows) == body["total"] == len(truth) > 100, "need several pages"
    assert [r["userId"] for r in rows] == [s.user.id for s in truth]
    assert {r["tier"] for r in rows} <= {1000, 2000, 3000}


# ---- the server only uses the world's public API ---------------------------------------------
SERVER_FILES = sorted(SERVER_DIR.glob("*.py"))


@pytest.mark.parametrize("path", SERVER_FILES, ids=[p.name for p in SERVER_FILES])
def test_server_uses_only_the_public_world_api(path: pathlib.Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "pipeline.twin.world"
        ):
            assert node.module == "pipeline.twin.world", f"imports world internals {node.module}"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            owner = ast.unparse(node.value)
            assert "world" not in owner.lower(), f"private world access {owner}.{node.attr}"
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "getattr":
            assert "world" not in ast.unparse(node.args[0]).lower(), "duck-typed world access"
