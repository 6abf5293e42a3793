"""Public per-channel and catalog endpoints: users, followers, categories, clips, leaderboards,
chat stats, teams, polls, giveaways, search and badges."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipeline.twin.server import wire
from pipeline.twin.server.badges import BADGE_CATEGORIES, BADGES
from pipeline.twin.server.errors import bad_request, not_found
from pipeline.twin.server.pagination import decode_cursor, encode_cursor, parse_limit
from pipeline.twin.server.routes_streams import following_count, page_response, twin
from pipeline.twin.world import LeaderboardEntry, Team, World

PERIODS = ("all", "month", "week")


def _period(request: Request) -> str:
    period = request.query_params.get("period", "all")
    if period not in PERIODS:
        raise bad_request(f"period must be one of {', '.join(PERIODS)}", param="period")
    return period


# ---- users ---------------------------------------------------------------------------------
async def user_profile(request: Request) -> JSONResponse:
    state = twin(request)
    creator = state.creator_named(request.path_params["username"])
    t = state.now()
    return JSONResponse(
        wire.user_profile(
            creator,
            state.world.follower_count(creator.id, t),
            following_count(state, creator.id),
            state.live().for_user(creator.id) is not None,
        )
    )


async def followers(request: Request) -> JSONResponse:
    state = twin(request)
    creator = state.resolve_creator(request.path_params["user_id"])
    t = state.now()
    params = request.query_params
    limit = parse_limit(params)
    scope = f"followers:{creator.id}"
    offset = decode_cursor(params["cursor"], scope) if params.get("cursor") else 0
    total = state.world.follower_count(creator.id, t)
    rows = state.world.followers(creator.id, t, limit=limit, offset=offset)  # newest first
    nxt = offset + limit
    return JSONResponse(
        {
            "followers": [wire.follower(f) for f in rows],
            "total": total,
            "pagination": {"cursor": encode_cursor(scope, nxt) if nxt < total else None},
        }
    )


# ---- categories ----------------------------------------------------------------------------
def _category_rows(request: Request) -> list[dict[str, Any]]:
    state = twin(request)
    totals = state.live().category_totals
    rows = [wire.category(c, *totals.get(c.slug, (0, 0))) for c in state.world.categories]
    rows.sort(key=lambda r: (-r["viewerCount"], r["slug"]))
    return rows


async def categories(request: Request) -> JSONResponse:
    return page_response("categories", _category_rows(request), request, "categories")


async def category_search(request: Request) -> JSONResponse:
    q = request.query_params.get("q", "").strip().lower()
    if not q:
        raise bad_request("q is required", param="q")
    limit = parse_limit(request.query_params)
    hits = [
        r
        for r in _category_rows(request)
        if q in r["name"].lower() or q in r["slug"] or any(q in t.lower() for t in r["tags"])
    ]
    return JSONResponse({"categories": hits[:limit]})


# ---- clips ---------------------------------------------------------------------------------
async def channel_clips(request: Request) -> JSONResponse:
    state = twin(request)
    creator = state.creator_named(request.path_params["username"])
    sort = request.query_params.get("sort", "recent")
    if sort not in ("recent", "popular"):
        raise bad_request("sort must be 'recent' or 'popular'", param="sort")
    scope = f"clips:{creator.id}:{sort}"
    if sort == "popular":  # ranking by views needs every clip of the window
        clips = state.world.clips(creator.id, state.now())
        clips.sort(key=lambda c: (-c.view_count, c.id))
        return page_response("clips", [wire.clip(c) for c in clips], request, scope)
    # newest first: build only this page (clients stop at the first clip they already have)
    params = request.query_params
    limit = parse_limit(params)
    offset = decode_cursor(params["cursor"], scope) if params.get("cursor") else 0
    page, more = state.world.clips_page(creator.id, state.now(), offset, limit)
    cursor = encode_cursor(scope, offset + limit) if more else None
    return JSONResponse({"clips": [wire.clip(c) for c in page], "pagination": {"cursor": cursor}})


async def channel_vods(request: Request) -> JSONResponse:
    """Past broadcasts, newest first; a page is built alone, like clips."""
    state = twin(request)
    creator = state.creator_named(request.path_params["username"])
    params = request.query_params
    limit = parse_limit(params)
    scope = f"vods:{creator.id}"
    offset = decode_cursor(params["cursor"], scope) if params.get("cursor") else 0
    page, more = state.world.vods(creator.id, state.now(), offset, limit)
    cursor = encode_cursor(scope, offset + limit) if more else None
    return JSONResponse({"vods": [wire.vod(v) for v in page], "pagination": {"cursor": cursor}})


async def clip_by_id(request: Request) -> JSONResponse:
    state = twin(request)
    clip_id = request.path_params["clip_id"]
    found = state.world.clip(clip_id, state.now())
    if found is None:
        raise not_found(f"clip {clip_id!r} not found", clip=clip_id)
    return JSONResponse({"clip": wire.clip(found)})


# ---- leaderboards and chat -----------------------------------------------------------------
BoardQuery = Callable[[World, str, datetime, str], list[LeaderboardEntry]]


def _leaderboard(
    request: Request, owner_param: str, board: BoardQuery, value_key: str
) -> JSONResponse:
    """A board of the channel named by ``owner_param``, each entry's value under ``value_key``."""
    state = twin(request)
    creator = state.resolve_creator(request.path_params[owner_param])
    period, t = _period(request), state.now()
    entries = board(state.world, creator.id, t, period)
    return JSONResponse(wire.leaderboard(creator.id, period, t, list(entries), value_key))


