"""Fetching for each endpoint job: every response is kept (also failing ones) for raw storage.

List endpoints are walked with ``client.paginate`` page by page so that the pages fetched
before a failure are still stored. Per-channel endpoints use ``client.fan_out``: one channel's
failure is recorded and never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import duckdb

from pipeline.client import VeloraClient
from pipeline.client.errors import MalformedResponseError, VeloraApiError
from pipeline.client.responses import ApiResponse
from pipeline.config import Settings
from pipeline.ingest.sqlfiles import ingest_sql
from pipeline.ingest.tracked import TrackedChannel, resolve_tracked
from pipeline.ingest.transforms.values import BadValue, as_timestamp, list_items, pick
from pipeline.ingest.transforms.vods import VOD_LIST_KEYS

log = logging.getLogger("pipeline.ingest")


@dataclass
class FetchOutcome:
    """Responses to store, per-key failures (not fatal), malformed-body errors and a fatal
    error (the endpoint could not be fetched at all)."""

    responses: list[ApiResponse] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    fatal: VeloraApiError | None = None

    def record_error(self, exc: VeloraApiError, what: str) -> None:
        if exc.response is not None:
            self.responses.append(exc.response)
        if isinstance(exc, MalformedResponseError):
            self.malformed.append(f"{what}: {exc}")
        else:
            self.failures.append(f"{what}: {exc}")


@dataclass(frozen=True)
class FetchContext:
    client: VeloraClient
    conn: duckdb.DuckDBPyConnection
    settings: Settings
    poll_at: datetime

    def tracked(self) -> list[TrackedChannel]:
        return resolve_tracked(self.conn, self.settings, self.poll_at)


def walk_pages(
    ctx: FetchContext,
    endpoint: str,
    *,
    item_keys: tuple[str, ...],
    params: dict[str, Any] | None = None,
    path: str | None = None,
    id_keys: tuple[str, ...] = ("id",),
    stop_after: Callable[[Any], bool] | None = None,
) -> list[ApiResponse]:
    """Every page's response; on error the pages so far travel on the exception (``.pages``)."""
    responses: list[ApiResponse] = []
    try:
        for page in ctx.client.paginate(
            endpoint, params, item_keys=item_keys, id_keys=id_keys, path=path
        ):
            responses.append(page.response)
            if stop_after is not None and stop_after(page.body):
                break
    except VeloraApiError as exc:
        exc.pages = responses  # type: ignore[attr-defined]
        raise
    return responses


def _list_job(endpoint: str, item_keys: tuple[str, ...], id_keys: tuple[str, ...] = ("id",)):
    def fetch(ctx: FetchContext) -> FetchOutcome:
        outcome = FetchOutcome()
        try:
            outcome.responses.extend(
                walk_pages(ctx, endpoint, item_keys=item_keys, id_keys=id_keys)
            )
        except VeloraApiError as exc:
            outcome.responses.extend(getattr(exc, "pages", []))
            if isinstance(exc, MalformedResponseError):
                outcome.record_error(exc, endpoint)
            else:
                if exc.response is not None:
                    outcome.responses.append(exc.response)
                outcome.fatal = exc
        return outcome

    return fetch


def _fan_out(
    ctx: FetchContext,
    keys: Sequence[str],
    call: Callable[[str], list[ApiResponse]],
    what: str,
) -> FetchOutcome:
    outcome = FetchOutcome()
    if not keys:
        return outcome
    fanned = ctx.client.fan_out(call, keys)
    for key in keys:
        if key in fanned.results:
            outcome.responses.extend(fanned.results[key])
    for key, exc in fanned.errors.items():
        if isinstance(exc, VeloraApiError):
            outcome.responses.extend(getattr(exc, "pages", []))
            outcome.record_error(exc, f"{what} {key}")
        else:
            outcome.failures.append(f"{what} {key}: {type(exc).__name__}: {exc}")
        log.warning("%s failed for %s: %s", what, key, exc)
    return outcome


def _live_tracked_ids(ctx: FetchContext) -> list[str]:
    return [t.user_id for t in ctx.tracked() if t.is_live and t.user_id]


def _single(endpoint: str, path_template: str, params: dict[str, Any] | None = None):
    def call_for(ctx: FetchContext) -> Callable[[str], list[ApiResponse]]:
        def call(key: str) -> list[ApiResponse]:
            path = path_template.format(key=_segment(key))
            return [ctx.client.get_json(path, params, endpoint=endpoint)]

        return call

    return call_for


def _segment(value: str) -> str:
    return quote(value, safe="")


def _per_live_channel(endpoint: str, path_template: str, what: str):
    call_for = _single(endpoint, path_template)

    def fetch(ctx: FetchContext) -> FetchOutcome:
        return _fan_out(ctx, _live_tracked_ids(ctx), call_for(ctx), what)

    return fetch


