"""Proactive pacing against a simulated fixed-window server (fake clock: no real sleeping)."""

from __future__ import annotations

import math
import threading

import httpx
import pytest

from pipeline.client.ratelimit import RateLimiter

from .fakes import FakeClock, error_body, json_response


class FixedWindowServer:
    """Velora's documented limiter: N requests per fixed 60 s window, headers on every response,
    429 with Retry-After beyond it. ``other_traffic`` requests per window come from elsewhere."""

    def __init__(
        self, clock: FakeClock, limit: int, *, subscribers_limit: int = 120, other_traffic: int = 0
    ) -> None:
        self.clock = clock
        self.limits = {"default": limit, "subscribers": subscribers_limit}
        self.other_traffic = other_traffic
        self.windows: dict[tuple[str, int], int] = {}
        self.count_429 = 0
        self.sent_at: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            now = self.clock.time()
            self.sent_at.append(now)
            bucket = "subscribers" if request.url.path.endswith("/subscribers") else "default"
            window = int(now // 60)
            key = (bucket, window)
            used = self.windows.get(key, self.other_traffic if bucket == "default" else 0) + 1
            self.windows[key] = used
            limit = self.limits[bucket]
            reset = (window + 1) * 60
            headers = {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(max(limit - used, 0)),
                "X-RateLimit-Reset": str(reset),
            }
            if used > limit:
                self.count_429 += 1
                wait = math.ceil(reset - now)
                headers["Retry-After"] = str(wait)
                return json_response(
                    429, error_body("rate_limit_exceeded", "slow down", retry_after=wait), headers
                )
            key_name = "subscribers" if bucket == "subscribers" else "streams"
            return json_response(
                200,
                {key_name: [{"id": f"x{len(self.sent_at)}"}], "pagination": {"cursor": None}},
                headers,
            )


def test_unpaced_burst_does_get_429_from_the_simulated_server(clock) -> None:
    # guards the guard: the simulator really enforces its limit
    server = FixedWindowServer(clock, limit=30)
    with httpx.Client(transport=httpx.MockTransport(server), base_url="http://velora.test") as raw:
        statuses = [raw.get("/api/streams/live").status_code for _ in range(40)]
    assert statuses.count(429) == 10


@pytest.mark.parametrize(
    ("limit", "requests", "other_traffic"),
    [
        pytest.param(30, 200, 0, id="sandbox-30-per-min-never-429"),
        pytest.param(800, 2000, 0, id="production-800-per-min-never-429"),
        pytest.param(100, 300, 40, id="shared-client-id-other-traffic-never-429"),
    ],
)
def test_default_pacing_never_sees_429(make_client, clock, limit, requests, other_traffic) -> None:
    server = FixedWindowServer(clock, limit=limit, other_traffic=other_traffic)
    client, _ = make_client(server)
    start = clock.time()
    for _ in range(requests):
        client.featured_streams()
    assert server.count_429 == 0
    assert client.stats.rate_limited == 0
    windows_needed = requests / (limit - other_traffic)
    assert clock.time() - start >= (math.ceil(windows_needed) - 1) * 60 - 60  # it did slow down
    assert client.stats.snapshot()["requests"] == requests


def test_pacing_spreads_remaining_over_time_to_reset(clock) -> None:
    limiter = RateLimiter(clock, ceiling_per_minute=800, burst=8, safety_margin=2)
    reset = (int(clock.time() // 60) + 1) * 60
    limiter.observe(
        "/api/streams/live",
        {
            "x-ratelimit-limit": "800",
            "x-ratelimit-remaining": "12",
            "x-ratelimit-reset": str(reset),
        },
    )
    time_left = reset - clock.time()
    sends = []
    for _ in range(10):  # exactly what remains above the safety margin
        limiter.acquire("/api/streams/live")
        sends.append(clock.time())
    assert sends[-1] < reset  # all fit into the current window...
    gaps = [b - a for a, b in zip(sends, sends[1:], strict=False)]
    assert min(gaps) >= time_left / 10 * 0.99  # ...spread evenly, not burst


def test_plenty_remaining_allows_a_small_burst_then_ceiling_spacing(clock) -> None:
    limiter = RateLimiter(clock, ceiling_per_minute=600, burst=4, safety_margin=2)
    waits = [limiter.acquire("/api/streams/live") for _ in range(6)]
    assert waits[:4] == [0, 0, 0, 0]  # burst of 4
    assert waits[4] == pytest.approx(0.1, abs=1e-3) and waits[5] == pytest.approx(
        0.1, abs=1e-3
    )  # then 60/600 s apart


def test_hard_ceiling_without_server_headers(clock) -> None:
    limiter = RateLimiter(clock, ceiling_per_minute=50, burst=50, safety_margin=2)
    start = clock.time()
    for _ in range(120):
        limiter.acquire("/api/streams/live")
    # never more than 50 in any 60 s: 120 sends need at least two full windows
    assert clock.time() - start >= 120


def test_subscriber_endpoint_has_its_own_120_per_minute_bucket(make_client, clock) -> None:
    server = FixedWindowServer(clock, limit=800, subscribers_limit=120)
    client, _ = make_client(server, access_token="fixed-token-123")
    start = clock.time()
    for _ in range(250):
        client.subscribers("u_1")
    assert server.count_429 == 0
    assert clock.time() - start >= 120  # 250 at 120/min need more than two minutes
    assert RateLimiter.buckets_for("/api/subscriptions/creator/u_1/subscribers") == (
        "default",
        "subscribers",
    )
    assert RateLimiter.buckets_for("/api/subscriptions/creator/u_1/gift-leaderboard") == (
        "default",
    )


def test_429_blocks_the_bucket_for_every_thread(clock) -> None:
    limiter = RateLimiter(clock, ceiling_per_minute=800)
    limiter.block("/api/streams/live", 30)
    assert limiter.acquire("/api/teams") == pytest.approx(30)


def test_window_rollover_restores_the_full_limit(clock) -> None:
    limiter = RateLimiter(clock, ceiling_per_minute=800, burst=1, safety_margin=2)
    reset = clock.time() + 5
    limiter.observe(
        "/x",
        {"x-ratelimit-limit": "100", "x-ratelimit-remaining": "2", "x-ratelimit-reset": str(reset)},
    )
    waited = limiter.acquire("/x")  # nothing above the margin: wait for the reset
    assert waited >= 5
    assert limiter.state()["remaining"] == 100


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {"x-ratelimit-remaining": "abc", "x-ratelimit-reset": "1"}, id="garbage-remaining"
        ),
        pytest.param({"x-ratelimit-remaining": "10"}, id="reset-missing"),
        pytest.param({}, id="no-headers"),
        pytest.param(
            {"x-ratelimit-limit": "0", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"},
            id="zero-limit-means-no-limit-advertised",
        ),
    ],
)
def test_unusable_headers_are_ignored(clock, headers) -> None:
    limiter = RateLimiter(clock)
    limiter.observe("/x", headers)
    assert limiter.state()["remaining"] is None
    assert limiter.acquire("/x") == 0


def test_far_future_reset_is_clamped_to_one_window(clock) -> None:
    limiter = RateLimiter(clock, burst=1, safety_margin=1)
    limiter.observe(
        "/x", {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(clock.time() + 86400)}
    )
    assert limiter.acquire("/x") <= 61
