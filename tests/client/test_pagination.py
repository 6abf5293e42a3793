"""Cursor walks: end markers, loops, duplicates across pages, typed list calls."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from pipeline.client import MalformedResponseError, PaginationLoopError, VeloraArgumentError

from .fakes import json_response


def stream(i: int, viewers: int | None = None) -> dict[str, object]:
    return {
        "id": f"s_{i}",
        "userId": f"u_{i}",
        "username": f"user{i}",
        "viewerCount": viewers if viewers is not None else 1000 - i,
    }


def paged(pages: list[tuple[list[dict[str, object]], object]], key: str = "streams"):
    """Handler serving ``pages`` keyed by the cursor: page 0 has no cursor, page n cursor 'c<n>'."""

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        index = 0 if cursor is None else int(cursor[1:])
        items, next_cursor = pages[index]
        return json_response(200, {key: items, "pagination": {"cursor": next_cursor}})

    return handler


@pytest.mark.parametrize(
    "last_pagination",
    [
        pytest.param({"cursor": None}, id="null-cursor"),
        pytest.param({}, id="cursor-key-missing"),
        pytest.param({"cursor": ""}, id="empty-string-cursor"),
        pytest.param(None, id="pagination-missing"),
    ],
)
def test_walk_ends_on_every_end_marker(make_client, last_pagination) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") is None:
            return json_response(200, {"streams": [stream(1)], "pagination": {"cursor": "c1"}})
        body: dict[str, object] = {"streams": [stream(2)]}
        if last_pagination is not None:
            body["pagination"] = last_pagination
        return json_response(200, body)

    client, rec = make_client(handler)
    result = client.live_streams()
    assert [s.stream_id for s in result.items] == ["s_1", "s_2"]
    assert len(result.responses) == 2 and len(rec.requests) == 2
    assert [r.page for r in result.responses] == [0, 1]


def test_limit_100_is_sent_and_cursor_follows(make_client) -> None:
    client, rec = make_client(
        paged([([stream(1)], "c1"), ([stream(2)], "c2"), ([stream(3)], None)])
    )
    result = client.live_streams()
    assert [r.url.params.get("limit") for r in rec.requests] == ["100", "100", "100"]
    assert [r.url.params.get("cursor") for r in rec.requests] == [None, "c1", "c2"]
    assert result.responses[1].params == {"limit": 100, "cursor": "c1"}
    assert result.responses[0].endpoint == "/api/streams/live"


def test_repeated_cursor_raises_pagination_loop_naming_endpoint(make_client) -> None:
    # page 2 points back at page 1's cursor: a loop that would never end
    client, rec = make_client(
        paged([([stream(1)], "c1"), ([stream(2)], "c2"), ([stream(3)], "c1")])
    )
    with pytest.raises(PaginationLoopError, match="/api/streams/live") as info:
        client.live_streams()
    assert info.value.endpoint == "/api/streams/live"
    assert len(rec.requests) == 3


def test_cursor_pointing_at_itself_raises_loop(make_client) -> None:
    client, rec = make_client(paged([([stream(1)], "c1"), ([stream(2)], "c1")]))
    with pytest.raises(PaginationLoopError):
        client.get_list("/api/streams/live", {"limit": 100}, item_keys=("streams",))
    assert len(rec.requests) == 2


def test_duplicate_across_pages_removed_and_counted(make_client) -> None:
    # the live list shifted while paging: s_2 and s_3 show up again on page 2
    pages = [([stream(1), stream(2), stream(3)], "c1"), ([stream(2), stream(3), stream(4)], None)]
    client, _ = make_client(paged(pages))
    result = client.live_streams()
    assert [s.stream_id for s in result.items] == ["s_1", "s_2", "s_3", "s_4"]
    assert result.duplicates_removed == 2
    assert client.stats.snapshot()["duplicates_removed"] == 2


def test_first_occurrence_is_kept_on_duplicates(make_client) -> None:
    pages = [([stream(1, viewers=10)], "c1"), ([stream(1, viewers=99)], None)]
    client, _ = make_client(paged(pages))
    result = client.live_streams()
    assert [s.viewer_count for s in result.items] == [10]


def test_items_without_id_are_never_deduplicated(make_client) -> None:
    client, _ = make_client(paged([([{"title": "a"}, {"title": "a"}], None)]))
    result = client.get_list("/api/streams/live", item_keys=("streams",))
    assert len(result.items) == 2 and result.duplicates_removed == 0


def test_max_pages_stops_early(make_client) -> None:
    client, rec = make_client(
        paged(
            [([{"userId": "a"}], "c1"), ([{"userId": "b"}], "c2"), ([{"userId": "c"}], None)],
            key="followers",
        )
    )
    result = client.followers("u_1", max_pages=2)
    assert [f.user_id for f in result.items] == ["a", "b"] and len(rec.requests) == 2
    assert rec.paths() == ["/api/users/u_1/followers"] * 2
    assert result.responses[0].endpoint == "/api/users/{user_id}/followers"


def test_list_without_item_list_is_malformed_and_keeps_body(make_client) -> None:
    client, _ = make_client(lambda r: json_response(200, {"message": "maintenance"}))
    with pytest.raises(MalformedResponseError) as info:
        client.live_streams()
    assert info.value.body_text is not None and "maintenance" in info.value.body_text


def test_generic_get_list_finds_unnamed_plural(make_client) -> None:
    client, _ = make_client(paged([([stream(1), stream(2)], None)]))
    result = client.get_list("/api/streams/live", {"limit": 100})
    assert [i["id"] for i in result.items] == ["s_1", "s_2"]


def test_paginate_yields_pages_with_raw_items(make_client) -> None:
    client, _ = make_client(paged([([stream(1)], "c1"), ([stream(2)], None)]))
    pages = list(
        client.paginate("/api/streams/live", params={"limit": 100}, item_keys=("streams",))
    )
    assert (
        [p.index for p in pages] == [0, 1]
        and pages[0].next_cursor == "c1"
        and pages[1].next_cursor is None
    )
    assert pages[1].items == [stream(2)]


def test_progress_callback_reports_pages_and_items(make_client, clock) -> None:
    seen: list[tuple[str, int, int]] = []
    from pipeline.client import ClientConfig, VeloraClient

    handler = paged([([stream(1), stream(2)], "c1"), ([stream(3)], None)])
    with VeloraClient(
        ClientConfig(base_url="http://velora.test"),
        httpx.MockTransport(handler),
        clock=clock,
        on_progress=lambda e, p, n: seen.append((e, p, n)),
    ) as client:
        client.live_streams()
    assert seen == [("/api/streams/live", 1, 2), ("/api/streams/live", 2, 3)]


def clip(i: int, at: str) -> dict[str, object]:
    return {"id": f"cl_{i}", "title": f"clip {i}", "createdAt": at}


def test_clips_since_stops_once_clips_are_older(make_client) -> None:
    pages = [
        ([clip(1, "2026-11-28T08:00:00Z"), clip(2, "2026-11-28T07:00:00Z")], "c1"),
        ([clip(3, "2026-11-28T06:00:00Z"), clip(4, "2026-11-28T04:00:00Z")], "c2"),
        ([clip(5, "2026-11-28T03:00:00Z")], None),
    ]
    client, rec = make_client(paged(pages, key="clips"))
    result = client.clips("alice", since=datetime(2026, 11, 28, 5, tzinfo=UTC))
    assert [c.clip_id for c in result.items] == ["cl_1", "cl_2", "cl_3"]
    assert len(rec.requests) == 2  # the third page was never needed
    assert (
        rec.requests[0].url.path == "/api/streams/alice/clips"
        and rec.requests[0].url.params["sort"] == "recent"
    )


def test_clips_without_since_walks_everything(make_client) -> None:
    pages = [([clip(1, "2026-11-28T08:00:00Z")], "c1"), ([clip(2, "not a date")], None)]
    client, _ = make_client(paged(pages, key="clips"))
    result = client.clips("alice")
    assert [c.clip_id for c in result.items] == ["cl_1", "cl_2"]
    assert result.items[1].created_at is None and any("createdAt" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda c: c.clips("alice", since=datetime(2026, 1, 1)),
            "timezone-aware",
            id="naive-since",
        ),
        pytest.param(lambda c: c.clips(""), "username", id="empty-username"),
        pytest.param(lambda c: c.user_profile("   "), "username", id="blank-username"),
        pytest.param(lambda c: c.volts_leaderboard(None), "creator_id", id="none-creator-id"),
    ],
)
def test_bad_arguments_raise_clear_errors_before_any_request(make_client, call, message) -> None:
    client, rec = make_client(lambda r: json_response(200, {}))
    with pytest.raises(VeloraArgumentError, match=message):
        call(client)
    assert rec.requests == []


def test_path_segments_are_escaped(make_client) -> None:
    client, rec = make_client(
        lambda r: json_response(200, {"user": {"id": "u_1", "username": "a/b"}})
    )
    client.user_profile("a/b")
    assert rec.requests[0].url.raw_path == b"/api/users/a%2Fb"
