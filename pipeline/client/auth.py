"""Access tokens: client-credentials fetched on demand and refreshed before they expire,
or a fixed token, or nothing (anonymous calls to public endpoints)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pipeline.client.clock import Clock
from pipeline.client.errors import (
    MalformedResponseError,
    VeloraApiError,
    VeloraAuthError,
)
from pipeline.client.logs import Redactor
from pipeline.client.responses import ApiResponse

TOKEN_ENDPOINT = "/api/developer/oauth/token"
DEFAULT_EXPIRES_IN = 3600.0  # documented lifetime, used when a response leaves it out

TokenFetcher = Callable[[dict[str, Any]], ApiResponse]


class TokenManager:
    """Thread-safe holder of the bearer token.

    ``fetch`` posts a JSON body to the token endpoint and returns the response (the client wires
    it to its own request machinery, so token calls are paced and retried like any other).
    """

    def __init__(
        self,
        *,
        client_id: str | None,
        client_secret: str | None,
        access_token: str | None,
        clock: Clock,
        fetch: TokenFetcher,
        redact: Redactor,
        refresh_fraction: float = 0.9,
        on_fetch: Callable[[float], None] | None = None,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._fetch = fetch
        self._redact = redact
        self._refresh_fraction = refresh_fraction
        self._on_fetch = on_fetch
        self._lock = threading.Lock()
        self._fixed_token = access_token
        self._token: str | None = access_token
        self._refresh_at: float | None = None  # None: no known expiry (fixed token)
        redact.add(client_secret)
        redact.add(access_token)

    @property
    def can_fetch(self) -> bool:
        return bool(self._client_id and self._client_secret)

    @property
    def mode(self) -> str:
        """``client_credentials`` (tokens fetched as needed), ``fixed`` or ``anonymous``."""
        if self.can_fetch:
            return "client_credentials"
        return "fixed" if self._fixed_token else "anonymous"

    def current(self) -> str | None:
        """The token to send now, fetching or refreshing it first when needed."""
        with self._lock:
            if not self.can_fetch:
                return self._token
            due = self._refresh_at is not None and self._clock.time() >= self._refresh_at
            if self._token is None or due:
                self._token = self._fetch_locked()
            return self._token

    def invalidate(self, token_used: str | None) -> bool:
        """A request with ``token_used`` got 401. Drop that token (unless another thread already
        replaced it) and say whether a fresh one can be fetched."""
        with self._lock:
            if not self.can_fetch:
                return False  # keep a fixed token: nothing better to replace it with
            if self._token == token_used:
                self._token = None
                self._refresh_at = None
            return True

    def _fetch_locked(self) -> str:
        body = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        try:
            response = self._fetch(body)
        except MalformedResponseError:
            raise
        except VeloraApiError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                raise VeloraAuthError(
                    self._redact(
                        f"token request rejected ({exc.status} {exc.code or 'error'}): "
                        f"{exc.message}; check VELORA_CLIENT_ID / VELORA_CLIENT_SECRET"
                    ),
                    endpoint=TOKEN_ENDPOINT,
                    status=exc.status,
                    code=exc.code,
                    details=exc.details,
                    response=exc.response,
                    attempts=exc.attempts,
                ) from None
            raise
        try:
            doc = response.json()
        except ValueError:
            doc = None
        token = doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token:
            raise MalformedResponseError(
                "token response has no access_token",
                endpoint=TOKEN_ENDPOINT,
                status=response.status,
                response=response,
            )
        self._redact.add(token)
        expires_in = doc.get("expires_in") if isinstance(doc, dict) else None
        if (
            isinstance(expires_in, bool)
            or not isinstance(expires_in, int | float)
            or expires_in <= 0
        ):
            expires_in = DEFAULT_EXPIRES_IN
        self._refresh_at = self._clock.time() + self._refresh_fraction * float(expires_in)
        if self._on_fetch is not None:
            self._on_fetch(float(expires_in))
        return token
