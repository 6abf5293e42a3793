"""``VeloraClient``: auth, pacing, retries, pagination and typed calls over one httpx.Client.

The request loop (:meth:`VeloraClient._request`) is the only place that talks HTTP. What it does
with each status is decided by ``retry.STATUS_ACTIONS``; see docs/client.md for the full story.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from pipeline.client import parsing, subscription_parsing
from pipeline.client.auth import TOKEN_ENDPOINT, TokenManager
from pipeline.client.clock import Clock, SystemClock
from pipeline.client.config import ClientConfig
from pipeline.client.errors import (
    ClientConfigError,
    MalformedResponseError,
    PaginationLoopError,
    RateLimited,
    VeloraApiError,
    VeloraArgumentError,
    VeloraAuthError,
    VeloraTransportError,
    error_class_for,
)
from pipeline.client.logs import Redactor, log_event
from pipeline.client.parsing import (
    CategoryItem,
    ChannelStream,
    ChatStats,
    ClipItem,
    FollowerItem,
    LeaderboardEntry,
    StreamItem,
    SubscriberItem,
    TeamItem,
    TeamMember,
    UserProfile,
)
from pipeline.client.ratelimit import RateLimiter
from pipeline.client.responses import ApiResponse, FanOutResult, ListResult, ObjectResult, Page
from pipeline.client.retry import Action, Backoff, RetryBudget, action_for, retry_after_seconds
from pipeline.client.stats import ClientStats
from pipeline.client.subscription_parsing import RosterSubscriber, SubscriptionCount

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

ProgressCallback = Callable[[str, int, int], None]

DEBUG, INFO, WARNING = logging.DEBUG, logging.INFO, logging.WARNING

# Transport failures after which the request may have reached the server: only retried for
# idempotent calls. Connect failures never reached it, so they are always safe to retry.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_TRANSIENT = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.DecodingError,
)

WEBHOOKS_TEMPLATE = "/api/developer/apps/{client_id}/webhooks"
ROSTER_ENDPOINT = "/api/developer/subscriptions"
SUBSCRIPTION_COUNT_ENDPOINT = "/api/developer/subscriptions/count"
ROSTER_MAX_PER_PAGE = 100


def _segment(value: Any, name: str) -> str:
    """A path segment from caller input: a non-empty string, percent-encoded."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise VeloraArgumentError(f"{name} must be a non-empty string, got {value!r}")
    return quote(value.strip(), safe="")


def _fill(template: str, path_args: dict[str, Any]) -> str:
    """The concrete path of an endpoint template: each ``{name}`` becomes its caller-given
    value as a path segment (validated and percent-encoded by :func:`_segment`)."""
    return template.format(**{name: _segment(value, name) for name, value in path_args.items()})


