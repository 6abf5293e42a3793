"""Public read endpoints: envelopes, pagination, limits, cursors, 404s, ground truth."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import httpx
import pytest

from pipeline.twin.launcher import TwinHandle
from tests.twin_server.conftest import START, assert_error_format


def walk(client: httpx.Client, path: str, key: str, limit: int) -> list[dict]:
    items: list[dict] = []
    cursor = None
    for _ in range(10_000):
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) >= {key, "pagination"}
        assert len(body[key]) <= limit
        items.extend(body[key])
        cursor = body["pagination"]["cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination never ended")


@pytest.mark.parametrize("limit", [1, 7, 25, 100])
def test_walking_live_pages_returns_each_live_stream_once_and_matches_truth(
    twin: TwinHandle, limit: int
) -> None:
    streams = walk(twin.client, "/api/streams/live", "streams", limit)
    truth = twin.truth_live()
    ids = [s["id"] for s in streams]
    assert len(ids) == len(set(ids)), "a stream appeared on two pages"
    assert truth["count"] > 50, "the frozen start should have a busy live list"
    assert {s["id"]: s["viewerCount"] for s in streams} == {
        s["id"]: s["viewerCount"] for s in truth["streams"]
    }
    counts = [s["viewerCount"] for s in streams]
    assert counts == sorted(counts, reverse=True)


def test_stream_objects_have_the_documented_fields(twin: TwinHandle) -> None:
    stream = twin.client.get("/api/streams/live", params={"limit": 1}).json()["streams"][0]
    documented = {"id", "userId", "username", "title", "viewerCount", "startedAt", "thumbnailUrl"}
    assert documented <= set(stream)
    assert stream["startedAt"].endswith("Z") and len(stream["startedAt"]) == 24  # ms + Z
    assert set(stream["category"]) == {"id", "slug", "name"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 1), ("-4", 1), ("1", 1), ("100", 100), ("101", 100), ("5000", 100), (None, 25)],
    ids=[
        "zero-clamped-up",
        "negative-clamped-up",
        "one",
        "max",
        "just-over-max",
        "far-over-max",
        "default-25",
    ],
)
def test_limit_is_clamped(twin: TwinHandle, raw: str | None, expected: int) -> None:
    params = {} if raw is None else {"limit": raw}
    body = twin.client.get("/api/streams/live", params=params).json()
    assert twin.truth_live()["count"] > 100
    assert len(body["streams"]) == expected


def _b64(doc: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64-!!",
        _b64(["a list"]),
        _b64({"s": "teams", "o": 25}),
        _b64({"s": "live", "o": -1}),
        _b64({"s": "live", "o": "25"}),
        "e30",
    ],
    ids=[
        "garbage",
        "json-not-object",
        "cursor-of-another-endpoint",
        "negative-offset",
        "offset-not-int",
        "empty-object",
    ],
)
def test_invalid_cursor_is_400_invalid_request(twin: TwinHandle, cursor: str) -> None:
    response = twin.client.get("/api/streams/live", params={"cursor": cursor})
    assert response.status_code == 400
    assert_error_format(response.json(), "invalid_request")


def test_bad_limit_is_400(twin: TwinHandle) -> None:
    response = twin.client.get("/api/streams/live", params={"limit": "ten"})
    assert response.status_code == 400
    assert_error_format(response.json(), "invalid_request")


@pytest.mark.parametrize(
    "path",
    [
        "/api/users/no_such_user_zz",
        "/api/streams/user/no_such_user_zz",
        "/api/streams/no_such_user_zz/clips",
        "/api/volts/leaderboard/u_missing",
        "/api/chat/channels/u_missing/stats",
        "/api/teams/no-such-team",
        "/api/clips/clip_missing",
        "/api/users/u_missing/followers",
        "/api/streams/user/no_such_user_zz/vods",
    ],
    ids=[
        "profile",
        "stream-by-user",
        "clips",
        "volts",
        "chat",
        "team",
        "clip",
        "followers",
        "vods",
    ],
)
def test_unknown_things_are_404_not_found(twin: TwinHandle, path: str) -> None:
    response = twin.client.get(path)
    assert response.status_code == 404
    assert_error_format(response.json(), "not_found")


def test_unknown_route_and_wrong_method_use_the_error_format(twin: TwinHandle) -> None:
    missing = twin.client.get("/api/does/not/exist")
    assert missing.status_code == 404
    assert_error_format(missing.json(), "not_found")
    wrong = twin.client.delete("/api/streams/live")
    assert wrong.status_code == 405
    assert_error_format(wrong.json(), "method_not_allowed")


def _some(twin: TwinHandle) -> dict[str, str]:
    live = twin.truth_live()["streams"][0]
    team = twin.world.teams[0]
    return {"username": live["username"], "id": live["userId"], "slug": team.slug}


ENDPOINTS = [
    ("/api/streams/live", "streams", True),
    ("/api/streams/browse?sort=recent", "streams", True),
    ("/api/streams/top", "streams", True),
    ("/api/streams/growing", "streams", True),
    ("/api/streams/featured", "streams", False),
    ("/api/streams/user/{username}", "isLive", False),
    ("/api/categories", "categories", True),
    ("/api/categories/search?q=a", "categories", False),
    ("/api/streams/{username}/clips", "clips", True),
    ("/api/streams/user/{username}/vods", "vods", True),
    ("/api/volts/leaderboard/{id}", "leaderboard", False),
    ("/api/subscriptions/creator/{id}/gift-leaderboard", "leaderboard", False),
    ("/api/channel-points/{id}/leaderboard", "leaderboard", False),
    ("/api/chat/channels/{username}/stats", "chatters", False),
    ("/api/teams", "teams", True),
    ("/api/teams/{slug}", "team", False),
    ("/api/teams/{slug}/members", "members", True),
    ("/api/users/{username}", "followerCount", False),
    ("/api/users/{id}/followers", "followers", True),
    ("/api/streams/{username}/polls/active", "poll", False),
    ("/api/streams/{username}/giveaways/active", "giveaways", False),
    ("/api/search/global?query=a", "creators", False),
    ("/api/badges/catalog", "badges", False),
    ("/api/developer/oauth/scopes", "scopes", False),
]


@pytest.mark.parametrize(("template", "key", "paginated"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_every_public_endpoint_answers_without_a_token(
    twin: TwinHandle, template: str, key: str, paginated: bool
) -> None:
    response = twin.client.get(template.format(**_some(twin)))
    assert response.status_code == 200, response.text
    body = response.json()
    assert key in body
    assert ("pagination" in body) == paginated


def test_vods_list_ended_sessions_newest_first_with_their_exact_end(twin: TwinHandle) -> None:
    username = _some(twin)["username"]
    first = twin.client.get(f"/api/streams/user/{username}/vods", params={"limit": 2}).json()
    second = twin.client.get(
        f"/api/streams/user/{username}/vods",
        params={"limit": 2, "cursor": first["pagination"]["cursor"]},
    ).json()
    vods = first["vods"] + second["vods"]
    assert len(vods) == 4 and len({v["id"] for v in vods}) == 4
    assert [v["endedAt"] for v in vods] == sorted((v["endedAt"] for v in vods), reverse=True)
    user_id = _some(twin)["id"]
    truth = {
        (s.isoformat(), e.isoformat())
        for s, e in twin.world.sessions_between(user_id, START - timedelta(days=14), START)
    }
    for vod in vods:
        started = datetime.fromisoformat(vod["startedAt"].replace("Z", "+00:00"))
        ended = datetime.fromisoformat(vod["endedAt"].replace("Z", "+00:00"))
        assert ended <= START  # only ended sessions have a VOD (the live one has none yet)
        assert (started.isoformat(), ended.isoformat()) in truth
        assert vod["duration"] == int((ended - started).total_seconds())


def test_clip_by_id_round_trips(twin: TwinHandle) -> None:
    for stream in twin.truth_live()["streams"]:
        clips = twin.client.get(f"/api/streams/{stream['username']}/clips").json()["clips"]
        if clips:
            one = twin.client.get(f"/api/clips/{clips[0]['id']}").json()
            assert one == {"clip": clips[0]}
            return
    pytest.fail("no live channel has clips")


def test_followers_total_matches_truth(twin: TwinHandle) -> None:
    user = _some(twin)["id"]
    body = twin.client.get(f"/api/users/{user}/followers").json()
    assert body["total"] == twin.truth_followers(user)["followerCount"]
    times = [f["followedAt"] for f in body["followers"]]
    assert times == sorted(times, reverse=True)


# ---- GET /api/streams (Getting Started's first request) ----------------------------------------
DOCUMENTED_STREAM = {
    "id",
    "userId",
    "username",
    "title",
    "viewerCount",
    "startedAt",
    "thumbnailUrl",
}


def test_streams_answers_the_documented_envelope(twin: TwinHandle) -> None:
    body = twin.client.get("/api/streams").json()
    assert set(body) == {"streams", "pagination"}
    assert set(body["pagination"]) == {"cursor"}
    assert isinstance(body["pagination"]["cursor"], str), "a busy list has a next page"
    assert len(body["streams"]) == 25, "limit defaults to 25"
    assert all(set(s) >= DOCUMENTED_STREAM for s in body["streams"])


@pytest.mark.parametrize("limit", [1, 25, 100])
def test_streams_walk_is_the_live_list_in_order(twin: TwinHandle, limit: int) -> None:
    streams = walk(twin.client, "/api/streams", "streams", limit)
    assert streams == walk(twin.client, "/api/streams/live", "streams", 100)
    assert [s["id"] for s in streams] == [s["id"] for s in twin.truth_live()["streams"]]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("101", 100), ("0", 1), (None, 25)],
    ids=["over-max-clamped-to-100", "zero-clamped-to-1", "default-25"],
)
def test_streams_limit_is_clamped_like_the_other_lists(
    twin: TwinHandle, raw: str | None, expected: int
) -> None:
    params = {} if raw is None else {"limit": raw}
    assert len(twin.client.get("/api/streams", params=params).json()["streams"]) == expected


def test_streams_last_page_has_a_null_cursor_and_foreign_cursors_are_refused(
    twin: TwinHandle,
) -> None:
    pages, cursor = [], None
    while cursor is not None or not pages:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        pages.append(twin.client.get("/api/streams", params=params).json())
        cursor = pages[-1]["pagination"]["cursor"]
    assert len(pages) > 1 and pages[-1]["streams"], "the last page is a real page"
    assert pages[-1]["pagination"] == {"cursor": None}
    live_cursor = twin.client.get("/api/streams/live").json()["pagination"]["cursor"]
    foreign = twin.client.get("/api/streams", params={"cursor": live_cursor})
    assert foreign.status_code == 400
    assert_error_format(foreign.json(), "invalid_request")
