"""Public stream endpoints: streams, live, browse, top, growing, featured, user/:username."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipeline.twin.server import wire
from pipeline.twin.server.errors import bad_request
from pipeline.twin.server.pagination import paginate
from pipeline.twin.server.state import TwinState

TOP_MAX = 100
FEATURED_MAX = 12
GROWTH_WINDOW_MINUTES = 15


def twin(request: Request) -> TwinState:
    return request.app.state.twin


def page_response(key: str, items: list[Any], request: Request, scope: str) -> JSONResponse:
    page, pagination = paginate(items, request.query_params, scope)
    return JSONResponse({key: list(page), "pagination": pagination})


async def streams(request: Request) -> JSONResponse:
    """Getting Started's first request: the live list in the documented envelope. Its own cursor
    scope, so a cursor from /api/streams/live is refused here (and the other way round)."""
    return page_response("streams", twin(request).live().wire, request, "streams")


async def live(request: Request) -> JSONResponse:
    return page_response("streams", twin(request).live().wire, request, "live")


async def top(request: Request) -> JSONResponse:
    return page_response("streams", twin(request).live().wire[:TOP_MAX], request, "top")


async def browse(request: Request) -> JSONResponse:
    params = request.query_params
    category = params.get("category", "").strip().lower()
    language = params.get("language", "").strip().lower()
    sort = params.get("sort", "viewers")
    if sort not in ("viewers", "recent"):
        raise bad_request("sort must be 'viewers' or 'recent'", param="sort")
    snapshot = twin(request).live()
    rows = [
        (s, w)
        for s, w in zip(snapshot.streams, snapshot.wire, strict=True)
        if (not category or s.category.slug == category or s.category.id == category)
        and (not language or s.language.lower() == language)
    ]
    if sort == "recent":
        rows.sort(key=lambda r: (r[0].started_at, r[0].stream_id), reverse=True)
    scope = f"browse:{category}:{language}:{sort}"
    return page_response("streams", [w for _, w in rows], request, scope)


async def growing(request: Request) -> JSONResponse:
    state = twin(request)
    now = state.live()
    before = state.live_minutes_ago(GROWTH_WINDOW_MINUTES)
    rows = []
    for s, w in zip(now.streams, now.wire, strict=True):
        earlier = before.for_user(s.user_id)
        base = (
            earlier.viewer_count if earlier is not None and earlier.stream_id == s.stream_id else 0
        )
        growth = s.viewer_count - base
        if growth <= 0:
            continue
        percent = round(100.0 * growth / base, 1) if base else 100.0
        rows.append((growth, s.stream_id, {**w, "viewerGrowth": growth, "growthPercent": percent}))
    rows.sort(key=lambda r: (-r[0], r[1]))
    return page_response("streams", [r[2] for r in rows[:TOP_MAX]], request, "growing")


async def featured(request: Request) -> JSONResponse:
    state = twin(request)
    snapshot = state.live()
    partners = []
    for s, w in zip(snapshot.streams, snapshot.wire, strict=True):
        creator = state.world.creator(s.user_id)
        if creator is not None and creator.is_partner:
            partners.append(w)
        if len(partners) >= FEATURED_MAX:
            break
    return JSONResponse({"streams": partners})


async def user_stream(request: Request) -> JSONResponse:
    state = twin(request)
    creator = state.creator_named(request.path_params["username"])
    live_stream = state.live().for_user(creator.id)
    t = state.now()
    user = wire.user_profile(
        creator,
        state.world.follower_count(creator.id, t),
        following_count(state, creator.id),
        live_stream is not None,
    )
    return JSONResponse(
        {
            "user": user,
            "stream": wire.stream(live_stream) if live_stream else None,
            "category": wire.category_ref(live_stream.category) if live_stream else None,
            "isLive": live_stream is not None,
        }
    )


def following_count(state: TwinState, creator_id: str) -> int:
    return state.world.following_count(creator_id, state.now())


ROUTES = [
    Route("/api/streams", streams),
    Route("/api/streams/live", live),
    Route("/api/streams/browse", browse),
    Route("/api/streams/top", top),
    Route("/api/streams/growing", growing),
    Route("/api/streams/featured", featured),
    Route("/api/streams/user/{username}", user_stream),
]