def _snippet(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _error_fields(body_text: str) -> tuple[str | None, str | None, dict[str, Any], Any]:
    """``(code, message, details, parsed body)`` from Velora's error envelope, tolerantly."""
    try:
        body = json.loads(body_text) if body_text.strip() else None
    except ValueError:
        return None, None, {}, None
    if not isinstance(body, dict):
        return None, None, {}, body
    error = body.get("error")
    code = message = None
    if isinstance(error, dict):  # {"error": {"code", "message"}} variant
        code = parsing.parse_str(error.get("code"))
        message = parsing.parse_str(error.get("message"))
    else:
        code = parsing.parse_str(error) or parsing.parse_str(body.get("code"))
    message = message or parsing.parse_str(body.get("message"))
    details = body.get("details")
    return code, message, details if isinstance(details, dict) else {}, body


class VeloraClient:
    """Synchronous Velora API client; use as a context manager.

    ``transport`` replaces httpx's network transport (``httpx.MockTransport`` in unit tests);
    ``clock`` and ``rng`` make pacing, backoff and token expiry deterministic in tests;
    ``on_progress(endpoint, pages, items)`` is called after every page of a walk.
    """

    def __init__(
        self,
        config: ClientConfig,
        transport: httpx.BaseTransport | None = None,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        if not isinstance(config, ClientConfig):
            raise ClientConfigError(f"config must be a ClientConfig, got {type(config).__name__}")
        self.config = config
        self.stats = ClientStats()
        self._clock: Clock = clock or SystemClock()
        self._redact = Redactor()
        self._on_progress = on_progress
        self._limiter = RateLimiter(
            self._clock,
            ceiling_per_minute=config.rate_ceiling_per_minute,
            subscribers_ceiling_per_minute=config.subscribers_ceiling_per_minute,
            burst=config.burst,
            safety_margin=config.safety_margin,
        )
        self._backoff = Backoff(config.backoff_base, config.backoff_cap, rng)
        self._budget = RetryBudget(config.retry_budget, config.retry_budget_refill)
        self._auth = TokenManager(
            client_id=config.client_id,
            client_secret=config.client_secret,
            access_token=config.access_token,
            clock=self._clock,
            fetch=self._fetch_token,
            redact=self._redact,
            refresh_fraction=config.token_refresh_fraction,
            on_fetch=self._token_fetched,
        )
        pool = config.max_concurrency + 2
        self._http = httpx.Client(
            base_url=config.base_url,
            transport=transport,
            timeout=httpx.Timeout(config.timeout),
            headers={"User-Agent": config.user_agent, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            follow_redirects=False,
        )

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> VeloraClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._limiter

    @property
    def auth_mode(self) -> str:
        """``client_credentials``, ``fixed`` or ``anonymous``."""
        return self._auth.mode

    # ------------------------------------------------------------------ the request loop

    def _log(self, level: int, event: str, **fields: Any) -> None:
        log_event(self._redact, level, event, **fields)

    def _fetch_token(self, body: dict[str, Any]) -> ApiResponse:
        return self._request("POST", TOKEN_ENDPOINT, json_body=body, authenticated=False)

    def _token_fetched(self, expires_in: float) -> None:
        self.stats.add(token_fetches=1)
        self._log(INFO, "token_fetched", expires_in=expires_in)

    def _request(
        self,
        method: str,
        endpoint: str,
        path: str | None = None,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        page: int = 0,
        authenticated: bool = True,
        idempotent: bool = True,
        expect_json: bool = True,
    ) -> ApiResponse:
        """One logical call: paced, authenticated, retried; returns the successful response or
        raises a typed :class:`VeloraApiError`."""
        path = path or endpoint
        params = dict(params or {})
        cfg = self.config
        attempts = retries = rate_limit_waits = 0
        reauthed = False
        while True:
            attempts += 1
            token = self._auth.current() if authenticated else None
            slept = self._limiter.acquire(path)
            if slept:
                self.stats.add(pacing_sleep_seconds=slept)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            self.stats.count_request(endpoint)
            started = time.perf_counter()
            try:
                raw = self._http.request(
                    method, path, params=params or None, json=json_body, headers=headers
                )
                body_text = raw.text
            except _TRANSIENT as exc:
                self.stats.add(transport_errors=1)
                kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection error"
                error = VeloraTransportError(
                    self._redact(f"{method} {path}: {kind} ({type(exc).__name__}: {exc})"),
                    endpoint=endpoint,
                    attempts=attempts,
                )
                safe = idempotent or isinstance(exc, _NEVER_SENT)
                self._log(
                    WARNING,
                    "transport_error",
                    endpoint=endpoint,
                    path=path,
                    error=type(exc).__name__,
                    attempt=attempts,
                )
                retries = self._retry_or_raise(error, retries, None, allowed=safe)
                continue
            elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
            response = ApiResponse(
                endpoint=endpoint,
                path=path,
                params=params,
                status=raw.status_code,
                headers=dict(raw.headers.items()),
                body_text=body_text,
                fetched_at=datetime.fromtimestamp(self._clock.time(), tz=UTC),
                page=page,
                attempts=attempts,
            )
            if response.status != 429:
                # A 429's own headers say "0 remaining" whatever the cause (a storm, another
                # bucket); its Retry-After is the guidance we follow instead.
                self._limiter.observe(path, response.headers)
            self.stats.count_status(response.status)
            action = action_for(response.status)
            self._log(
                DEBUG,
                "response",
                method=method,
                endpoint=endpoint,
                path=path,
                status=response.status,
                attempt=attempts,
                elapsed_ms=elapsed_ms,
            )

            if action is Action.OK:
                if not expect_json or response.status == 204:
                    return self._succeeded(response, retries)
                try:
                    json.loads(body_text)
                except ValueError:
                    error = MalformedResponseError(
                        f"{method} {path} → {response.status} but the body is not JSON: {_snippet(body_text)!r}",
                        endpoint=endpoint,
                        status=response.status,
                        response=response,
                        attempts=attempts,
                    )
                    retries = self._retry_or_raise(
                        error, retries, None, allowed=idempotent and cfg.retry_malformed_success
                    )
                    continue
                return self._succeeded(response, retries)

            code, message, details, body = _error_fields(body_text)
            if (
                action is Action.REAUTH
                and authenticated
                and not reauthed
                and self._auth.invalidate(token)
            ):
                reauthed = True
                self.stats.add(reauths=1)
                self._log(INFO, "reauthenticate", endpoint=endpoint, path=path)
                continue
            if action is Action.WAIT:
                self.stats.add(rate_limited=1)
                wait = retry_after_seconds(response.headers, body, now=self._clock.time())
                if wait is None:
                    wait = self._backoff.delay(rate_limit_waits + 1)
                if rate_limit_waits >= cfg.max_rate_limit_waits or wait > cfg.max_retry_after:
                    raise RateLimited(
                        self._redact(
                            f"{method} {path} → 429 {code or 'rate_limit_exceeded'}: {message or 'rate limited'}"
                            f" (gave up after {rate_limit_waits} waits; server asks {wait:g}s)"
                        ),
                        retry_after=wait,
                        endpoint=endpoint,
                        status=429,
                        code=code,
                        details=details,
                        response=response,
                        attempts=attempts,
                    )
                rate_limit_waits += 1
                self.stats.add(rate_limit_wait_seconds=wait)
                self._log(
                    INFO,
                    "rate_limited",
                    endpoint=endpoint,
                    path=path,
                    wait_seconds=round(wait, 3),
                    wait=rate_limit_waits,
                )
                self._limiter.block(path, wait)
                continue

            error = self._error(method, response, code, message, details, attempts, authenticated)
            if action is Action.RETRY:
                hint = retry_after_seconds(response.headers, body, now=self._clock.time())
                retries = self._retry_or_raise(error, retries, hint, allowed=idempotent)
                continue
            self._log(
                WARNING,
                "request_failed",
                endpoint=endpoint,
                path=path,
                status=response.status,
                code=code or "",
            )
            raise error

    def _succeeded(self, response: ApiResponse, retries: int) -> ApiResponse:
        if retries == 0:
            self._budget.credit_success()
        return response

    def _error(
        self,
        method: str,
        response: ApiResponse,
        code: str | None,
        message: str | None,
        details: dict[str, Any],
        attempts: int,
        authenticated: bool,
    ) -> VeloraApiError:
        status = response.status
        what = f"{method} {response.path} → {status}"
        if code or message:
            text = f"{what} {code or 'error'}: {message or ''}".rstrip(": ")
        else:
            text = f"{what}: {_snippet(response.body_text) or 'empty body'}"
        cls = error_class_for(status)
        if status >= 500 and code is None and message is None:
            cls = MalformedResponseError  # an HTML/garbage error page: keep the body for inspection
        if status == 401:
            cls = VeloraAuthError
            if not authenticated:
                text += " (token endpoint)"
            elif self._auth.mode == "anonymous":
                text += "; this endpoint needs credentials (VELORA_CLIENT_ID/SECRET or VELORA_ACCESS_TOKEN)"
            elif self._auth.can_fetch:
                text += " (still unauthorized after re-authenticating once)"
            else:
                text += " (the fixed access token was rejected)"
        if status == 403 and details.get("required_scope"):
            text += f" (needs scope {details['required_scope']})"
        elif status == 403 and response.endpoint.startswith(ROSTER_ENDPOINT):
            text += " (acts for a broadcaster: needs a user token, e.g. VELORA_ACCESS_TOKEN)"
        return cls(
            self._redact(text),
            endpoint=response.endpoint,
            status=status,
            code=code,
            details=details,
            response=response,
            attempts=attempts,
        )

    def _retry_or_raise(
        self, error: VeloraApiError, retries: int, hint: float | None, *, allowed: bool
    ) -> int:
        """Sleep before the next attempt and return the new retry count, or raise ``error``."""
        cfg = self.config
        if not allowed:
            raise error
        if retries >= cfg.max_retries:
            error.args = (f"{error.message} (gave up after {error.attempts} attempts)",)
            error.message = error.args[0]
            self._log(
                WARNING,
                "retries_exhausted",
                endpoint=error.endpoint or "",
                attempts=error.attempts,
                status=error.status or "",
            )
            raise error
        if not self._budget.try_spend():
            error.args = (f"{error.message} (client-wide retry budget exhausted)",)
            error.message = error.args[0]
            self._log(
                WARNING,
                "retry_budget_exhausted",
                endpoint=error.endpoint or "",
                attempts=error.attempts,
            )
            raise error
        retries += 1
        delay = self._backoff.delay(retries)
        if hint is not None:
            delay = max(delay, min(hint, cfg.max_retry_after))
        self.stats.add(retries=1, backoff_sleep_seconds=delay)
        self._log(
            INFO,
            "retry",
            endpoint=error.endpoint or "",
            status=error.status or "",
            retry=retries,
            delay_seconds=round(delay, 3),
        )
        self._clock.sleep(delay)
        return retries

    # ------------------------------------------------------------------ generic calls

    def get_json(
        self, path: str, params: dict[str, Any] | None = None, *, endpoint: str | None = None
    ) -> ApiResponse:
        """GET one JSON document (``.json()`` on the result parses it)."""
        return self._request("GET", endpoint or path, path, params=params)

    def paginate(
        self,
        endpoint: str,
        params: dict[str, Any] | None = None,
        *,
        item_keys: tuple[str, ...] = (),
        id_keys: tuple[str, ...] = ("id",),
        max_pages: int | None = None,
        path: str | None = None,
    ) -> Iterator[Page]:
        """Walk a cursor-paginated list, yielding pages (duplicates across pages removed).

        Stops at a null/missing/empty cursor or after ``max_pages``; a cursor seen before raises
        :class:`PaginationLoopError`. ``limit`` defaults to ``config.page_size`` (100).
        """
        path = path or endpoint
        base = dict(params or {})
        base.setdefault("limit", self.config.page_size)
        seen_ids: set[str] = set()
        seen_cursors: set[str] = set()
        cursor: str | None = None
        items_so_far = 0
        index = 0
        while True:
            page_params = {**base, "cursor": cursor} if cursor else dict(base)
            response = self._request("GET", endpoint, path, params=page_params, page=index)
            body = response.json()
            rows = parsing.extract_list(body, item_keys)
            if rows is None:
                expected = "/".join([*item_keys, *parsing.LIST_ENVELOPE_KEYS]) or "a list"
                raise MalformedResponseError(
                    f"GET {path} page {index}: no item list in the body (looked for {expected})",
                    endpoint=endpoint,
                    status=response.status,
                    response=response,
                )
            fresh: list[dict[str, Any]] = []
            duplicates = 0
            for row in rows:
                if not isinstance(row, dict):
                    self._skip_non_object(endpoint, index)
                    continue
                key = parsing.item_id(row, id_keys)
                if key is not None:
                    if key in seen_ids:
                        duplicates += 1
                        continue
                    seen_ids.add(key)
                fresh.append(row)
            next_cursor = parsing.extract_cursor(body)
            items_so_far += len(fresh)
            self.stats.add(pages=1, duplicates_removed=duplicates)
            if duplicates:
                self._log(
                    INFO, "duplicates_removed", endpoint=endpoint, page=index, count=duplicates
                )
            if self._on_progress is not None:
                self._on_progress(endpoint, index + 1, items_so_far)
            yield Page(fresh, response, index, next_cursor, duplicates, body)
            if next_cursor is None:
                return
            if cursor is not None:
                seen_cursors.add(cursor)
            if next_cursor in seen_cursors or next_cursor == cursor:
                raise PaginationLoopError(
                    f"GET {endpoint}: page {index} returned cursor {next_cursor!r} that was already followed",
                    endpoint=endpoint,
                    status=response.status,
                    response=response,
                )
            index += 1
            if max_pages is not None and index >= max_pages:
                return
            if index >= self.config.max_pages_guard:
                raise PaginationLoopError(
                    f"GET {endpoint}: more than {self.config.max_pages_guard} pages; stopping",
                    endpoint=endpoint,
                    response=response,
                )
            cursor = next_cursor

    def _skip_non_object(self, endpoint: str, page: int) -> None:
        self._log(WARNING, "skipped_item", endpoint=endpoint, page=page, reason="not an object")

    def get_list(
        self,
        endpoint: str,
        params: dict[str, Any] | None = None,
        *,
        item_keys: tuple[str, ...] = (),
        id_keys: tuple[str, ...] = ("id",),
        max_pages: int | None = None,
        path: str | None = None,
    ) -> ListResult[dict[str, Any]]:
        """Every item of a paginated list (raw dicts) plus every page's response."""
        result: ListResult[dict[str, Any]] = ListResult(items=[], responses=[])
        for page in self.paginate(
            endpoint, params, item_keys=item_keys, id_keys=id_keys, max_pages=max_pages, path=path
        ):
            if not result.responses:
                result.total = parsing.extract_total(page.body)
            result.items.extend(page.items)
            result.responses.append(page.response)
            result.duplicates_removed += page.duplicates_removed
        return result

    def _typed_list(
        self,
        endpoint: str,
        parse: Callable[[dict[str, Any], list[str]], T],
        *,
        path_args: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        item_keys: tuple[str, ...] = (),
        id_keys: tuple[str, ...] = ("id",),
        max_pages: int | None = None,
    ) -> ListResult[T]:
        path = _fill(endpoint, path_args) if path_args else None
        raw = self.get_list(
            endpoint, params, item_keys=item_keys, id_keys=id_keys, max_pages=max_pages, path=path
        )
        warnings: list[str] = []
        items = [parse(row, warnings) for row in raw.items]
        self._warn(endpoint, warnings)
        return ListResult(items, raw.responses, raw.duplicates_removed, warnings, raw.total)

    def _warn(self, endpoint: str, warnings: list[str]) -> None:
        for warning in warnings[:20]:
            self._log(WARNING, "parse_warning", endpoint=endpoint, warning=warning)

    def _typed_object(
        self,
        endpoint: str,
        path_args: dict[str, Any],
        parse: Callable[[Any, list[str]], T | None],
        what: str,
    ) -> ObjectResult[T]:
        path = _fill(endpoint, path_args)
        response = self._request("GET", endpoint, path)
        warnings: list[str] = []
        item = parse(response.json(), warnings)
        if item is None:
            raise MalformedResponseError(
                f"GET {path}: body is not a {what} object: {_snippet(response.body_text)!r}",
                endpoint=endpoint,
                status=response.status,
                response=response,
            )
        self._warn(endpoint, warnings)
        return ObjectResult(item, response, warnings)

    # ------------------------------------------------------------------ streams

    def _streams(
        self, endpoint: str, max_pages: int | None = None, params: dict[str, Any] | None = None
    ) -> ListResult[StreamItem]:
        return self._typed_list(
            endpoint,
            parsing.parse_stream,
            params=params,
            item_keys=("streams",),
            max_pages=max_pages,
        )

    def live_streams(self, *, max_pages: int | None = None) -> ListResult[StreamItem]:
        return self._streams("/api/streams/live", max_pages)

    def top_streams(self, *, max_pages: int | None = None) -> ListResult[StreamItem]:
        return self._streams("/api/streams/top", max_pages)

    def growing_streams(self, *, max_pages: int | None = None) -> ListResult[StreamItem]:
        return self._streams("/api/streams/growing", max_pages)

    def featured_streams(self) -> ListResult[StreamItem]:
        return self._streams("/api/streams/featured")

    def browse_streams(
        self,
        *,
        category: str | None = None,
        language: str | None = None,
        sort: str | None = None,
        max_pages: int | None = None,
    ) -> ListResult[StreamItem]:
        params = {
            k: v for k, v in (("category", category), ("language", language), ("sort", sort)) if v
        }
        return self._streams("/api/streams/browse", max_pages, params)

    def stream_by_username(self, username: str) -> ObjectResult[ChannelStream]:
        return self._typed_object(
            "/api/streams/user/{username}",
            {"username": username},
            lambda body, w: parsing.parse_channel_stream(body, username, w),
            "channel stream",
        )

    # ------------------------------------------------------------------ catalogue

    def categories(self, *, max_pages: int | None = None) -> ListResult[CategoryItem]:
        return self._typed_list(
            "/api/categories",
            parsing.parse_category,
            item_keys=("categories",),
            id_keys=("id", "slug"),
            max_pages=max_pages,
        )

    def clips(
        self, username: str, since: datetime | None = None, *, max_pages: int | None = None
    ) -> ListResult[ClipItem]:
        """A channel's clips newest-first; with ``since``, stop at the first page that reaches
        clips older than it (those older clips are left out). Undated clips are kept."""
        if since is not None and (not isinstance(since, datetime) or since.tzinfo is None):
            raise VeloraArgumentError(f"since must be a timezone-aware datetime, got {since!r}")
        endpoint = "/api/streams/{username}/clips"
        path = _fill(endpoint, {"username": username})
        result: ListResult[ClipItem] = ListResult(items=[], responses=[])
        for page in self.paginate(
            endpoint,
            {"sort": "recent"},
            item_keys=("clips",),
            max_pages=max_pages,
            path=path,
        ):
            result.responses.append(page.response)
            result.duplicates_removed += page.duplicates_removed
            reached_older = False
            for row in page.items:
                clip = parsing.parse_clip(row, result.warnings)
                if since is not None and clip.created_at is not None and clip.created_at < since:
                    reached_older = True
                    continue
                result.items.append(clip)
            if reached_older:
                break
        self._warn(endpoint, result.warnings)
        return result

    def teams(self, *, max_pages: int | None = None) -> ListResult[TeamItem]:
        return self._typed_list(
            "/api/teams",
            parsing.parse_team,
            item_keys=("teams",),
            id_keys=("id", "slug"),
            max_pages=max_pages,
        )

    def team(self, slug: str) -> ObjectResult[TeamItem]:
        return self._typed_object(
            "/api/teams/{slug}", {"slug": slug}, parsing.parse_team_object, "team"
        )

    def team_members(self, slug: str, *, max_pages: int | None = None) -> ListResult[TeamMember]:
        return self._typed_list(
            "/api/teams/{slug}/members",
            lambda row, w: parsing.parse_team_member(row, slug, w),
            path_args={"slug": slug},
            item_keys=("members",),
            id_keys=("userId", "id"),
            max_pages=max_pages,
        )

    # ------------------------------------------------------------------ per-channel

    def user_profile(self, username: str) -> ObjectResult[UserProfile]:
        return self._typed_object(
            "/api/users/{username}", {"username": username}, parsing.parse_user_profile, "user"
        )

    def followers(self, user_id: str, max_pages: int | None = None) -> ListResult[FollowerItem]:
        return self._typed_list(
            "/api/users/{user_id}/followers",
            parsing.parse_follower,
            path_args={"user_id": user_id},
            item_keys=("followers",),
            id_keys=("userId", "id"),
            max_pages=max_pages,
        )

    def subscribers(
        self, creator_id: str, *, max_pages: int | None = None
    ) -> ListResult[SubscriberItem]:
        """Private (``subscriptions:read``); paced by the 120/min subscriber bucket."""
        return self._typed_list(
            "/api/subscriptions/creator/{creator_id}/subscribers",
            parsing.parse_subscriber,
            path_args={"creator_id": creator_id},
            item_keys=("subscribers",),
            id_keys=("userId", "id"),
            max_pages=max_pages,
        )

    def subscription_count(self) -> ObjectResult[SubscriptionCount]:
        """The token user's active subscriber count (user token, ``subscriptions:read``;
        paced by the 120/min subscriber bucket)."""
        return self._typed_object(
            SUBSCRIPTION_COUNT_ENDPOINT,
            {},
            subscription_parsing.parse_subscription_count,
            "subscription count",
        )

    def subscription_roster(
        self, *, per_page: int = ROSTER_MAX_PER_PAGE, max_pages: int | None = None
    ) -> ListResult[RosterSubscriber]:
        """Every active subscriber of the token user's channel, walking ``page=1..``.

        Ends on an empty page, once ``total`` subscribers are in hand, or (without a total) on
        a page shorter than the page size; with a total a short page does not end the walk, so a
        server that caps ``perPage`` below ours is still read completely. A page that brings
        only subscribers already seen raises :class:`PaginationLoopError` (``page`` ignored).
        """
        if isinstance(per_page, bool) or not isinstance(per_page, int):
            raise VeloraArgumentError(f"per_page must be a whole number, got {per_page!r}")
        if not 1 <= per_page <= ROSTER_MAX_PER_PAGE:
            raise VeloraArgumentError(f"per_page must be 1..100, got {per_page}")
        result: ListResult[RosterSubscriber] = ListResult(items=[], responses=[])
        seen: set[str] = set()
        for index in range(self.config.max_pages_guard):
            params = {"page": index + 1, "perPage": per_page}
            response = self._request("GET", ROSTER_ENDPOINT, params=params, page=index)
            body = response.json()
            rows = subscription_parsing.roster_rows(body)
            if rows is None:
                raise MalformedResponseError(
                    f"GET {ROSTER_ENDPOINT} page {index + 1}: no subscriber list in the body",
                    endpoint=ROSTER_ENDPOINT,
                    status=response.status,
                    response=response,
                )
            result.responses.append(response)
            total = subscription_parsing.roster_total(body)
            result.total = total if total is not None else result.total
            fresh = self._add_roster_rows(result, rows, seen, index)
            self.stats.add(pages=1)
            if self._on_progress is not None:
                self._on_progress(ROSTER_ENDPOINT, index + 1, len(result.items))
            page_size = subscription_parsing.roster_page_size(body) or per_page
            if (
                not rows
                or (result.total is not None and len(result.items) >= result.total)
                or (result.total is None and len(rows) < page_size)
                or (max_pages is not None and index + 1 >= max_pages)
            ):
                self._warn(ROSTER_ENDPOINT, result.warnings)
                return result
            if fresh == 0:
                raise PaginationLoopError(
                    f"GET {ROSTER_ENDPOINT}: page {index + 1} repeated only subscribers already "
                    f"seen (the server ignores page?); stopping",
                    endpoint=ROSTER_ENDPOINT,
                    status=response.status,
                    response=response,
                )
        raise PaginationLoopError(
            f"GET {ROSTER_ENDPOINT}: more than {self.config.max_pages_guard} pages; stopping",
            endpoint=ROSTER_ENDPOINT,
        )

    def _add_roster_rows(
        self, result: ListResult[RosterSubscriber], rows: list[Any], seen: set[str], index: int
    ) -> int:
        """Parse a roster page into ``result``; subscribers already seen (the roster shifted
        between pages) are dropped and counted. Returns how many were new."""
        fresh = repeated = 0
        for row in rows:
            if not isinstance(row, dict):
                self._skip_non_object(ROSTER_ENDPOINT, index)
                continue
            item = subscription_parsing.parse_roster_subscriber(row, result.warnings)
            if item.user_id is not None and item.user_id in seen:
                repeated += 1
                continue
            if item.user_id is not None:
                seen.add(item.user_id)
            result.items.append(item)
            fresh += 1
        if repeated:
            result.duplicates_removed += repeated
            self.stats.add(duplicates_removed=repeated)
            self._log(
                INFO, "duplicates_removed", endpoint=ROSTER_ENDPOINT, page=index, count=repeated
            )
        return fresh

    def chat_stats(self, channel_id: str) -> ObjectResult[ChatStats]:
        return self._typed_object(
            "/api/chat/channels/{channel_id}/stats",
            {"channel_id": channel_id},
            lambda body, w: parsing.parse_chat_stats(body, channel_id, w),
            "chat stats",
        )

    def _leaderboard(
        self, board: str, endpoint: str, path_args: dict[str, str], period: str | None = None
    ) -> ListResult[LeaderboardEntry]:
        path = _fill(endpoint, path_args)
        (owner,) = path_args.values()
        params = {"period": period} if period else {}
        response = self._request("GET", endpoint, path, params=params)
        warnings: list[str] = []
        entries = parsing.parse_leaderboard(response.json(), board, owner, warnings)
        if entries is None:
            raise MalformedResponseError(
                f"GET {path}: no leaderboard list in the body: {_snippet(response.body_text)!r}",
                endpoint=endpoint,
                status=response.status,
                response=response,
            )
        self._warn(endpoint, warnings)
        return ListResult(entries, [response], 0, warnings)

    def volts_leaderboard(
        self, creator_id: str, period: str | None = None
    ) -> ListResult[LeaderboardEntry]:
        return self._leaderboard(
            "volts", "/api/volts/leaderboard/{creator_id}", {"creator_id": creator_id}, period
        )

    def gift_leaderboard(
        self, creator_id: str, period: str | None = None
    ) -> ListResult[LeaderboardEntry]:
        return self._leaderboard(
            "gifts",
            "/api/subscriptions/creator/{creator_id}/gift-leaderboard",
            {"creator_id": creator_id},
            period,
        )

    def points_leaderboard(self, channel_id: str) -> ListResult[LeaderboardEntry]:
        return self._leaderboard(
            "points", "/api/channel-points/{channel_id}/leaderboard", {"channel_id": channel_id}
        )

    def fan_out(
        self, func: Callable[[K], T], keys: Iterable[K], *, max_concurrency: int | None = None
    ) -> FanOutResult[K, T]:
        """Run ``func(key)`` for every distinct key on a small thread pool (bounded by
        ``max_concurrency``, sharing this client's rate budget). One key's failure (a 404 for a
        channel that vanished) is recorded in ``errors`` and never loses the other keys."""
        unique = list(dict.fromkeys(keys))
        workers = max(1, min(max_concurrency or self.config.max_concurrency, len(unique) or 1))
        outcomes: dict[K, tuple[bool, Any]] = {}

        def run(key: K) -> None:
            try:
                outcomes[key] = (True, func(key))
            except Exception as exc:  # collected per key by design; the caller decides
                outcomes[key] = (False, exc)
                self._log(
                    WARNING,
                    "fan_out_error",
                    key=str(key),
                    error=type(exc).__name__,
                    status=getattr(exc, "status", "") or "",
                )

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="velora-fanout") as pool:
            list(pool.map(run, unique))
        results = {k: outcomes[k][1] for k in unique if outcomes[k][0]}
        errors = {k: outcomes[k][1] for k in unique if not outcomes[k][0]}
        return FanOutResult(results, errors)

    # ------------------------------------------------------------------ webhooks

    def _webhooks(self, webhook_id: str | None = None, suffix: str = "") -> tuple[str, str]:
        """``(endpoint template, concrete path)`` under the app's webhooks collection."""
        if not self.config.client_id:
            raise ClientConfigError("webhook management needs client_id (VELORA_CLIENT_ID)")
        path = f"/api/developer/apps/{quote(self.config.client_id, safe='')}/webhooks"
        if webhook_id is None:
            return WEBHOOKS_TEMPLATE, path
        seg = _segment(webhook_id, "webhook_id")
        return f"{WEBHOOKS_TEMPLATE}/{{id}}{suffix}", f"{path}/{seg}{suffix}"

    def _webhook_doc(self, response: ApiResponse, what: str) -> dict[str, Any]:
        doc = parsing.unwrap(response.json(), "webhook")
        if doc is None:
            raise MalformedResponseError(
                f"{what}: body is not a webhook object",
                endpoint=response.endpoint,
                status=response.status,
                response=response,
            )
        self._redact.add(parsing.parse_str(doc.get("secret")))
        return doc

    def create_webhook(self, url: str, events: list[str]) -> dict[str, Any]:
        """Register a webhook; the returned dict carries the ``secret`` (shown only once)."""
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise VeloraArgumentError(f"url must be an http(s) URL, got {url!r}")
        if not events or not all(isinstance(e, str) and e for e in events):
            raise VeloraArgumentError(
                f"events must be a non-empty list of event names, got {events!r}"
            )
        endpoint, path = self._webhooks()
        response = self._request(
            "POST", endpoint, path, json_body={"url": url, "events": list(events)}, idempotent=False
        )
        return self._webhook_doc(response, "create_webhook")

    def list_webhooks(self) -> list[dict[str, Any]]:
        endpoint, path = self._webhooks()
        response = self._request("GET", endpoint, path)
        rows = parsing.extract_list(response.json(), ("webhooks",))
        if rows is None:
            raise MalformedResponseError(
                "list_webhooks: no webhooks list in the body",
                endpoint=endpoint,
                status=response.status,
                response=response,
            )
        return [row for row in rows if isinstance(row, dict)]

    def get_webhook(self, webhook_id: str) -> dict[str, Any]:
        endpoint, path = self._webhooks(webhook_id)
        response = self._request("GET", endpoint, path)
        return self._webhook_doc(response, "get_webhook")

    def update_webhook(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        events: list[str] | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        body = {
            k: v for k, v in (("url", url), ("events", events), ("status", status)) if v is not None
        }
        if not body:
            raise VeloraArgumentError("update_webhook needs at least one of url, events, status")
        endpoint, path = self._webhooks(webhook_id)
        response = self._request("PATCH", endpoint, path, json_body=body)
        return self._webhook_doc(response, "update_webhook")

    def delete_webhook(self, webhook_id: str) -> None:
        endpoint, path = self._webhooks(webhook_id)
        self._request("DELETE", endpoint, path, expect_json=False)

    def rotate_webhook_secret(self, webhook_id: str) -> dict[str, Any]:
        """New signing secret (``{"id", "secret"}``). Safe to retry: the last secret returned is
        the one in force."""
        endpoint, path = self._webhooks(webhook_id, "/rotate-secret")
        response = self._request("POST", endpoint, path)
        return self._webhook_doc(response, "rotate_webhook_secret")