async def volts_leaderboard(request: Request) -> JSONResponse:
    return _leaderboard(request, "creator_id", World.volts_leaderboard, "amount")


async def gift_leaderboard(request: Request) -> JSONResponse:
    return _leaderboard(request, "creator_id", World.gift_leaderboard, "giftCount")


async def points_leaderboard(request: Request) -> JSONResponse:
    return _leaderboard(request, "channel_id", World.points_leaderboard, "points")


async def chat_stats(request: Request) -> JSONResponse:
    state = twin(request)
    creator = state.resolve_creator(request.path_params["channel_id"])
    return JSONResponse(wire.chat_stats(state.world.chat_stats(creator.id, state.now())))


# ---- teams ---------------------------------------------------------------------------------
def _team(request: Request) -> Team:
    slug = request.path_params["slug"]
    found = twin(request).world.team(slug)
    if found is None:
        raise not_found(f"team {slug!r} not found", slug=slug)
    return found


async def teams(request: Request) -> JSONResponse:
    rows = [wire.team(t) for t in sorted(twin(request).world.teams, key=lambda t: t.slug)]
    return page_response("teams", rows, request, "teams")


async def team(request: Request) -> JSONResponse:
    return JSONResponse({"team": wire.team(_team(request))})


async def team_members(request: Request) -> JSONResponse:
    found = _team(request)
    snapshot = twin(request).live()
    rows = [wire.team_member(m, snapshot.for_user(m.user_id) is not None) for m in found.members]
    return page_response("members", rows, request, f"members:{found.slug}")


# ---- polls, giveaways ----------------------------------------------------------------------
async def active_poll(request: Request) -> JSONResponse:
    state = twin(request)
    creator = state.creator_named(request.path_params["username"])
    poll = state.world.active_poll(creator.id, state.now())
    return JSONResponse({"poll": wire.poll(poll) if poll is not None else None})


async def active_giveaways(request: Request) -> JSONResponse:
    state = twin(request)
    creator = state.creator_named(request.path_params["username"])
    rows = state.world.active_giveaways(creator.id, state.now())
    return JSONResponse({"giveaways": [wire.giveaway(g) for g in rows]})


# ---- search, badges ------------------------------------------------------------------------
async def search_global(request: Request) -> JSONResponse:
    state = twin(request)
    q = (request.query_params.get("query") or request.query_params.get("q") or "").strip().lower()
    if not q:
        raise bad_request("query is required", param="query")
    limit = min(parse_limit(request.query_params, default=8), 25)
    matches = [
        c for c in state.world.creators if q in c.username.lower() or q in c.display_name.lower()
    ]
    matches.sort(key=lambda c: (not c.username.lower().startswith(q), -c.base_followers, c.id))
    snapshot = state.live()
    creators = [
        {
            "id": c.id,
            "username": c.username,
            "displayName": c.display_name,
            "avatarUrl": c.avatar_url,
            "isLive": snapshot.for_user(c.id) is not None,
            "isPartner": c.is_partner,
        }
        for c in matches[:limit]
    ]
    cats = [
        {"id": c.id, "slug": c.slug, "name": c.name, "imageUrl": c.image_url}
        for c in state.world.categories
        if q in c.name.lower() or q in c.slug
    ][:limit]
    return JSONResponse({"creators": creators, "categories": cats})


async def badge_catalog(request: Request) -> JSONResponse:
    category = request.query_params.get("category")
    if category is not None and category not in BADGE_CATEGORIES:
        raise bad_request(
            f"category must be one of {', '.join(BADGE_CATEGORIES)}", param="category"
        )
    rows = [dict(b) for b in BADGES if category is None or b["category"] == category]
    return JSONResponse({"badges": rows})


ROUTES = [
    Route("/api/users/{username}", user_profile),
    Route("/api/users/{user_id}/followers", followers),
    Route("/api/categories", categories),
    Route("/api/categories/search", category_search),
    Route("/api/streams/{username}/clips", channel_clips),
    Route("/api/clips/{clip_id}", clip_by_id),
    Route("/api/streams/user/{username}/vods", channel_vods),
    Route("/api/volts/leaderboard/{creator_id}", volts_leaderboard),
    Route("/api/subscriptions/creator/{creator_id}/gift-leaderboard", gift_leaderboard),
    Route("/api/channel-points/{channel_id}/leaderboard", points_leaderboard),
    Route("/api/chat/channels/{channel_id}/stats", chat_stats),
    Route("/api/teams", teams),
    Route("/api/teams/{slug}", team),
    Route("/api/teams/{slug}/members", team_members),
    Route("/api/streams/{username}/polls/active", active_poll),
    Route("/api/streams/{username}/giveaways/active", active_giveaways),
    Route("/api/search/global", search_global),
    Route("/api/badges/catalog", badge_catalog),
]