def fetch_clips(ctx: FetchContext) -> FetchOutcome:
    newest = {
        str(r[0]): r[1]
        for r in ctx.conn.execute(
            ingest_sql("newest_clip_per_channel.sql"), {"poll_at": ctx.poll_at}
        ).fetchall()
    }
    endpoint = "/api/streams/{username}/clips"

    def call(username: str) -> list[ApiResponse]:
        since = newest.get(username.lower())
        path = f"/api/streams/{_segment(username)}/clips"
        return walk_pages(
            ctx,
            endpoint,
            item_keys=("clips",),
            params={"sort": "recent"},
            path=path,
            stop_after=(lambda body: _reaches_older(body, since)) if since else None,
        )

    return _fan_out(ctx, [t.username for t in ctx.tracked()], call, "clips of")


def _reaches_older(body: Any, since: datetime) -> bool:
    """Clips are newest first: stop paging once a page holds a clip older than ``since``."""
    try:
        items = list_items(body, ("clips",))
    except BadValue:
        return True
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            created = as_timestamp(pick(item, "createdAt"), "createdAt")
        except BadValue:
            continue
        if created is not None and created < since:
            return True
    return False


def fetch_teams(ctx: FetchContext) -> FetchOutcome:
    outcome = _list_job("/api/teams", ("teams",), ("id", "slug"))(ctx)
    if outcome.fatal is not None:
        return outcome
    slugs: list[str] = []
    for response in outcome.responses:
        try:
            items = list_items(response.json(), ("teams",))
        except (ValueError, BadValue):
            continue
        slugs.extend(str(pick(i, "slug")) for i in items if isinstance(i, dict) and pick(i, "slug"))
    slugs = list(dict.fromkeys(slugs))

    def call(slug: str) -> list[ApiResponse]:
        return walk_pages(
            ctx,
            "/api/teams/{slug}/members",
            item_keys=("members",),
            id_keys=("userId", "id"),
            path=f"/api/teams/{_segment(slug)}/members",
        )

    members = _fan_out(ctx, slugs, call, "members of team")
    outcome.responses.extend(members.responses)
    outcome.failures.extend(members.failures)
    outcome.malformed.extend(members.malformed)
    return outcome


def fetch_profiles(ctx: FetchContext) -> FetchOutcome:
    call = _single("/api/users/{username}", "/api/users/{key}")(ctx)
    return _fan_out(ctx, [t.username for t in ctx.tracked()], call, "profile of")


VOD_LOOKBACK_HOURS = 48  # a stream ended longer ago than this is history: no VOD request
VOD_PAGE = 10  # newest first: one page covers every session a channel ended since its last ask


def fetch_vods(ctx: FetchContext) -> FetchOutcome:
    """The first VOD page of each channel whose stream ended without a known end: the exact end
    of sessions no stream.offline event covers (docs/metrics.md, session end)."""
    usernames = [
        str(r[0])
        for r in ctx.conn.execute(
            ingest_sql("vods_to_fetch.sql"),
            {"poll_at": ctx.poll_at, "lookback_hours": VOD_LOOKBACK_HOURS},
        ).fetchall()
    ]
    endpoint = "/api/streams/user/{username}/vods"

    def call(username: str) -> list[ApiResponse]:
        return walk_pages(
            ctx,
            endpoint,
            item_keys=VOD_LIST_KEYS,
            params={"limit": VOD_PAGE},
            path=f"/api/streams/user/{_segment(username)}/vods",
            stop_after=lambda _body: True,
        )

    return _fan_out(ctx, usernames, call, "VODs of")


def fetch_tracked_channels(ctx: FetchContext) -> FetchOutcome:
    """Profiles of configured channels whose user id is not known yet (so the row has one)."""
    call = _single("/api/users/{username}", "/api/users/{key}")(ctx)
    unknown = [t.username for t in ctx.tracked() if t.user_id is None]
    return _fan_out(ctx, unknown, call, "profile of")


FETCHERS: dict[str, Callable[[FetchContext], FetchOutcome]] = {
    "live_streams": _list_job("/api/streams/live", ("streams",)),
    "top_streams": _list_job("/api/streams/top", ("streams",)),
    "growing_streams": _list_job("/api/streams/growing", ("streams",)),
    "featured_streams": _list_job("/api/streams/featured", ("streams",)),
    "volts_leaderboard": _per_live_channel(
        "/api/volts/leaderboard/{creator_id}",
        "/api/volts/leaderboard/{key}",
        "volts leaderboard of",
    ),
    "gift_leaderboard": _per_live_channel(
        "/api/subscriptions/creator/{creator_id}/gift-leaderboard",
        "/api/subscriptions/creator/{key}/gift-leaderboard",
        "gift leaderboard of",
    ),
    "points_leaderboard": _per_live_channel(
        "/api/channel-points/{channel_id}/leaderboard",
        "/api/channel-points/{key}/leaderboard",
        "points leaderboard of",
    ),
    "chat_stats": _per_live_channel(
        "/api/chat/channels/{channel_id}/stats", "/api/chat/channels/{key}/stats", "chat stats of"
    ),
    "categories": _list_job("/api/categories", ("categories",), ("id", "slug")),
    "clips": fetch_clips,
    "vods": fetch_vods,
    "teams": fetch_teams,
    "channel_profiles": fetch_profiles,
    "tracked_channels": fetch_tracked_channels,
}
