"""``create_app``: the Starlette application that speaks Velora's wire format over a World."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.twin.server import (
    routes_admin,
    routes_channels,
    routes_developer_subscriptions,
    routes_private,
    routes_streams,
)
from pipeline.twin.server.config import TwinConfig
from pipeline.twin.server.errors import ApiError, error_body, error_response
from pipeline.twin.server.middleware import EdgeMiddleware
from pipeline.twin.server.openapi import openapi_document
from pipeline.twin.server.state import TwinState
from pipeline.twin.world import World, WorldConfig

# A fixed default for frozen clocks keeps runs reproducible: a Thursday evening (UTC), two weeks
# after the world epoch, when many channels are live.
DEFAULT_FROZEN_START = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)


def build_world(config: TwinConfig) -> World:

    return World(WorldConfig(seed=config.seed, creators=config.creators))


def start_time(config: TwinConfig) -> datetime:
    if config.start is not None:
        return config.start.astimezone(UTC)
    if config.clock == "frozen":
        return DEFAULT_FROZEN_START
    return datetime.now(UTC)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        body = error_body(404, f"no route for {request.method} {request.url.path}")
    elif exc.status_code == 405:
        body = error_body(405, f"method {request.method} not allowed on {request.url.path}")
    else:
        body = error_body(exc.status_code, str(exc.detail))
    return JSONResponse(body, status_code=exc.status_code, headers=dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        error_body(500, "internal error", details={"exception": type(exc).__name__}),
        status_code=500,
    )


async def _openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


def create_app(config: TwinConfig | None = None, world: World | None = None) -> Starlette:
    """Build the twin app. ``world`` defaults to ``World(WorldConfig(seed, creators))``."""
    from starlette.routing import Route

    config = config or TwinConfig()
    state = TwinState(
        config, world if world is not None else build_world(config), start_time(config)
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(state.delivery.run_background())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await state.delivery.aclose()

    routes = [
        *routes_admin.ROUTES,
        Route("/openapi.json", _openapi),
        *routes_private.ROUTES,  # before /api/users/{username} so /api/users/me wins
        *routes_developer_subscriptions.ROUTES,
        *routes_streams.ROUTES,
        *routes_channels.ROUTES,
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(EdgeMiddleware, state=state)],  # type: ignore[arg-type]
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    # "/api/x/" is not "/api/x": answer 404 in Velora's format instead of an empty 307 redirect
    app.router.redirect_slashes = False
    app.state.twin = state
    state.routes = list(routes)
    app.state.openapi = openapi_document(routes)
    return app
