"""Transforms from stored response bodies to typed rows: every wire quirk we tolerate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipeline.ingest.transforms import (
    Body,
    category_snapshot_rows,
    channel_profile_rows,
    chat_stats_rows,
    clip_rows,
    leaderboard_rows,
    stream_snapshot_rows,
    team_member_rows,
    team_rows,
)

POLL = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
FETCHED = POLL + timedelta(seconds=3)


def stream(i: int, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"s_{i}",
        "userId": f"u_{i}",
        "username": f"user{i}",
        "displayName": f"User {i}",
        "title": "hello",
        "viewerCount": 1000 - i,
        "startedAt": "2026-01-15T18:00:00.000Z",
        "language": "en",
        "tags": ["fps"],
        "isMature": False,
        "category": {"id": "c_1", "slug": "just-chatting", "name": "Just Chatting"},
    }
    item.update(extra)
    return item


def body(data: Any, page: int = 0, path: str = "/api/streams/live") -> Body:
    return Body(path=path, page=page, fetched_at=FETCHED, data=data)


@pytest.mark.parametrize(
    "envelope",
    [
        pytest.param(
            lambda items: {"streams": items, "pagination": {"cursor": None}}, id="plural-key"
        ),
        pytest.param(lambda items: {"items": items}, id="items-envelope"),
        pytest.param(lambda items: {"data": items}, id="data-envelope"),
        pytest.param(lambda items: items, id="bare-array"),
    ],
)
def test_stream_envelope_variants_give_the_same_rows(envelope: Any) -> None:
    result = stream_snapshot_rows("live", [body(envelope([stream(1), stream(2)]))], POLL)
    assert [r["stream_id"] for r in result.rows] == ["s_1", "s_2"]
    assert [r["position"] for r in result.rows] == [1, 2]
    assert result.rows[0]["viewer_count"] == 999
    assert result.rows[0]["started_at"] == datetime(2026, 1, 15, 18, tzinfo=UTC)
    assert result.rows[0]["category_slug"] == "just-chatting"
    assert not result.rejects


@pytest.mark.parametrize(
    ("item", "column", "expected"),
    [
        pytest.param({"viewers": 42, "viewerCount": None}, "viewer_count", 42, id="viewers-alias"),
        pytest.param({"viewerCount": "17"}, "viewer_count", 17, id="viewer-count-as-string"),
        pytest.param(
            {"category": None, "categorySlug": "art", "categoryName": "Art"},
            "category_slug",
            "art",
            id="flat-category",
        ),
        pytest.param({"category": None}, "category_slug", None, id="missing-category"),
        pytest.param({"startedAt": None}, "started_at", None, id="missing-started-at"),
        pytest.param({"tags": None}, "tags", None, id="missing-tags"),
        pytest.param(
            {"startedAt": "2026-01-15T19:00:00+01:00"},
            "started_at",
            datetime(2026, 1, 15, 18, tzinfo=UTC),
            id="offset-timestamp",
        ),
    ],
)
def test_stream_field_variants(item: dict[str, Any], column: str, expected: Any) -> None:
    result = stream_snapshot_rows("top", [body([stream(1, **item)])], POLL)
    assert not result.rejects
    assert result.rows[0][column] == expected
    assert result.rows[0]["source"] == "top"


def test_getting_started_stream_has_every_documented_field_typed() -> None:
    # developer.velora.tv/docs/getting-started: the first request's response, as documented.
    documented = {
        "streams": [
            {
                "id": "abc123",
                "userId": "user_123",
                "username": "coolstreamer",
                "title": "Playing Velora Games!",
                "viewerCount": 1234,
                "startedAt": "2026-01-18T10:30:00Z",
                "thumbnailUrl": "https://cdn.velora.tv/thumb.jpg",
            }
        ],
        "pagination": {"cursor": "eyJsYXN0X2lkIjoi..."},
    }
    result = stream_snapshot_rows("live", [body(documented, path="/api/streams")], POLL)
    assert not result.rejects
    row = result.rows[0]
    assert (row["stream_id"], row["user_id"], row["username"], row["title"]) == (
        "abc123",
        "user_123",
        "coolstreamer",
        "Playing Velora Games!",
    )
    assert row["viewer_count"] == 1234
    assert row["started_at"] == datetime(2026, 1, 18, 10, 30, tzinfo=UTC)
    assert row["thumbnail_url"] == "https://cdn.velora.tv/thumb.jpg"


def test_snake_case_stream_keys() -> None:
    item = {"id": "s_9", "user_id": "u_9", "viewer_count": 5, "started_at": "2026-01-15T19:00:00Z"}
    result = stream_snapshot_rows("live", [body([item])], POLL)
    assert result.rows[0]["user_id"] == "u_9"
    assert result.rows[0]["viewer_count"] == 5


def test_duplicate_stream_across_pages_is_kept_once_at_first_position() -> None:
    pages = [
        body({"streams": [stream(1), stream(2)]}, page=0),
        body({"streams": [stream(2), stream(3)]}, page=1),  # directory shifted while paging
    ]
    result = stream_snapshot_rows("live", pages, POLL)
    assert [r["stream_id"] for r in result.rows] == ["s_1", "s_2", "s_3"]
    assert [r["position"] for r in result.rows] == [1, 2, 3]
    assert result.duplicates == 1


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        pytest.param(stream(1, startedAt="yesterday-ish"), "startedAt", id="bad-timestamp"),
        pytest.param(stream(1, id=None), "id", id="missing-stream-id"),
        pytest.param(stream(1, viewerCount="lots"), "viewerCount", id="non-numeric-viewers"),
        pytest.param(stream(1, viewerCount=None), "viewerCount", id="missing-viewers"),
        pytest.param(stream(1, viewerCount=10**30), "viewerCount", id="viewers-beyond-int64"),
        pytest.param("not-an-object", "not a JSON object", id="item-not-object"),
    ],
)
def test_untypable_items_become_rejects_not_silent_drops(item: Any, reason: str) -> None:
    result = stream_snapshot_rows("live", [body([item, stream(2)])], POLL)
    assert [r["stream_id"] for r in result.rows] == ["s_2"]
    assert len(result.rejects) == 1
    assert reason in result.rejects[0].reason
    assert not result.rejects[0].whole_body


def test_negative_viewers_pass_the_transform_for_the_schema_to_quarantine() -> None:
    result = stream_snapshot_rows("live", [body([stream(1, viewerCount=-5)])], POLL)
    assert result.rows[0]["viewer_count"] == -5


def test_body_without_a_list_is_a_whole_body_reject() -> None:
    result = stream_snapshot_rows("live", [body({"error": "oops"})], POLL)
    assert not result.rows
    assert result.rejects[0].whole_body


def test_growing_streams_carry_growth() -> None:
    result = stream_snapshot_rows(
        "growing", [body([stream(1, viewerGrowth=120, growthPercent=12.5)])], POLL
    )
    assert result.rows[0]["viewer_growth"] == 120
    assert result.rows[0]["growth_percent"] == 12.5


@pytest.mark.parametrize(
    ("board", "entry", "amount"),
    [
        pytest.param("volts", {"amount": 500}, 500, id="volts-amount"),
        pytest.param("volts", {"volts": 400}, 400, id="volts-alias"),
        pytest.param("gifts", {"giftCount": 7}, 7, id="gifts-giftCount"),
        pytest.param("gifts", {"gifts": 6}, 6, id="gifts-alias"),
        pytest.param("gifts", {"count": 5}, 5, id="gifts-count-alias"),
        pytest.param("points", {"points": 9000}, 9000, id="points"),
        pytest.param("points", {"balance": 8000}, 8000, id="points-balance-alias"),
    ],
)
def test_leaderboard_amount_variants(board: str, entry: dict[str, Any], amount: int) -> None:
    data = {
        "creatorId": "u_1",
        "period": "all",
        "updatedAt": "2026-01-15T19:59:00.000Z",
        "leaderboard": [{"rank": 1, "userId": "v_1", "username": "fan", **entry}],
    }
    result = leaderboard_rows(board, [body(data, path="/api/x/u_1")], POLL)
    assert result.rows[0]["amount"] == amount
    assert result.rows[0]["board"] == board
    assert result.rows[0]["creator_id"] == "u_1"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        pytest.param(
            {"entries": [{"userId": "a", "amount": 3}, {"userId": "b", "amount": 2}]},
            "/api/volts/leaderboard/u_7",
            id="entries-envelope-creator-from-path",
        ),
        pytest.param(
            [{"userId": "a", "amount": 3}, {"userId": "b", "amount": 2}],
            "/api/volts/leaderboard/u_7",
            id="bare-array",
        ),
    ],
)
def test_leaderboard_missing_rank_means_list_order(data: Any, path: str) -> None:
    result = leaderboard_rows("volts", [body(data, path=path)], POLL)
    assert [(r["user_id"], r["rank"]) for r in result.rows] == [("a", 1), ("b", 2)]
    assert {r["creator_id"] for r in result.rows} == {"u_7"}


def test_gift_leaderboard_creator_from_path() -> None:
    path = "/api/subscriptions/creator/u_3/gift-leaderboard"
    result = leaderboard_rows(
        "gifts", [body({"leaderboard": [{"userId": "a", "giftCount": 1}]}, path=path)], POLL
    )
    assert result.rows[0]["creator_id"] == "u_3"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"channelId": "u_1", "chatters": 10, "messagesPerMinute": 4.5}, id="flat"),
        pytest.param(
            {"stats": {"channelId": "u_1", "chatters": 10, "messagesPerMinute": 4.5}},
            id="wrapped-in-stats",
        ),
        pytest.param({"chatters": 10, "messagesPerMinute": 4.5}, id="channel-id-from-path"),
    ],
)
def test_chat_stats_variants(data: Any) -> None:
    result = chat_stats_rows([body(data, path="/api/chat/channels/u_1/stats")], POLL)
    assert result.rows[0]["channel_id"] == "u_1"
    assert result.rows[0]["chatters"] == 10
    assert result.rows[0]["messages_per_minute"] == 4.5


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"id": "u_1", "username": "alice", "followerCount": 12}, id="flat-profile"),
        pytest.param(
            {"user": {"id": "u_1", "username": "alice", "followerCount": 12}}, id="wrapped-in-user"
        ),
        pytest.param(
            {"id": "u_1", "username": "alice", "followers": "12"}, id="followers-alias-as-string"
        ),
    ],
)
def test_profile_variants(data: Any) -> None:
    result = channel_profile_rows([body(data, path="/api/users/alice")], POLL)
    assert result.rows[0]["follower_count"] == 12
    assert result.rows[0]["user_id"] == "u_1"


def test_profile_without_follower_count_is_rejected() -> None:
    result = channel_profile_rows([body({"id": "u_1", "username": "alice"})], POLL)
    assert not result.rows and "followerCount" in result.rejects[0].reason


def test_clips_take_creator_from_path_and_dedupe() -> None:
    clip = {
        "id": "cl_1",
        "viewCount": 5,
        "createdAt": "2026-01-15T19:00:00Z",
        "clippedBy": {"id": "v", "username": "viewer"},
    }
    pages = [
        body({"clips": [clip]}, path="/api/streams/alice/clips"),
        body({"clips": [clip]}, page=1, path="/api/streams/alice/clips"),
    ]
    result = clip_rows(pages, POLL)
    assert len(result.rows) == 1 and result.duplicates == 1
    row = result.rows[0]
    assert row["creator_username"] == "alice"
    assert row["clipped_by_username"] == "viewer"
    assert row["first_seen_at"] == row["last_seen_at"] == POLL


def test_clip_without_created_at_is_rejected() -> None:
    result = clip_rows([body({"clips": [{"id": "cl_1"}]}, path="/api/streams/a/clips")], POLL)
    assert not result.rows and "createdAt" in result.rejects[0].reason


def test_categories_default_missing_totals_to_zero() -> None:
    data = {"categories": [{"slug": "art", "viewerCount": 10, "streamCount": 2}, {"slug": "music"}]}
    result = category_snapshot_rows([body(data, path="/api/categories")], POLL)
    assert [(r["category_slug"], r["viewer_count"], r["position"]) for r in result.rows] == [
        ("art", 10, 1),
        ("music", 0, 2),
    ]


def test_teams_and_members_split_by_path() -> None:
    bodies = [
        body({"teams": [{"slug": "red", "name": "Red", "memberCount": 2}]}, path="/api/teams"),
        body(
            {"members": [{"userId": "u_1", "role": "owner"}, {"userId": "u_2"}]},
            path="/api/teams/red/members",
        ),
    ]
    teams = team_rows(bodies, POLL)
    members = team_member_rows(bodies, POLL)
    assert [r["team"] for r in teams.rows] == ["red"]
    assert [(r["team"], r["user_id"]) for r in members.rows] == [("red", "u_1"), ("red", "u_2")]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"creatorId": {"id": "u_1"}, "leaderboard": []}, id="creator-id-not-a-string"),
        pytest.param({"updatedAt": "soon", "leaderboard": []}, id="bad-updated-at"),
        pytest.param({"leaderboard": "none"}, id="leaderboard-not-a-list"),
    ],
)
def test_unusable_leaderboard_envelope_is_a_whole_body_reject(data: Any) -> None:
    result = leaderboard_rows("volts", [body(data, path="/api/volts/leaderboard/u_1")], POLL)
    assert not result.rows and result.rejects[0].whole_body


@pytest.mark.parametrize(
    "data",
    [
        pytest.param([{"id": "u_1"}], id="profile-as-array"),
        pytest.param("just text", id="profile-as-string"),
    ],
)
def test_unusable_profile_body_is_a_whole_body_reject(data: Any) -> None:
    result = channel_profile_rows([body(data, path="/api/users/alice")], POLL)
    assert not result.rows and result.rejects[0].whole_body
