"""``subscription_roster()`` and ``subscription_count()`` against fakes: every tolerated variant,
the walk's stop rules and loop guard, typed errors, and the shared 120/min subscriber bucket."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from pipeline.client import (
    Forbidden,
    MalformedResponseError,
    PaginationLoopError,
    RateLimiter,
    Unauthorized,
    VeloraArgumentError,
)
from pipeline.client.subscription_parsing import parse_roster_subscriber, parse_subscription_count

from .fakes import FakeClock, error_body, json_response

EXPIRES = "2026-02-14T20:00:00.000Z"


def subscriber(i: int) -> dict[str, Any]:
    gifted = i % 3 == 0
    return {
        "userId": f"u_{i}",
        "username": f"fan{i}",
        "displayName": f"Fan {i}",
        "tier": 1000,
        "isGift": gifted,
        "gifter": {"userId": f"g_{i}", "username": f"gifter{i}", "displayName": "G"}
        if gifted
        else None,
        "expiresAt": EXPIRES,
    }


class RosterServer:
    """Velora's roster as documented (page 1-based, perPage), with switchable quirks."""

    def __init__(
        self,
        n: int,
        *,
        envelope: str = "subscriptions",
        total_key: str | None = "total",
        cap: int | None = None,
        ignore_page: bool = False,
    ) -> None:
        self.rows = [subscriber(i) for i in range(n)]
        self.envelope = envelope
        self.total_key = total_key
        self.cap = cap
        self.ignore_page = ignore_page
        self.pages: list[tuple[int, int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        per_page = int(request.url.params.get("perPage", "50"))
        self.pages.append((page, per_page))
        served = min(per_page, self.cap) if self.cap else per_page
        start = 0 if self.ignore_page else (page - 1) * served
        rows = self.rows[start : start + served]
        extra = {self.total_key: len(self.rows)} if self.total_key else {}
        body: Any
        if self.envelope == "bare":
            body = rows
        elif self.envelope == "data-object":
            body = {"data": {"subscriptions": rows, **extra}}
        elif self.envelope == "pagination-total":
            body = {"subscriptions": rows, "pagination": {"total": len(self.rows)}}
        else:
            body = {self.envelope: rows, **extra}
        return json_response(200, body)


@pytest.mark.parametrize(
    ("envelope", "total_key", "expected_total"),
    [
        ("subscriptions", "total", 230),
        ("subscribers", "total", 230),
        ("items", "totalCount", 230),
        ("data", "count", 230),
        ("data-object", "total", 230),
        ("pagination-total", None, 230),
        ("subscriptions", None, None),
        ("bare", None, None),
    ],
    ids=[
        "documented-subscriptions-and-total",
        "subscribers-envelope",
        "items-envelope-totalCount",
        "data-envelope-count-as-total",
        "data-object-wrapping-list-and-total",
        "total-inside-pagination",
        "no-total-short-page-ends",
        "bare-array",
    ],
)
def test_every_roster_envelope_walks_to_the_full_roster(
    make_client, envelope: str, total_key: str | None, expected_total: int | None
) -> None:
    server = RosterServer(230, envelope=envelope, total_key=total_key)
    client, _ = make_client(server, access_token="user-token")
    result = client.subscription_roster()
    assert [s.user_id for s in result.items] == [f"u_{i}" for i in range(230)]
    assert result.total == expected_total
    assert server.pages == [(1, 100), (2, 100), (3, 100)]
    assert [r.page for r in result.responses] == [0, 1, 2], "every response kept, 0-based"
    assert result.warnings == []


@pytest.mark.parametrize(
    ("n", "total_key", "pages"),
    [(200, "total", 2), (200, None, 3), (0, "total", 1), (0, None, 1), (99, None, 1)],
    ids=[
        "total-reached-on-a-full-page-no-extra-request",
        "no-total-full-last-page-needs-an-empty-page",
        "empty-channel-with-total",
        "empty-channel-without-total",
        "single-short-page",
    ],
)
def test_the_walk_stops_as_soon_as_the_roster_is_complete(
    make_client, n: int, total_key: str | None, pages: int
) -> None:
    server = RosterServer(n, total_key=total_key)
    client, _ = make_client(server, access_token="user-token")
    result = client.subscription_roster()
    assert len(result.items) == n and len(server.pages) == pages == result.pages


def test_a_server_capping_per_page_is_still_read_completely(make_client) -> None:
    server = RosterServer(120, cap=50)  # answers 50 per page whatever we ask, with a total
    client, _ = make_client(server, access_token="user-token")
    result = client.subscription_roster(per_page=100)
    assert len(result.items) == 120 and result.total == 120
    assert [p for p, _ in server.pages] == [1, 2, 3]


def test_a_server_ignoring_page_trips_the_loop_guard(make_client) -> None:
    server = RosterServer(300, ignore_page=True)
    client, _ = make_client(server, access_token="user-token")
    with pytest.raises(PaginationLoopError, match="already seen"):
        client.subscription_roster()
    assert len(server.pages) == 2


def test_subscribers_repeated_across_pages_are_dropped_and_counted(make_client) -> None:
    rows = [subscriber(i) for i in range(150)]
    pages = {1: rows[:100], 2: [rows[98], rows[99], *rows[100:]]}  # two new subs shifted it

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        return json_response(200, {"subscriptions": pages.get(page, []), "total": 152})

    client, _ = make_client(handler, access_token="user-token")
    result = client.subscription_roster()
    assert len(result.items) == 150 and result.duplicates_removed == 2
    assert len(result.responses) == 3, "total not reached: one more page, empty"


def test_max_pages_and_per_page_are_respected(make_client) -> None:
    server = RosterServer(500)
    client, _ = make_client(server, access_token="user-token")
    result = client.subscription_roster(per_page=25, max_pages=2)
    assert server.pages == [(1, 25), (2, 25)] and len(result.items) == 50
    assert result.total == 500


@pytest.mark.parametrize(
    "per_page", [0, 101, True, "50", 2.5], ids=["zero", "over-100", "bool", "string", "float"]
)
def test_per_page_outside_the_documented_range_is_refused(make_client, per_page: Any) -> None:
    client, recorder = make_client(RosterServer(1), access_token="user-token")
    with pytest.raises(VeloraArgumentError):
        client.subscription_roster(per_page=per_page)
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (subscriber(3), ("g_3", "gifter3", "G")),
        ({"userId": "u", "gifter": {"id": "g", "username": "gg"}}, ("g", "gg", None)),
        (
            {"userId": "u", "gifterId": "g", "gifterUsername": "gg", "gifterDisplayName": "G G"},
            ("g", "gg", "G G"),
        ),
        ({"userId": "u", "gifter_id": "g", "gifter_username": "gg"}, ("g", "gg", None)),
        ({"userId": "u", "gifter": "gg"}, (None, "gg", None)),
        ({"userId": "u", "isGift": True, "gifter": None}, (None, None, None)),
        ({"userId": "u", "gifter": {"isAnonymous": True}}, (None, None, None)),
    ],
    ids=[
        "gifter-object-with-userId",
        "gifter-object-with-id",
        "flat-gifterId-gifterUsername",
        "flat-snake-case-gifter",
        "gifter-bare-username",
        "gift-with-null-gifter-anonymous",
        "anonymous-gifter-object",
    ],
)
def test_gifter_variants(row: dict[str, Any], expected: tuple) -> None:
    item = parse_roster_subscriber(row, [])
    assert (item.gifter_id, item.gifter_username, item.gifter_display_name) == expected


