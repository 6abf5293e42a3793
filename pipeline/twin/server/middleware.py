"""The service edge: rate limits, injected faults, rate-limit headers and request stats.

Pure ASGI (not BaseHTTPMiddleware) so the hot path stays cheap. Admin paths (``/_twin/*``) and
``/openapi.json`` bypass all of it: they are the twin's controls, not Velora's API.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from starlette.routing import Match

from pipeline.twin.server.errors import error_body
from pipeline.twin.server.faults import HTML_ERROR_PAGE

if TYPE_CHECKING:
    from pipeline.twin.server.state import TwinState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("velora.twin")

# One 120/min bucket for every subscriber endpoint (rate-limits page; changelog v1.2.0).
SUBSCRIBER_PATH = re.compile(
    r"^/api/(subscriptions/creator/[^/]+/subscribers|developer/subscriptions(/count)?)/?$"
)


def _is_admin(path: str) -> bool:
    return path.startswith("/_twin") or path == "/openapi.json"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


async def _send_body(
    send: Send, status: int, body: bytes, content_type: str, headers: dict[str, str]
) -> None:
    raw_headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, state: TwinState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_admin(scope["path"]):
            await self.app(scope, receive, send)
            return
        state = self.state
        path: str = scope["path"]
        method: str = scope["method"]

        caller = state.caller_identity(_header(scope, b"authorization"), scope.get("client"))
        if SUBSCRIBER_PATH.match(path):
            decision = state.limiter.hit("subscribers", caller, state.config.subscriber_rate_limit)
        else:
            decision = state.limiter.hit("api", caller, state.config.rate_limit)
        rl_headers = decision.headers()

        if not decision.allowed:
            body = error_body(
                429, f"Too many requests. Please retry after {decision.retry_after} seconds."
            )
            body["retry_after"] = decision.retry_after
            rl_headers["Retry-After"] = str(decision.retry_after)
            await _send_body(send, 429, json.dumps(body).encode(), "application/json", rl_headers)
            state.stats.record(self._label(scope), 429)
            return

        fault = None
        if path.startswith("/api"):
            query = scope.get("query_string", b"").decode("latin-1")
            fault = state.faults.decide(method, f"{path}?{query}" if query else path)
            if fault.kind == "storm":
                retry = max(1, int(fault.storm_remaining + 0.999))
                body = error_body(429, f"Too many requests. Please retry after {retry} seconds.")
                body["retry_after"] = retry
                headers = {**rl_headers, "Retry-After": str(retry), "X-RateLimit-Remaining": "0"}
                await _send_body(send, 429, json.dumps(body).encode(), "application/json", headers)
                state.stats.record(self._label(scope), 429, storm=True)
                return
            if fault.kind == "error":
                reason = HTTPStatus(fault.status).phrase
                if fault.html:
                    page = HTML_ERROR_PAGE.format(status=fault.status, reason=reason).encode()
                    await _send_body(
                        send, fault.status, page, "text/html; charset=utf-8", rl_headers
                    )
                else:
                    message = {
                        500: "Internal server error",
                        502: "Bad gateway",
                        503: "Service temporarily unavailable",
                    }[fault.status]
                    body = json.dumps(error_body(fault.status, message)).encode()
                    await _send_body(send, fault.status, body, "application/json", rl_headers)
                state.stats.record(self._label(scope), fault.status)
                return
            if fault.kind in ("timeout", "slow"):
                await asyncio.sleep(fault.delay)

        status_seen = 500
        malformed = fault is not None and fault.kind == "malformed"
        captured: list[bytes] = []
        start_message: Message | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal status_seen, start_message
            if message["type"] == "http.response.start":
                status_seen = message["status"]
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in rl_headers.items()]
                message = {**message, "headers": headers}
                if malformed:
                    start_message = message
                    return
            elif malformed and message["type"] == "http.response.body":
                captured.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                await self._send_malformed(send, start_message, b"".join(captured))
                return
            await send(message)

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_wrapper(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # answer in Velora's format, with the rate-limit headers
            if started:
                raise
            status_seen = 500
            body = error_body(500, "internal error", details={"exception": type(exc).__name__})
            await _send_body(send, 500, json.dumps(body).encode(), "application/json", rl_headers)
            logger.exception("twin handler failed: %s %s", method, path)
        finally:
            state.stats.record(self._label(scope), status_seen)

    @staticmethod
    async def _send_malformed(send: Send, start: Message | None, body: bytes) -> None:
        cut = body[: max(1, len(body) // 2)] if body else b"{"
        assert start is not None
        headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": cut})

    def _label(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:  # answered before routing (429, injected fault): match it ourselves
            for candidate in self.state.routes:
                match, _ = candidate.matches(scope)
                if match is not Match.NONE:
                    route = candidate
                    break
        template = getattr(route, "path", None) or "(unmatched)"
        return f"{scope['method']} {template}"
