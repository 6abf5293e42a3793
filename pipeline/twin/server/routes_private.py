"""OAuth token/scopes, private endpoints (bearer + scope) and the webhook management API."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pipeline.twin.server import wire
from pipeline.twin.server.auth import SCOPES, Token, require_scope
from pipeline.twin.server.errors import ApiError, bad_request
from pipeline.twin.server.pagination import paginate
from pipeline.twin.server.routes_streams import following_count, twin
from pipeline.twin.server.timefmt import iso


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in content_type:
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        doc = json.loads(raw)
    except ValueError:
        raise bad_request("request body is not valid JSON") from None
    if not isinstance(doc, dict):
        raise bad_request("request body must be a JSON object")
    return doc


def bearer(request: Request) -> Token:
    return twin(request).authenticate(request.headers.get("authorization"))


# ---- OAuth ---------------------------------------------------------------------------------
async def token(request: Request) -> JSONResponse:
    state = twin(request)
    issued = state.tokens.grant(await json_body(request), state.now())
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": state.tokens.ttl,
            "refresh_token": issued.refresh_token,
            "scope": " ".join(sorted(issued.scopes)),
        },
        headers={"Cache-Control": "no-store"},
    )


async def scopes(request: Request) -> JSONResponse:
    return JSONResponse({"scopes": [{"name": n, "description": d} for n, d in SCOPES]})


# ---- private reads -------------------------------------------------------------------------
async def subscribers(request: Request) -> JSONResponse:
    state = twin(request)
    require_scope(bearer(request), "subscriptions:read")
    creator = state.resolve_creator(request.path_params["creator_id"])
    authorized = set(state.world.authorized_creator_ids)
    if creator.id not in authorized:
        raise ApiError(
            403,
            "this creator has not authorized your application",
            code="forbidden",
            details={"creatorId": creator.id},
        )
    t = state.now()
    rows = state.subscribers(creator.id, t)
    page, pagination = paginate(rows, request.query_params, f"subscribers:{creator.id}")
    return JSONResponse(
        {
            "subscribers": [
                {
                    "userId": s.user.id,
                    "username": s.user.username,
                    "tier": s.tier,
                    "isGift": s.is_gift,
                    "startedAt": iso(s.started_at),
                    "months": s.months,
                }
                for s in page
            ],
            "total": len(rows),
            "pagination": pagination,
        }
    )


async def stream_info(request: Request) -> JSONResponse:
    state = twin(request)
    tok = bearer(request)
    require_scope(tok, "stream:read")
    creator = state.token_channel(tok)
    live = state.live().for_user(creator.id)
    return JSONResponse(
        {
            "title": live.title if live else "",
            "categoryName": (live.category if live else creator.main_category).name,
            "categorySlug": (live.category if live else creator.main_category).slug,
            "isLive": live is not None,
            "viewerCount": live.viewer_count if live else 0,
            "startedAt": iso(live.started_at) if live else None,
        }
    )


async def stream_categories(request: Request) -> JSONResponse:
    bearer(request)
    rows = [
        {"slug": c.slug, "name": c.name, "imageUrl": c.image_url}
        for c in twin(request).world.categories
    ]
    return JSONResponse({"categories": rows})


async def me(request: Request) -> JSONResponse:
    state = twin(request)
    tok = bearer(request)
    require_scope(tok, "user:read")
    creator = state.token_channel(tok)
    return JSONResponse(
        wire.user_profile(
            creator,
            state.world.follower_count(creator.id, state.now()),
            following_count(state, creator.id),
            state.live().for_user(creator.id) is not None,
        )
    )


# ---- webhook management --------------------------------------------------------------------
def _app_token(request: Request) -> Token:
    tok = bearer(request)
    client_id = request.path_params["client_id"]
    if client_id != tok.client_id:
        raise ApiError(
            403,
            "the token does not belong to this application",
            code="forbidden",
            details={"clientId": client_id},
        )
    return tok


async def webhooks_collection(request: Request) -> Response:
    state = twin(request)
    tok = _app_token(request)
    if request.method == "POST":
        # A user token subscribes its own channel only; an app token every authorized creator.
        hook = state.webhooks.create(
            tok.client_id, await json_body(request), state.now(), channel_id=tok.user_id
        )
        return JSONResponse({**hook.public(), "secret": hook.secret}, status_code=201)
    return JSONResponse({"webhooks": [h.public() for h in state.webhooks.list(tok.client_id)]})


async def webhook_item(request: Request) -> Response:
    state = twin(request)
    tok = _app_token(request)
    hook_id = request.path_params["hook_id"]
    if request.method == "GET":
        return JSONResponse(state.webhooks.get(tok.client_id, hook_id).public())
    if request.method == "DELETE":
        state.webhooks.delete(tok.client_id, hook_id)
        return Response(status_code=204)
    body = await json_body(request)
    hook = state.webhooks.update(tok.client_id, hook_id, body, state.now())
    return JSONResponse(hook.public())


async def webhook_rotate(request: Request) -> JSONResponse:
    state = twin(request)
    tok = _app_token(request)
    hook = state.webhooks.rotate(tok.client_id, request.path_params["hook_id"], state.now())
    return JSONResponse({"id": hook.id, "secret": hook.secret})


ROUTES = [
    Route("/api/developer/oauth/token", token, methods=["POST"]),
    Route("/api/developer/oauth/scopes", scopes),
    Route("/api/subscriptions/creator/{creator_id}/subscribers", subscribers),
    Route("/api/integrations/oauth/stream/info", stream_info),
    Route("/api/integrations/oauth/stream/categories", stream_categories),
    Route("/api/users/me", me),
    Route("/api/developer/apps/{client_id}/webhooks", webhooks_collection, methods=["GET", "POST"]),
    Route(
        "/api/developer/apps/{client_id}/webhooks/{hook_id}",
        webhook_item,
        methods=["GET", "PATCH", "DELETE"],
    ),
    Route(
        "/api/developer/apps/{client_id}/webhooks/{hook_id}/rotate-secret",
        webhook_rotate,
        methods=["POST"],
    ),
]