def test_roster_item_fields_and_nested_user_variant() -> None:
    item = parse_roster_subscriber(subscriber(3), [])
    assert (item.user_id, item.username, item.display_name, item.tier, item.is_gift) == (
        "u_3",
        "fan3",
        "Fan 3",
        "1000",
        True,
    )
    assert item.expires_at == datetime(2026, 2, 14, 20, 0, tzinfo=UTC)
    nested = parse_roster_subscriber(
        {"user": {"id": "u_9", "username": "nine"}, "tier": "2000", "expires_at": 1_771_099_200},
        [],
    )
    assert (nested.user_id, nested.username, nested.tier) == ("u_9", "nine", "2000")
    assert nested.expires_at == datetime(2026, 2, 14, 20, 0, tzinfo=UTC)
    warnings: list[str] = []
    assert (
        parse_roster_subscriber({"userId": "x", "expiresAt": "soon"}, warnings).expires_at is None
    )
    assert warnings and "expiresAt" in warnings[0]


@pytest.mark.parametrize(
    "body",
    [
        {"count": 42},
        {"total": 42},
        {"subscriberCount": 42},
        {"activeSubscribers": 42},
        {"active_subscribers": 42},
        {"data": {"count": 42}},
        {"count": "42"},
        42,
    ],
    ids=[
        "documented-assumed-count",
        "total",
        "subscriberCount",
        "activeSubscribers",
        "snake-case-active_subscribers",
        "wrapped-in-data",
        "count-as-string",
        "bare-number",
    ],
)
def test_every_count_body_variant(make_client, body: Any) -> None:
    client, recorder = make_client(lambda r: json_response(200, body), access_token="user-token")
    result = client.subscription_count()
    assert result.item.count == 42
    assert result.response.status == 200 and result.item.raw == body
    assert recorder.paths() == ["/api/developer/subscriptions/count"]


