"""``GET /openapi.json``: an OpenAPI 3.1 document of the Velora paths the twin serves.

Schemas mirror docs/velora-api-shapes.md; the twin's own ``/_twin`` controls are listed under a
separate ``twin-admin`` tag so API consumers can ignore them.
"""

from __future__ import annotations

import re
from typing import Any

S = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": S + name}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or list(props)}


STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
NULL_TIME = {"type": ["string", "null"], "format": "date-time"}
STRS = {"type": "array", "items": STR}


def _list(key: str, item: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {
        key: {"type": "array", "items": _ref(item)},
        "pagination": _ref("Pagination"),
    }
    props.update(extra or {})
    return _obj(props)


def _leaderboard(value_key: str) -> dict[str, Any]:
    entry = _obj({"rank": INT, "userId": STR, "username": STR, "displayName": STR, value_key: INT})
    return _obj(
        {
            "creatorId": STR,
            "period": {"enum": ["all", "month", "week"]},
            "updatedAt": TIME,
            "leaderboard": {"type": "array", "items": entry},
        }
    )


SCHEMAS: dict[str, Any] = {
    "Error": _obj(
        {"error": STR, "message": STR, "details": {"type": "object"}, "retry_after": INT},
        ["error", "message", "details"],
    ),
    "Pagination": _obj({"cursor": {"type": ["string", "null"]}}),
    "CategoryRef": _obj({"id": STR, "slug": STR, "name": STR}),
    "Stream": _obj(
        {
            "id": STR,
            "userId": STR,
            "username": STR,
            "displayName": STR,
            "title": STR,
            "viewerCount": INT,
            "startedAt": TIME,
            "thumbnailUrl": STR,
            "language": STR,
            "tags": STRS,
            "isMature": BOOL,
            "category": _ref("CategoryRef"),
        }
    ),
    "GrowingStream": {"allOf": [_ref("Stream"), _obj({"viewerGrowth": INT, "growthPercent": NUM})]},
    "UserProfile": _obj(
        {
            "id": STR,
            "username": STR,
            "displayName": STR,
            "bio": STR,
            "avatarUrl": STR,
            "followerCount": INT,
            "followingCount": INT,
            "isLive": BOOL,
            "isPartner": BOOL,
            "createdAt": TIME,
        }
    ),
    "Category": _obj(
        {
            "id": STR,
            "slug": STR,
            "name": STR,
            "imageUrl": STR,
            "tags": STRS,
            "viewerCount": INT,
            "streamCount": INT,
        }
    ),
    "Follower": _obj({"userId": STR, "username": STR, "displayName": STR, "followedAt": TIME}),
    "Vod": _obj(
        {
            "id": STR,
            "streamId": STR,
            "title": STR,
            "categorySlug": STR,
            "startedAt": TIME,
            "endedAt": TIME,
            "duration": INT,
        }
    ),
    "Clip": _obj(
        {
            "id": STR,
            "title": STR,
            "url": STR,
            "thumbnailUrl": STR,
            "streamId": STR,
            "creatorId": STR,
            "creatorUsername": STR,
            "clippedBy": _obj({"id": STR, "username": STR}),
            "categorySlug": STR,
            "durationSeconds": INT,
            "viewCount": INT,
            "createdAt": TIME,
        }
    ),
    "ChatStats": _obj(
        {
            "channelId": STR,
            "isLive": BOOL,
            "viewerCount": INT,
            "chatters": INT,
            "messagesPerMinute": INT,
            "messagesLastHour": INT,
            "uniqueChattersLastHour": INT,
            "emotesPerMinute": INT,
            "updatedAt": TIME,
        }
    ),
    "Team": _obj(
        {
            "id": STR,
            "slug": STR,
            "name": STR,
            "description": STR,
            "avatarUrl": STR,
            "memberCount": INT,
            "createdAt": TIME,
        }
    ),
    "TeamMember": _obj(
        {
            "userId": STR,
            "username": STR,
            "displayName": STR,
            "role": {"enum": ["owner", "member"]},
            "isLive": BOOL,
            "joinedAt": TIME,
        }
    ),
    "Poll": _obj(
        {
            "id": STR,
            "question": STR,
            "options": {"type": "array", "items": _obj({"id": STR, "text": STR, "votes": INT})},
            "startedAt": TIME,
            "endsAt": TIME,
            "totalVotes": INT,
        }
    ),
    "Giveaway": _obj({"id": STR, "title": STR, "entries": INT, "startedAt": TIME, "endsAt": TIME}),
    "Subscriber": _obj(
        {
            "userId": STR,
            "username": STR,
            "tier": {"type": "integer", "enum": [1000, 2000, 3000]},
            "isGift": BOOL,
            "startedAt": TIME,
            "months": INT,
        }
    ),
    "UserRef": _obj({"userId": STR, "username": STR, "displayName": STR}),
    "RosterSubscription": _obj(
        {
            "userId": STR,
            "username": STR,
            "displayName": STR,
            "tier": {"type": "integer", "enum": [1000, 2000, 3000]},
            "isGift": BOOL,
            "gifter": {"oneOf": [_ref("UserRef"), {"type": "null"}]},
            "expiresAt": TIME,
        }
    ),
    "Badge": _obj(
        {"slug": STR, "name": STR, "category": STR, "staticAssetUrl": STR, "animatedAssetUrl": STR}
    ),
    "Webhook": _obj(
        {
            "id": STR,
            "url": STR,
            "events": STRS,
            "status": {"enum": ["active", "disabled"]},
            "createdAt": TIME,
            "updatedAt": TIME,
        }
    ),
    "Token": _obj(
        {
            "access_token": STR,
            "token_type": {"const": "Bearer"},
            "expires_in": INT,
            "refresh_token": STR,
            "scope": STR,
        },
        ["access_token", "token_type", "expires_in"],
    ),
}

# (method, path, summary, response schema, security scope | "" for token-only | None for public)
API: list[tuple[str, str, str, dict[str, Any], str | None]] = [
    ("post", "/api/developer/oauth/token", "Exchange credentials for a token", _ref("Token"), None),
    (
        "get",
        "/api/developer/oauth/scopes",
        "List OAuth scopes",
        _obj({"scopes": {"type": "array", "items": _obj({"name": STR, "description": STR})}}),
        None,
    ),
    ("get", "/api/streams", "Live streams (Getting Started)", _list("streams", "Stream"), None),
    ("get", "/api/streams/live", "Live streams", _list("streams", "Stream"), None),
    ("get", "/api/streams/browse", "Browse live streams", _list("streams", "Stream"), None),
    ("get", "/api/streams/top", "Top streams", _list("streams", "Stream"), None),
    (
        "get",
        "/api/streams/growing",
        "Fastest growing streams",
        _list("streams", "GrowingStream"),
        None,
    ),
    (
        "get",
        "/api/streams/featured",
        "Featured streams",
        _obj({"streams": {"type": "array", "items": _ref("Stream")}}),
        None,
    ),
    (
        "get",
        "/api/streams/user/{username}",
        "Stream by username",
        _obj(
            {
                "user": _ref("UserProfile"),
                "stream": {"oneOf": [_ref("Stream"), {"type": "null"}]},
                "category": {"oneOf": [_ref("CategoryRef"), {"type": "null"}]},
                "isLive": BOOL,
            }
        ),
        None,
    ),
    ("get", "/api/users/me", "Current user", _ref("UserProfile"), "user:read"),
    ("get", "/api/users/{username}", "User profile", _ref("UserProfile"), None),
    (
        "get",
        "/api/users/{user_id}/followers",
        "Followers, newest first",
        _list("followers", "Follower", {"total": INT}),
        None,
    ),
    ("get", "/api/categories", "Categories by viewers", _list("categories", "Category"), None),
    (
        "get",
        "/api/categories/search",
        "Search categories",
        _obj({"categories": {"type": "array", "items": _ref("Category")}}),
        None,
    ),
    ("get", "/api/streams/{username}/clips", "Clips of a channel", _list("clips", "Clip"), None),
    ("get", "/api/clips/{clip_id}", "Clip by id", _obj({"clip": _ref("Clip")}), None),
    ("get", "/api/streams/user/{username}/vods", "VODs of a channel", _list("vods", "Vod"), None),
    (
        "get",
        "/api/volts/leaderboard/{creator_id}",
        "Top Volts tippers",
        _leaderboard("amount"),
        None,
    ),
    (
        "get",
        "/api/subscriptions/creator/{creator_id}/gift-leaderboard",
        "Top gifters",
        _leaderboard("giftCount"),
        None,
    ),
    (
        "get",
        "/api/channel-points/{channel_id}/leaderboard",
        "Top point spenders",
        _leaderboard("points"),
        None,
    ),
    ("get", "/api/chat/channels/{channel_id}/stats", "Chat statistics", _ref("ChatStats"), None),
    ("get", "/api/teams", "Teams", _list("teams", "Team"), None),
    ("get", "/api/teams/{slug}", "Team", _obj({"team": _ref("Team")}), None),
    ("get", "/api/teams/{slug}/members", "Team members", _list("members", "TeamMember"), None),
    (
        "get",
        "/api/streams/{username}/polls/active",
        "Active poll",
        _obj({"poll": {"oneOf": [_ref("Poll"), {"type": "null"}]}}),
        None,
    ),
    (
        "get",
        "/api/streams/{username}/giveaways/active",
        "Active giveaways",
        _obj({"giveaways": {"type": "array", "items": _ref("Giveaway")}}),
        None,
    ),
    (
        "get",
        "/api/search/global",
        "Search creators and categories",
        _obj(
            {
                "creators": {
                    "type": "array",
                    "items": _obj(
                        {
                            "id": STR,
                            "username": STR,
                            "displayName": STR,
                            "avatarUrl": STR,
                            "isLive": BOOL,
                            "isPartner": BOOL,
                        }
                    ),
                },
                "categories": {
                    "type": "array",
                    "items": _obj({"id": STR, "slug": STR, "name": STR, "imageUrl": STR}),
                },
            }
        ),
        None,
    ),
    (
        "get",
        "/api/badges/catalog",
        "Badge catalog",
        _obj({"badges": {"type": "array", "items": _ref("Badge")}}),
        None,
    ),
    (
        "get",
        "/api/subscriptions/creator/{creator_id}/subscribers",
        "Subscribers (120/min)",
        _list("subscribers", "Subscriber", {"total": INT}),
        "subscriptions:read",
    ),
    (
        "get",
        "/api/developer/subscriptions",
        "Own channel's active subscribers, paged (120/min; user token)",
        _obj(
            {
                "subscriptions": {"type": "array", "items": _ref("RosterSubscription")},
                "total": INT,
                "page": INT,
                "perPage": INT,
            }
        ),
        "subscriptions:read",
    ),
    (
        "get",
        "/api/developer/subscriptions/count",
        "Own channel's active subscriber count (120/min; user token)",
        _obj({"count": INT}),
        "subscriptions:read",
    ),
    (
        "get",
        "/api/integrations/oauth/stream/info",
        "Own stream info",
        _obj(
            {
                "title": STR,
                "categoryName": STR,
                "categorySlug": STR,
                "isLive": BOOL,
                "viewerCount": INT,
                "startedAt": NULL_TIME,
            }
        ),
        "stream:read",
    ),
    (
        "get",
        "/api/integrations/oauth/stream/categories",
        "Stream categories",
        _obj(
            {
                "categories": {
                    "type": "array",
                    "items": _obj({"slug": STR, "name": STR, "imageUrl": STR}),
                }
            }
        ),
        "",
    ),
    (
        "get",
        "/api/developer/apps/{client_id}/webhooks",
        "List webhooks",
        _obj({"webhooks": {"type": "array", "items": _ref("Webhook")}}),
        "",
    ),
    (
        "post",
        "/api/developer/apps/{client_id}/webhooks",
        "Create a webhook (secret shown once)",
        {"allOf": [_ref("Webhook"), _obj({"secret": STR})]},
        "",
    ),
    (
        "get",
        "/api/developer/apps/{client_id}/webhooks/{hook_id}",
        "Get a webhook",
        _ref("Webhook"),
        "",
    ),
    (
        "patch",
        "/api/developer/apps/{client_id}/webhooks/{hook_id}",
        "Update a webhook",
        _ref("Webhook"),
        "",
    ),
    ("delete", "/api/developer/apps/{client_id}/webhooks/{hook_id}", "Delete a webhook", {}, ""),
    (
        "post",
        "/api/developer/apps/{client_id}/webhooks/{hook_id}/rotate-secret",
        "Rotate the signing secret",
        _obj({"id": STR, "secret": STR}),
        "",
    ),
]

PAGINATED_PARAMS = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
    },
    {"name": "cursor", "in": "query", "schema": STR},
]

