"""The status → action table in practice: typed errors, retries, budgets, malformed bodies."""

from __future__ import annotations

import httpx
import pytest

from pipeline.client import (
    STATUS_ACTIONS,
    Action,
    BadRequest,
    Forbidden,
    MalformedResponseError,
    NotFound,
    RateLimited,
    ServerError,
    VeloraApiError,
    VeloraTransportError,
)
from pipeline.client.retry import action_for, retry_after_seconds

from .fakes import error_body, json_response, scripted

OK = {"streams": [{"id": "s_1", "viewerCount": 3}], "pagination": {"cursor": None}}
HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


def html(status: int) -> httpx.Response:
    return httpx.Response(status, text=HTML, headers={"content-type": "text/html"})


@pytest.mark.parametrize(
    ("status", "code", "error_type"),
    [
        pytest.param(400, "invalid_request", BadRequest, id="400-bad-request-fails-at-once"),
        pytest.param(403, "insufficient_scope", Forbidden, id="403-forbidden-fails-at-once"),
        pytest.param(404, "not_found", NotFound, id="404-not-found-fails-at-once"),
        pytest.param(409, "conflict", VeloraApiError, id="409-unlisted-4xx-fails-at-once"),
    ],
)
def test_client_errors_fail_at_once_with_typed_error(make_client, status, code, error_type) -> None:
    body = error_body(code, "nope")
    body["details"] = {"required_scope": "subscriptions:read"} if status == 403 else {"field": "x"}
    client, rec = make_client(scripted([json_response(status, body)]))
    with pytest.raises(error_type) as info:
        client.live_streams()
    err = info.value
    assert type(err) is error_type
    assert (err.status, err.code, err.attempts) == (status, code, 1)
    assert err.details and err.response is not None and err.response.status == status
    assert len(rec.requests) == 1
    if status == 403:
        assert "subscriptions:read" in str(err)


def test_error_envelope_with_nested_error_object(make_client) -> None:
    client, _ = make_client(
        scripted([json_response(404, {"error": {"code": "not_found", "message": "no such user"}})])
    )
    with pytest.raises(NotFound, match="no such user") as info:
        client.user_profile("ghost")
    assert info.value.code == "not_found"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_then_success(make_client, clock, status) -> None:
    client, rec = make_client(
        scripted(
            [json_response(status, error_body("internal_error", "boom")), json_response(200, OK)]
        )
    )
    result = client.live_streams()
    assert [s.stream_id for s in result.items] == ["s_1"]
    assert len(rec.requests) == 2 and client.stats.retries == 1
    assert result.responses[0].attempts == 2
    assert clock.sleeps and clock.sleeps[-1] > 0  # backed off before the retry


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(httpx.ReadTimeout("read timed out"), id="read-timeout-then-success"),
        pytest.param(httpx.ConnectError("connection refused"), id="connect-error-then-success"),
        pytest.param(
            httpx.RemoteProtocolError("server disconnected"), id="disconnect-then-success"
        ),
    ],
)
def test_transport_failure_then_success(make_client, failure) -> None:
    client, rec = make_client(scripted([failure, json_response(200, OK)]))
    assert len(client.live_streams().items) == 1
    assert len(rec.requests) == 2 and client.stats.transport_errors == 1


def test_per_call_retry_budget_exhausted_raises_server_error(make_client) -> None:
    responses = [json_response(503, error_body("service_unavailable", "down"))] * 4
    client, rec = make_client(scripted(list(responses)), max_retries=3)
    with pytest.raises(ServerError, match="gave up after 4 attempts") as info:
        client.live_streams()
    assert info.value.attempts == 4 and info.value.code == "service_unavailable"
    assert len(rec.requests) == 4


def test_backoff_grows_exponentially(make_client, clock) -> None:
    client, _ = make_client(
        scripted(
            [json_response(500, error_body("internal_error", "x"))] * 4 + [json_response(200, OK)]
        ),
        backoff_base=1.0,
        backoff_cap=100.0,
    )
    client.live_streams()
    backoffs = [s for s in clock.sleeps if s > 0]
    assert len(backoffs) == 4
    for n, delay in enumerate(backoffs, start=1):
        step = 2 ** (n - 1)
        assert step / 2 <= delay <= step


def test_client_wide_retry_budget_exhausted(make_client) -> None:
    # budget of 2 retries for the whole client: the second call cannot retry at all
    failures = [json_response(500, error_body("internal_error", "x"))]
    client, rec = make_client(
        scripted(failures * 2 + [json_response(200, OK)] + failures),
        retry_budget=2,
        retry_budget_refill=0,
    )
    client.live_streams()  # 2 retries, then success
    with pytest.raises(ServerError, match="client-wide retry budget exhausted") as info:
        client.live_streams()
    assert info.value.attempts == 1
    assert len(rec.requests) == 4


def test_timeouts_exhaust_into_transport_error(make_client) -> None:
    client, rec = make_client(scripted([httpx.ReadTimeout("slow")] * 3), max_retries=2)
    with pytest.raises(VeloraTransportError, match="timeout") as info:
        client.live_streams()
    assert info.value.attempts == 3 and len(rec.requests) == 3