@pytest.mark.parametrize(
    "body", [{"subscribers": []}, {"count": "many"}, [1, 2]], ids=["no-count", "junk", "array"]
)
def test_a_body_without_a_count_is_malformed(make_client, body: Any) -> None:
    client, _ = make_client(lambda r: json_response(200, body), access_token="user-token")
    with pytest.raises(MalformedResponseError):
        client.subscription_count()
    assert parse_subscription_count(body, []) is None


@pytest.mark.parametrize(
    ("status", "code", "details", "error", "hint"),
    [
        (403, "forbidden", {"required_grant": "authorization_code"}, Forbidden, "user token"),
        (403, "insufficient_scope", {"required_scope": "subscriptions:read"}, Forbidden, "scope"),
        (401, "unauthorized", {}, Unauthorized, "unauthorized"),
    ],
    ids=["app-only-token-forbidden", "missing-subscriptions-read-scope", "no-valid-token"],
)
@pytest.mark.parametrize("call", ["subscription_count", "subscription_roster"])
def test_typed_errors(
    make_client, call: str, status: int, code: str, details: dict, error: type, hint: str
) -> None:
    body = {**error_body(code, "nope"), "details": details}
    client, _ = make_client(lambda r: json_response(status, body), access_token="t")
    with pytest.raises(error, match=hint) as caught:
        getattr(client, call)()
    assert caught.value.status == status and caught.value.code == code


@pytest.mark.parametrize(
    "path",
    ["/api/developer/subscriptions", "/api/developer/subscriptions/count"],
    ids=["roster", "count"],
)
def test_both_endpoints_draw_from_the_subscriber_bucket(path: str) -> None:
    assert RateLimiter.buckets_for(path) == ("default", "subscribers")
    assert RateLimiter.observing_bucket(path) == "subscribers"


def test_roster_count_and_creator_subscribers_share_120_per_minute(
    make_client, clock: FakeClock
) -> None:
    """Velora counts every subscriber endpoint in one 120/min window per client."""
    windows: dict[int, int] = {}
    served_429 = []

    def handler(request: httpx.Request) -> httpx.Response:
        window = int(clock.time() // 60)
        windows[window] = windows.get(window, 0) + 1
        reset = (window + 1) * 60
        headers = {
            "X-RateLimit-Limit": "120",
            "X-RateLimit-Remaining": str(max(120 - windows[window], 0)),
            "X-RateLimit-Reset": str(reset),
        }
        if windows[window] > 120:
            served_429.append(request.url.path)
            wait = str(int(reset - clock.time()) + 1)
            return json_response(
                429, error_body("rate_limit_exceeded", "slow"), {**headers, "Retry-After": wait}
            )
        if request.url.path.endswith("/count"):
            return json_response(200, {"count": 1}, headers)
        key = "subscriptions" if "developer" in request.url.path else "subscribers"
        return json_response(200, {key: [subscriber(1)], "total": 1}, headers)

    client, _ = make_client(handler, access_token="user-token")
    start = clock.time()
    for i in range(300):
        [client.subscription_count, client.subscription_roster, lambda: client.subscribers("u_1")][
            i % 3
        ]()
    assert served_429 == []
    assert clock.time() - start >= 120, "300 requests at 120/min need more than two minutes"