# Query parameters of endpoints that page by number instead of by cursor.
QUERY_PARAMS: dict[str, list[dict[str, Any]]] = {
    "/api/developer/subscriptions": [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {
            "name": "perPage",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
        },
    ],
}

ERROR_RESPONSES = {
    "400": "invalid_request",
    "401": "unauthorized",
    "403": "forbidden or insufficient_scope",
    "404": "not_found",
    "429": "rate_limit_exceeded",
    "500": "internal_error",
}


def _operation(
    method: str, path: str, summary: str, schema: dict[str, Any], scope: str | None
) -> dict[str, Any]:
    ok_status = (
        "201"
        if method == "post" and path.endswith("/webhooks")
        else ("204" if method == "delete" else "200")
    )
    ok: dict[str, Any] = {"description": "OK"}
    if ok_status != "204":
        ok["content"] = {"application/json": {"schema": schema}}
    op: dict[str, Any] = {
        "summary": summary,
        "tags": ["velora"],
        "parameters": [
            {"name": n, "in": "path", "required": True, "schema": STR}
            for n in re.findall(r"{(\w+)}", path)
        ],
        "responses": {
            ok_status: ok,
            **{
                code: {
                    "description": desc,
                    "content": {"application/json": {"schema": _ref("Error")}},
                }
                for code, desc in ERROR_RESPONSES.items()
            },
        },
    }
    if "pagination" in schema.get("properties", {}):
        op["parameters"] += PAGINATED_PARAMS
    op["parameters"] += QUERY_PARAMS.get(path, [])
    if scope is not None:
        op["security"] = [{"bearer": [scope] if scope else []}]
    return op


def openapi_document(routes: list[Any]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, schema, scope in API:
        paths.setdefault(path, {})[method] = _operation(method, path, summary, schema, scope)
    for route in routes:  # the twin's controls, tagged apart from the API
        path = getattr(route, "path", "")
        if path.startswith("/_twin"):
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                if method == "HEAD":
                    continue
                paths.setdefault(path, {})[method.lower()] = {
                    "summary": f"twin control {path}",
                    "tags": ["twin-admin"],
                    "responses": {"200": {"description": "OK"}},
                }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Velora API (twin)",
            "version": "1.0.0",
            "description": "Paths served by the Velora twin; shapes per docs/velora-api-shapes.md.",
        },
        "servers": [{"url": "http://127.0.0.1:8787"}],
        "tags": [
            {"name": "velora", "description": "Velora API"},
            {"name": "twin-admin", "description": "Twin controls, not part of Velora"},
        ],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