@pytest.mark.parametrize(
    ("response", "needle"),
    [
        pytest.param(
            lambda: httpx.Response(200, text=HTML, headers={"content-type": "text/html"}),
            "Bad Gateway",
            id="html-page-with-200",
        ),
        pytest.param(
            lambda: httpx.Response(
                200, text='{"streams": [{"id": "s_1"', headers={"content-type": "application/json"}
            ),
            '"s_1"',
            id="truncated-json-200",
        ),
        pytest.param(
            lambda: httpx.Response(200, text="", headers={"content-type": "application/json"}),
            "",
            id="empty-body-200",
        ),
    ],
)
def test_persistently_malformed_200_raises_with_raw_body_after_retries(
    make_client, response, needle
) -> None:
    client, rec = make_client(scripted([response() for _ in range(3)]), max_retries=2)
    with pytest.raises(MalformedResponseError, match="gave up after 3 attempts") as info:
        client.live_streams()
    assert (
        info.value.status == 200
        and info.value.body_text is not None
        and needle in info.value.body_text
    )
    assert len(rec.requests) == 3


def test_truncated_200_then_success_is_retried(make_client) -> None:
    client, rec = make_client(
        scripted([httpx.Response(200, text='{"streams": [{"id"'), json_response(200, OK)])
    )
    assert len(client.live_streams().items) == 1 and len(rec.requests) == 2


def test_malformed_200_fails_at_once_when_retrying_it_is_off(make_client) -> None:
    client, rec = make_client(
        scripted([httpx.Response(200, text="<html>oops</html>")]), retry_malformed_success=False
    )
    with pytest.raises(MalformedResponseError) as info:
        client.live_streams()
    assert info.value.body_text == "<html>oops</html>" and len(rec.requests) == 1


def test_html_5xx_retried_then_malformed_error_keeps_body(make_client) -> None:
    client, rec = make_client(scripted([html(502)] * 3), max_retries=2)
    with pytest.raises(MalformedResponseError) as info:
        client.live_streams()
    assert info.value.status == 502 and info.value.body_text == HTML and info.value.attempts == 3
    assert len(rec.requests) == 3


def test_html_5xx_then_success(make_client) -> None:
    client, _ = make_client(scripted([html(502), json_response(200, OK)]))
    assert len(client.live_streams().items) == 1


@pytest.mark.parametrize(
    ("headers", "body", "expected_wait"),
    [
        pytest.param(
            {"Retry-After": "7"},
            error_body("rate_limit_exceeded", "slow down"),
            7.0,
            id="429-retry-after-header",
        ),
        pytest.param(
            {},
            error_body("rate_limit_exceeded", "slow down", retry_after=5),
            5.0,
            id="429-retry_after-body",
        ),
        pytest.param(
            {"Retry-After": "3"},
            error_body("rate_limit_exceeded", "x", retry_after=9),
            9.0,
            id="429-header-and-body-take-larger",
        ),
    ],
)
def test_429_waits_then_succeeds(make_client, clock, headers, body, expected_wait) -> None:
    start = clock.time()
    client, rec = make_client(scripted([json_response(429, body, headers), json_response(200, OK)]))
    assert len(client.live_streams().items) == 1
    assert len(rec.requests) == 2
    assert client.stats.rate_limited == 1 and client.stats.retries == 0  # a wait is not a retry
    assert clock.time() - start >= expected_wait
    assert client.stats.snapshot()["throttled_sleep_seconds"] >= expected_wait


def test_429_storm_gives_up_with_rate_limited(make_client) -> None:
    storm = [
        json_response(
            429, error_body("rate_limit_exceeded", "x", retry_after=1), {"Retry-After": "1"}
        )
    ] * 4
    client, rec = make_client(scripted(storm), max_rate_limit_waits=3)
    with pytest.raises(RateLimited) as info:
        client.live_streams()
    assert info.value.retry_after == 1 and len(rec.requests) == 4


def test_429_with_retry_after_beyond_cap_fails_at_once(make_client) -> None:
    client, rec = make_client(
        scripted(
            [json_response(429, error_body("rate_limit_exceeded", "x"), {"Retry-After": "3600"})]
        )
    )
    with pytest.raises(RateLimited, match="3600") as info:
        client.live_streams()
    assert info.value.retry_after == 3600 and len(rec.requests) == 1


def test_non_idempotent_post_is_not_retried_on_5xx(make_client) -> None:
    client, rec = make_client(
        scripted([json_response(500, error_body("internal_error", "x"))]),
        client_id="app",
        client_secret="s3cr3t-value",
        access_token="fixed-token-1",
    )
    with pytest.raises(ServerError):
        client.create_webhook("http://127.0.0.1:8788/webhooks/velora", ["stream.online"])
    assert len(rec.requests) == 1


def test_status_action_table_is_a_documented_dict() -> None:
    assert isinstance(STATUS_ACTIONS, dict)
    assert STATUS_ACTIONS[400] is STATUS_ACTIONS[403] is STATUS_ACTIONS[404] is Action.FAIL
    assert STATUS_ACTIONS[401] is Action.REAUTH and STATUS_ACTIONS[429] is Action.WAIT
    assert action_for(500) is action_for(599) is Action.RETRY
    assert action_for(418) is Action.FAIL and action_for(206) is Action.OK


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        pytest.param({"retry-after": "12"}, None, 12.0, id="seconds-header"),
        pytest.param(
            {"retry-after": "Thu, 01 Jan 2030 00:00:10 GMT"}, None, 10.0, id="http-date-header"
        ),
        pytest.param({}, {"retry_after": "4"}, 4.0, id="string-body"),
        pytest.param(
            {"retry-after": "soon"}, {"retryAfter": 2}, 2.0, id="garbage-header-camel-body"
        ),
        pytest.param({}, {}, None, id="nothing-said"),
    ],
)
def test_retry_after_parsing(headers, body, expected) -> None:
    now = 1893456000.0  # 2030-01-01T00:00:00Z
    assert retry_after_seconds(headers, body, now=now) == expected
