"""Tolerant parsing: each case id names the wire variant it guards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.client import parsing

STREAM = {
    "id": "s_1",
    "userId": "u_1",
    "username": "alice",
    "displayName": "Alice",
    "title": "hello",
    "viewerCount": 123,
    "startedAt": "2026-11-28T08:15:00.000Z",
    "thumbnailUrl": "https://cdn/x.jpg",
    "language": "en",
    "tags": ["chill"],
    "isMature": False,
    "category": {"id": "c_1", "slug": "just-chatting", "name": "Just Chatting"},
}


@pytest.mark.parametrize(
    ("body", "expected_len"),
    [
        pytest.param(
            {"streams": [STREAM], "pagination": {"cursor": None}}, 1, id="plural-envelope"
        ),
        pytest.param({"items": [STREAM, STREAM]}, 2, id="items-envelope"),
        pytest.param({"data": [STREAM]}, 1, id="data-envelope"),
        pytest.param([STREAM, STREAM, STREAM], 3, id="bare-array"),
        pytest.param({"data": {"streams": [STREAM]}}, 1, id="data-wrapping-plural"),
        pytest.param({"results": [STREAM], "total": 1}, 1, id="unknown-plural-single-list"),
        pytest.param({"streams": []}, 0, id="empty-list"),
    ],
)
def test_extract_list_envelope_variants(body: object, expected_len: int) -> None:
    rows = parsing.extract_list(body, ("streams",))
    assert rows is not None and len(rows) == expected_len


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"message": "hi"}, id="no-list-at-all"),
        pytest.param("just a string", id="scalar-body"),
        pytest.param({"a": [1], "b": [2]}, id="two-unknown-lists-ambiguous"),
    ],
)
def test_extract_list_refuses_bodies_without_an_item_list(body: object) -> None:
    assert parsing.extract_list(body, ("streams",)) is None


@pytest.mark.parametrize(
    ("body", "cursor"),
    [
        pytest.param({"pagination": {"cursor": "abc"}}, "abc", id="documented-cursor"),
        pytest.param({"pagination": {"cursor": None}}, None, id="null-cursor-ends"),
        pytest.param({"pagination": {}}, None, id="missing-cursor-ends"),
        pytest.param({"streams": []}, None, id="missing-pagination-ends"),
        pytest.param({"pagination": {"cursor": ""}}, None, id="empty-string-cursor-ends"),
        pytest.param({"pagination": {"cursor": "  "}}, None, id="blank-cursor-ends"),
        pytest.param({"pagination": {"nextCursor": "n1"}}, "n1", id="nextCursor-alias"),
        pytest.param({"next_cursor": "n2"}, "n2", id="top-level-snake-cursor"),
        pytest.param([1, 2], None, id="bare-array-has-no-cursor"),
    ],
)
def test_extract_cursor_variants(body: object, cursor: str | None) -> None:
    assert parsing.extract_cursor(body) == cursor


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "2026-11-28T08:15:00.000Z", datetime(2026, 11, 28, 8, 15, tzinfo=UTC), id="millis-Z"
        ),
        pytest.param(
            "2026-11-28T08:15:00Z", datetime(2026, 11, 28, 8, 15, tzinfo=UTC), id="no-millis-Z"
        ),
        pytest.param(
            "2026-11-28T09:15:00+01:00", datetime(2026, 11, 28, 8, 15, tzinfo=UTC), id="offset"
        ),
        pytest.param(
            "2026-11-28T08:15:00.123456789Z",
            datetime(2026, 11, 28, 8, 15, 0, 123456, tzinfo=UTC),
            id="nanoseconds",
        ),
        pytest.param(
            "2026-11-28T08:15:00", datetime(2026, 11, 28, 8, 15, tzinfo=UTC), id="naive-is-utc"
        ),
        pytest.param(
            "2026-11-28 08:15:00.5z",
            datetime(2026, 11, 28, 8, 15, 0, 500000, tzinfo=UTC),
            id="space-separator-lower-z",
        ),
        pytest.param(1795854900, datetime.fromtimestamp(1795854900, tz=UTC), id="unix-seconds"),
        pytest.param(1795854900000, datetime.fromtimestamp(1795854900, tz=UTC), id="unix-millis"),
    ],
)
def test_timestamp_variants_become_aware_utc(value: object, expected: datetime) -> None:
    warnings: list[str] = []
    parsed = parsing.parse_timestamp(value, "startedAt", warnings)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)
    assert warnings == []


@pytest.mark.parametrize("value", ["yesterday", "2026-13-45T99:00:00Z", {"at": 1}, True])
def test_bad_timestamp_is_none_plus_warning(value: object) -> None:
    warnings: list[str] = []
    assert parsing.parse_timestamp(value, "startedAt", warnings) is None
    assert len(warnings) == 1 and "startedAt" in warnings[0]


def test_documented_stream_parses_every_field() -> None:
    warnings: list[str] = []
    s = parsing.parse_stream(dict(STREAM), warnings)
    assert (s.stream_id, s.user_id, s.username, s.display_name) == ("s_1", "u_1", "alice", "Alice")
    assert s.viewer_count == 123 and s.title == "hello" and s.language == "en"
    assert s.started_at == datetime(2026, 11, 28, 8, 15, tzinfo=UTC)
    assert (s.category_id, s.category_slug, s.category_name) == (
        "c_1",
        "just-chatting",
        "Just Chatting",
    )
    assert s.tags == ["chill"] and s.is_mature is False and s.thumbnail_url == "https://cdn/x.jpg"
    assert warnings == []


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(
            {"categorySlug": "just-chatting", "categoryName": "Just Chatting", "category": None},
            id="flat-category",
        ),
        pytest.param({"viewers": 123, "viewerCount": None}, id="viewers-alias"),
        pytest.param(
            {"viewer_count": 123, "viewerCount": None, "user_id": "u_1", "userId": None},
            id="snake-case-keys",
        ),
        pytest.param({"viewerCount": "123"}, id="numeric-string"),
        pytest.param({"startedAt": "2026-11-28T08:15:00Z"}, id="timestamp-without-millis"),
    ],
)
def test_stream_variants_parse_to_same_values(variant: dict[str, object]) -> None:
    doc = {**STREAM, **variant}
    doc = {k: v for k, v in doc.items() if v is not None}
    s = parsing.parse_stream(doc, [])
    assert s.viewer_count == 123 and s.user_id == "u_1"
    assert s.category_slug == "just-chatting" and s.category_name == "Just Chatting"
    assert s.started_at == datetime(2026, 11, 28, 8, 15, tzinfo=UTC)


def test_unknown_fields_are_kept_in_raw_and_missing_optionals_are_none() -> None:
    doc = {"id": "s_9", "viewerCount": 5, "brandNewField": {"x": 1}}
    s = parsing.parse_stream(doc, [])
    assert s.raw["brandNewField"] == {"x": 1}
    assert s.title is None and s.started_at is None and s.category_slug is None and s.tags == []


def test_wrong_type_viewer_count_is_none_plus_warning() -> None:
    warnings: list[str] = []
    s = parsing.parse_stream({**STREAM, "viewerCount": "lots"}, warnings)
    assert s.viewer_count is None and any("viewerCount" in w for w in warnings)


def test_growing_stream_keeps_growth_fields() -> None:
    s = parsing.parse_stream({**STREAM, "viewerGrowth": 40, "growthPercent": 12.5}, [])
    assert s.viewer_growth == 40 and s.growth_percent == 12.5


ENTRY = {"rank": 1, "userId": "u_9", "username": "bob", "displayName": "Bob"}


@pytest.mark.parametrize(
    ("board", "value_key"),
    [
        pytest.param("volts", "amount", id="volts-amount"),
        pytest.param("volts", "volts", id="volts-volts-alias"),
        pytest.param("gifts", "giftCount", id="gifts-giftCount"),
        pytest.param("gifts", "gifts", id="gifts-gifts-alias"),
        pytest.param("gifts", "count", id="gifts-count-alias"),
        pytest.param("points", "points", id="points-points"),
        pytest.param("points", "balance", id="points-balance-alias"),
    ],
)
def test_leaderboard_value_aliases(board: str, value_key: str) -> None:
    body = {
        "creatorId": "u_1",
        "period": "all",
        "updatedAt": "2026-11-28T08:00:00.000Z",
        "leaderboard": [{**ENTRY, value_key: 500}],
    }
    entries = parsing.parse_leaderboard(body, board, "u_1", [])
    assert entries is not None and entries[0].value == 500 and entries[0].board == board
    assert entries[0].period == "all" and entries[0].updated_at == datetime(
        2026, 11, 28, 8, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda rows: {"leaderboard": rows}, id="leaderboard-key"),
        pytest.param(lambda rows: {"entries": rows}, id="entries-key"),
        pytest.param(lambda rows: {"items": rows}, id="items-key"),
        pytest.param(lambda rows: {"data": rows}, id="data-key"),
        pytest.param(lambda rows: rows, id="bare-array"),
    ],
)
def test_leaderboard_envelopes_and_missing_rank_becomes_position(wrap) -> None:  # noqa: ANN001
    rows = [
        {"userId": "a", "amount": 30},
        {"userId": "b", "amount": 20},
        {"rank": 7, "userId": "c", "amount": 10},
    ]
    entries = parsing.parse_leaderboard(wrap(rows), "volts", "u_1", [])
    assert entries is not None
    assert [(e.rank, e.user_id, e.value) for e in entries] == [
        (1, "a", 30),
        (2, "b", 20),
        (7, "c", 10),
    ]
    assert all(e.creator_id == "u_1" for e in entries)


STATS = {
    "channelId": "u_1",
    "isLive": True,
    "viewerCount": 50,
    "chatters": 20,
    "messagesPerMinute": 12.5,
    "messagesLastHour": 700,
    "uniqueChattersLastHour": 90,
    "emotesPerMinute": 3.0,
    "updatedAt": "2026-11-28T08:00:00Z",
}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(STATS, id="flat-chat-stats"),
        pytest.param({"stats": STATS}, id="wrapped-chat-stats"),
    ],
)
def test_chat_stats_flat_or_wrapped(body: object) -> None:
    stats = parsing.parse_chat_stats(body, "u_1", [])
    assert stats is not None
    assert (stats.channel_id, stats.is_live, stats.viewer_count, stats.chatters) == (
        "u_1",
        True,
        50,
        20,
    )
    assert stats.messages_per_minute == 12.5 and stats.unique_chatters_last_hour == 90


USER = {
    "id": "u_1",
    "username": "alice",
    "displayName": "Alice",
    "followerCount": 1000,
    "followingCount": 3,
    "isLive": False,
    "isPartner": True,
    "createdAt": "2024-01-01T00:00:00.000Z",
}


@pytest.mark.parametrize(
    "body",
    [pytest.param(USER, id="flat-profile"), pytest.param({"user": USER}, id="wrapped-profile")],
)
def test_user_profile_flat_or_wrapped(body: object) -> None:
    profile = parsing.parse_user_profile(body, [])
    assert profile is not None
    assert (profile.user_id, profile.username, profile.follower_count, profile.is_partner) == (
        "u_1",
        "alice",
        1000,
        True,
    )
    assert profile.created_at == datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "live", "slug"),
    [
        pytest.param(
            {
                "user": {"id": "u_1", "username": "alice"},
                "stream": {"id": "s_1", "title": "t", "viewerCount": 5},
                "category": {"slug": "art", "name": "Art"},
                "isLive": True,
            },
            True,
            "art",
            id="nested-live-category-beside-stream",
        ),
        pytest.param(
            {
                "user": {"id": "u_1", "username": "alice"},
                "stream": None,
                "category": None,
                "isLive": False,
            },
            False,
            None,
            id="nested-offline",
        ),
        pytest.param({**STREAM, "isLive": True}, True, "just-chatting", id="flat-live"),
        pytest.param(
            {"username": "alice", "userId": "u_1", "isLive": False}, False, None, id="flat-offline"
        ),
    ],
)
def test_channel_stream_nested_or_flat(
    body: dict[str, object], live: bool, slug: str | None
) -> None:
    result = parsing.parse_channel_stream(body, "alice", [])
    assert (
        result is not None
        and result.is_live is live
        and result.username == "alice"
        and result.user_id == "u_1"
    )
    if live:
        assert (
            result.stream is not None
            and result.stream.category_slug == slug
            and result.stream.user_id == "u_1"
        )
    else:
        assert result.stream is None


def test_clip_fields_and_clipped_by() -> None:
    clip = parsing.parse_clip(
        {
            "id": "cl_1",
            "title": "wow",
            "creatorId": "u_1",
            "creatorUsername": "alice",
            "clippedBy": {"id": "u_2", "username": "bob"},
            "durationSeconds": 30,
            "viewCount": 9,
            "createdAt": "2026-11-28T07:00:00+00:00",
            "categorySlug": "art",
        },
        [],
    )
    assert (clip.clip_id, clip.clipped_by_id, clip.clipped_by_username, clip.view_count) == (
        "cl_1",
        "u_2",
        "bob",
        9,
    )
    assert clip.created_at == datetime(2026, 11, 28, 7, tzinfo=UTC) and clip.category_slug == "art"


def test_team_member_and_follower_and_subscriber() -> None:
    m = parsing.parse_team_member(
        {"userId": "u_1", "username": "a", "role": "owner", "isLive": "true"}, "team-x", []
    )
    assert (m.team_slug, m.user_id, m.role, m.is_live) == ("team-x", "u_1", "owner", True)
    f = parsing.parse_follower({"userId": "u_2", "followedAt": "2026-01-01T00:00:00Z"}, [])
    assert f.user_id == "u_2" and f.followed_at == datetime(2026, 1, 1, tzinfo=UTC)
    s = parsing.parse_subscriber({"userId": "u_3", "tier": "1", "isGift": False, "months": 4}, [])
    assert (s.user_id, s.tier, s.is_gift, s.months) == ("u_3", "1", False, 4)


@pytest.mark.parametrize(
    ("item", "keys", "expected"),
    [
        pytest.param({"id": "s_1"}, ("id",), "s_1", id="string-id"),
        pytest.param({"id": 42}, ("id",), "42", id="numeric-id"),
        pytest.param({"userId": "u_1"}, ("userId", "id"), "u_1", id="userId-first"),
        pytest.param({"user_id": "u_1"}, ("userId",), "u_1", id="snake-id"),
        pytest.param({"title": "x"}, ("id",), None, id="no-id-never-deduplicated"),
    ],
)
def test_item_id(item: dict[str, object], keys: tuple[str, ...], expected: str | None) -> None:
    assert parsing.item_id(item, keys) == expected


@pytest.mark.parametrize(
    ("parse", "body"),
    [
        pytest.param(
            lambda b: parsing.parse_chat_stats(b, "u_1", []),
            {"streams": []},
            id="chat-stats-unrelated-body",
        ),
        pytest.param(
            lambda b: parsing.parse_user_profile(b, []),
            {"status": "ok"},
            id="profile-without-identity",
        ),
        pytest.param(lambda b: parsing.parse_user_profile(b, []), ["x"], id="profile-array-body"),
        pytest.param(
            lambda b: parsing.parse_channel_stream(b, "a", []),
            "text",
            id="channel-stream-string-body",
        ),
    ],
)
def test_unrecognisable_objects_are_refused_not_guessed(parse, body) -> None:  # noqa: ANN001
    assert parse(body) is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"team": {"id": "t_1", "slug": "crew", "memberCount": 3}}, id="wrapped-team"),
        pytest.param({"id": "t_1", "slug": "crew", "memberCount": "3"}, id="flat-team"),
    ],
)
def test_team_object_flat_or_wrapped(body: object) -> None:
    team = parsing.parse_team_object(body, [])
    assert team is not None and (team.team_id, team.slug, team.member_count) == ("t_1", "crew", 3)
