"""The authorizing broadcaster's own subscribers (changelog v1.2.0): a paged roster and a count.

Both need ``subscriptions:read`` and a user token (they are "scoped to the authorizing user's own
channel only"), and share the 120/min subscriber bucket (see ``middleware.SUBSCRIBER_PATH``).
The envelopes are assumed (docs/velora-api-shapes.md): ``{"subscriptions", "total", "page",
"perPage"}`` and ``{"count"}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipeline.twin.server import wire
from pipeline.twin.server.auth import require_scope
from pipeline.twin.server.errors import bad_request
from pipeline.twin.server.routes_private import bearer
from pipeline.twin.server.routes_streams import twin
from pipeline.twin.world import Creator, Subscriber

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 100


def _whole_number(params: Mapping[str, str], name: str, default: int, maximum: int | None) -> int:
    """A documented range is enforced, not clamped: out of range is 400 (unlike ``limit``)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    bounds = {"minimum": 1, **({"maximum": maximum} if maximum is not None else {})}
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        allowed = f"1..{maximum}" if maximum is not None else "at least 1"
        raise bad_request(
            f"{name} must be a whole number {allowed}, got {raw!r}", param=name, **bounds
        )
    return value


def _own_channel(request: Request) -> Creator:
    """401 without a valid token, 403 without the scope or for an app-only token."""
    token = bearer(request)
    require_scope(token, "subscriptions:read")
    return twin(request).token_channel(token)


def _active(request: Request, channel: Creator) -> list[Subscriber]:
    state = twin(request)
    return state.subscribers(channel.id, state.now())


async def roster(request: Request) -> JSONResponse:
    channel = _own_channel(request)
    params = request.query_params
    page = _whole_number(params, "page", 1, None)
    per_page = _whole_number(params, "perPage", PER_PAGE_DEFAULT, PER_PAGE_MAX)
    subs = _active(request, channel)
    start = (page - 1) * per_page
    return JSONResponse(
        {
            "subscriptions": [wire.roster_subscription(s) for s in subs[start : start + per_page]],
            "total": len(subs),  # the whole channel, independent of the page window
            "page": page,
            "perPage": per_page,
        }
    )


async def count(request: Request) -> JSONResponse:
    return JSONResponse({"count": len(_active(request, _own_channel(request)))})


ROUTES = [
    Route("/api/developer/subscriptions", roster),
    Route("/api/developer/subscriptions/count", count),
]
