"""Twin controls under ``/_twin`` (never rate limited, never faulted, not part of Velora's API)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipeline.twin.server.clock import ClockError
from pipeline.twin.server.config import FaultConfig, TwinConfigError
from pipeline.twin.server.errors import ApiError, bad_request
from pipeline.twin.server.routes_private import json_body
from pipeline.twin.server.routes_streams import twin
from pipeline.twin.server.state import TwinState
from pipeline.twin.server.timefmt import BadTimestamp, iso, parse_iso

MAX_TRUTH_SPAN = timedelta(days=31)


def clock_doc(state: TwinState) -> dict[str, Any]:
    return {"now": iso(state.now()), "mode": state.clock.mode, "speed": state.clock.speed}


def _time_param(request: Request, name: str, default: datetime) -> datetime:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        return parse_iso(raw)
    except BadTimestamp as exc:
        raise bad_request(str(exc), param=name) from None


def _range(request: Request, default_span: timedelta) -> tuple[datetime, datetime]:
    now = twin(request).now()
    t1 = _time_param(request, "to", now)
    t0 = _time_param(request, "from", t1 - default_span)
    if t0 >= t1:
        raise bad_request("from must be before to", param="from")
    if t1 - t0 > MAX_TRUTH_SPAN:
        raise bad_request("the range may span at most 31 days", param="from")
    return t0, t1


# ---- clock ---------------------------------------------------------------------------------
async def clock_get(request: Request) -> JSONResponse:
    return JSONResponse(clock_doc(twin(request)))


async def clock_set(request: Request) -> JSONResponse:
    state = twin(request)
    body = await json_body(request)
    speed = body.get("speed")
    if speed is not None and not isinstance(speed, int | float):
        raise bad_request("speed must be a number", param="speed")
    try:
        state.clock.set_mode(str(body.get("mode", state.clock.mode)), speed)
    except ClockError as exc:
        raise bad_request(str(exc)) from None
    return JSONResponse(clock_doc(state))


async def clock_advance(request: Request) -> JSONResponse:
    state = twin(request)
    body = await json_body(request)
    wait = body.get("wait", True)
    if not isinstance(wait, bool):
        raise bad_request("wait must be true or false", param="wait")
    try:
        if "to" in body:
            state.clock.advance_to(parse_iso(str(body["to"])))
        elif isinstance(body.get("seconds"), int | float) and not isinstance(body["seconds"], bool):
            state.clock.advance(float(body["seconds"]))
        else:
            raise bad_request('send {"seconds": N} or {"to": "<ISO time>"}')
    except (ClockError, BadTimestamp) as exc:
        raise bad_request(str(exc)) from None
    # Frozen clocks deliver webhooks on each advance; wait so tests see a settled state, unless
    # the caller (a seed) would rather poll meanwhile and settle with /_twin/webhooks/flush.
    if not state.webhooks.all():
        deliveries = state.delivery.summary()
    elif wait:
        deliveries = await state.delivery.tick()
    else:
        deliveries = state.delivery.tick_soon()
    return JSONResponse({**clock_doc(state), "deliveries": deliveries})


# ---- faults, stats, tokens -----------------------------------------------------------------
FAULT_FIELDS = {f for f in FaultConfig.__dataclass_fields__}


async def faults_set(request: Request) -> JSONResponse:
    state = twin(request)
    body = await json_body(request)
    unknown = sorted(set(body) - FAULT_FIELDS)
    if unknown:
        raise bad_request(f"unknown fault setting(s): {', '.join(unknown)}", unknown=unknown)
    try:
        values: dict[str, Any] = {k: float(v) for k, v in body.items() if k != "seed"}
        if "seed" in body:
            values["seed"] = int(body["seed"])
        config = FaultConfig(**values)
    except (TwinConfigError, TypeError, ValueError) as exc:
        raise bad_request(str(exc)) from None
    # storm_seconds without storm_rate: start one storm right away.
    state.faults.configure(config, start_storm=config.storm_seconds > 0 and config.storm_rate == 0)
    return JSONResponse(state.faults.snapshot())


async def faults_get(request: Request) -> JSONResponse:
    return JSONResponse(twin(request).faults.snapshot())


async def faults_clear(request: Request) -> JSONResponse:
    state = twin(request)
    state.faults.configure(FaultConfig())
    return JSONResponse(state.faults.snapshot())


async def stats_get(request: Request) -> JSONResponse:
    return JSONResponse(twin(request).stats.snapshot())


async def stats_reset(request: Request) -> JSONResponse:
    state = twin(request)
    state.stats.reset()
    return JSONResponse(state.stats.snapshot())


async def tokens_expire(request: Request) -> JSONResponse:
    state = twin(request)
    return JSONResponse({"expired": state.tokens.expire_all(state.now())})


# ---- ground truth --------------------------------------------------------------------------
async def truth_live(request: Request) -> JSONResponse:
    state = twin(request)
    snapshot = state.live()
    return JSONResponse(
        {
            "at": iso(snapshot.at),
            "count": len(snapshot.streams),
            "totalViewers": sum(s.viewer_count for s in snapshot.streams),
            "streams": [
                {
                    "id": s.stream_id,
                    "userId": s.user_id,
                    "username": s.username,
                    "viewerCount": s.viewer_count,
                    "startedAt": iso(s.started_at),
                    "categorySlug": s.category.slug,
                }
                for s in snapshot.streams
            ],
        }
    )


def _channel(request: Request, required: bool) -> str | None:
    key = request.query_params.get("channel")
    if not key:
        if required:
            raise bad_request("channel is required (id or username)", param="channel")
        return None
    return twin(request).resolve_creator(key).id


async def truth_viewers(request: Request) -> JSONResponse:
    state = twin(request)
    channel = _channel(request, required=True)
    assert channel is not None
    t0, t1 = _range(request, timedelta(hours=1))
    points = state.world.live_minutes(channel, t0, t1)
    return JSONResponse(
        {
            "channelId": channel,
            "from": iso(t0),
            "to": iso(t1),
            # seconds: how long the minute was live (a session's last minute ends on its second)
            "points": [{"at": iso(at), "viewers": v, "seconds": sec} for at, v, sec in points],
        }
    )


async def truth_events(request: Request) -> JSONResponse:
    state = twin(request)
    channel = _channel(request, required=False)
    t0, t1 = _range(request, timedelta(hours=1))
    doc: dict[str, Any] = {"from": iso(t0), "to": iso(t1), "channelId": channel}
    if channel is not None:
        doc["totals"] = state.world.event_totals(t0, t1, creator_ids=[channel])
    else:
        doc["totals"] = state.world.event_totals(t0, t1)
        authorized = list(state.world.authorized_creator_ids)
        doc["authorizedTotals"] = state.world.event_totals(t0, t1, creator_ids=authorized)
    return JSONResponse(doc)


async def truth_followers(request: Request) -> JSONResponse:
    state = twin(request)
    channel = _channel(request, required=True)
    assert channel is not None
    at = _time_param(request, "at", state.now())
    return JSONResponse(
        {
            "channelId": channel,
            "at": iso(at),
            "followerCount": state.world.follower_count(channel, at),
        }
    )


async def truth_authorized(request: Request) -> JSONResponse:
    ids = sorted(twin(request).world.authorized_creator_ids)
    return JSONResponse({"creatorIds": ids})


# ---- webhooks ------------------------------------------------------------------------------
async def deliveries(request: Request) -> JSONResponse:
    return JSONResponse(twin(request).delivery.snapshot())


async def flush(request: Request) -> JSONResponse:
    return JSONResponse(await twin(request).delivery.tick())


async def test_event(request: Request) -> JSONResponse:
    state = twin(request)
    body = await json_body(request)
    event_type = body.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise bad_request("type is required", param="type")
    hook_id = body.get("webhook_id")
    if hook_id is not None and state.webhooks.by_id(str(hook_id)) is None:
        raise ApiError(404, f"webhook {hook_id!r} not found")
    queued = state.delivery.enqueue_test_event(event_type, str(hook_id) if hook_id else None)
    return JSONResponse({"queued": queued})


async def config_get(request: Request) -> JSONResponse:
    state = twin(request)
    doc = asdict(state.config)
    doc["start"] = iso(state.config.start) if state.config.start else None
    doc.pop("client_secret", None)
    return JSONResponse(doc)


ROUTES = [
    Route("/_twin/clock", clock_get, methods=["GET"]),
    Route("/_twin/clock", clock_set, methods=["POST"]),
    Route("/_twin/clock/advance", clock_advance, methods=["POST"]),
    Route("/_twin/faults", faults_get, methods=["GET"]),
    Route("/_twin/faults", faults_set, methods=["POST"]),
    Route("/_twin/faults", faults_clear, methods=["DELETE"]),
    Route("/_twin/stats", stats_get, methods=["GET"]),
    Route("/_twin/stats", stats_reset, methods=["DELETE"]),
    Route("/_twin/tokens/expire", tokens_expire, methods=["POST"]),
    Route("/_twin/config", config_get, methods=["GET"]),
    Route("/_twin/truth/live", truth_live),
    Route("/_twin/truth/viewers", truth_viewers),
    Route("/_twin/truth/events", truth_events),
    Route("/_twin/truth/followers", truth_followers),
    Route("/_twin/truth/authorized", truth_authorized),
    Route("/_twin/webhooks/deliveries", deliveries),
    Route("/_twin/webhooks/flush", flush, methods=["POST"]),
    Route("/_twin/webhooks/test-event", test_event, methods=["POST"]),
]
