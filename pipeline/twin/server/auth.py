"""OAuth for the twin: client credentials, authorization codes, refresh tokens, bearer checks
against twin time.

Client-credentials tokens are app-only (``user_id`` None: Velora's "server-to-server, app-only
access"); authorization-code tokens act for one broadcaster, and a refresh keeps that user.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pipeline.twin.server.errors import ApiError

# (name, description) -- the documented scope list (developer.velora.tv/developer/docs/scopes).
SCOPES: tuple[tuple[str, str], ...] = (
    ("user:read", "Read the authenticated user's profile"),
    ("user:write", "Update the authenticated user's profile"),
    ("stream:read", "Read stream information"),
    ("stream:write", "Update stream title and category"),
    ("stream:key", "Read and regenerate the stream key"),
    ("followers:read", "Read followers"),
    ("subscriptions:read", "Read subscriptions and subscribers"),
    ("subscriptions:write", "Manage subscriptions"),
    ("chat:read", "Read chat"),
    ("chat:write", "Send chat messages"),
    ("chat:moderate", "Moderate chat"),
    ("channel:read", "Read channel settings"),
    ("channel:points:read", "Read channel points"),
    ("payments:read", "Read Volts wallet and transactions"),
    ("points:read", "Read point balances"),
    ("bot:write", "Configure the bot"),
)
ALL_SCOPES = tuple(name for name, _ in SCOPES)


@dataclass
class Token:
    access_token: str
    refresh_token: str
    client_id: str
    scopes: frozenset[str]
    expires_at: datetime
    user_id: str | None = None  # the broadcaster a user token acts for; None: app-only


class TokenStore:
    """``broadcaster_for_code`` names the user an authorization code stands for (the twin has
    no consent screen, so the code itself says who consented)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        ttl_seconds: int,
        broadcaster_for_code: Callable[[str], str],
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.ttl = ttl_seconds
        self._broadcaster_for_code = broadcaster_for_code
        self._lock = threading.Lock()
        self._by_access: dict[str, Token] = {}
        self._by_refresh: dict[str, Token] = {}

    def _check_client(self, body: dict[str, Any]) -> None:
        if (
            body.get("client_id") != self.client_id
            or body.get("client_secret") != self.client_secret
        ):
            raise ApiError(401, "invalid client credentials", code="invalid_client")

    def _parse_scopes(self, requested: object) -> frozenset[str]:
        if requested in (None, ""):
            return frozenset(ALL_SCOPES)
        if not isinstance(requested, str):
            raise ApiError(
                400, "scope must be a space separated string", details={"param": "scope"}
            )
        names = frozenset(requested.split())
        unknown = sorted(names - set(ALL_SCOPES))
        if unknown:
            raise ApiError(
                400,
                f"unknown scope(s): {', '.join(unknown)}",
                code="invalid_scope",
                details={"unknown": unknown},
            )
        return names

    def _issue(self, scopes: frozenset[str], now: datetime, user_id: str | None = None) -> Token:
        token = Token(
            access_token="vtw_" + secrets.token_urlsafe(24),
            refresh_token="vtr_" + secrets.token_urlsafe(24),
            client_id=self.client_id,
            scopes=scopes,
            expires_at=now + timedelta(seconds=self.ttl),
            user_id=user_id,
        )
        with self._lock:
            self._by_access[token.access_token] = token
            self._by_refresh[token.refresh_token] = token
        return token

    def grant(self, body: dict[str, Any], now: datetime) -> Token:
        grant_type = body.get("grant_type")
        if grant_type == "client_credentials":
            self._check_client(body)
            return self._issue(self._parse_scopes(body.get("scope")), now)
        if grant_type == "refresh_token":
            self._check_client(body)
            with self._lock:
                old = self._by_refresh.pop(str(body.get("refresh_token", "")), None)
                if old is not None:
                    self._by_access.pop(old.access_token, None)
            if old is None:
                raise ApiError(400, "unknown or already used refresh_token", code="invalid_grant")
            return self._issue(old.scopes, now, old.user_id)
        if grant_type == "authorization_code":
            # No consent screen: any non-empty code is accepted and names the broadcaster.
            self._check_client(body)
            missing = [k for k in ("code", "redirect_uri", "code_verifier") if not body.get(k)]
            if missing:
                raise ApiError(
                    400,
                    f"missing {', '.join(missing)}",
                    code="invalid_request",
                    details={"missing": missing},
                )
            scopes = self._parse_scopes(body.get("scope"))
            return self._issue(scopes, now, self._broadcaster_for_code(str(body["code"])))
        raise ApiError(400, f"unsupported grant_type {grant_type!r}", code="unsupported_grant_type")

    def lookup(self, access_token: str) -> Token | None:
        with self._lock:
            return self._by_access.get(access_token)

    def expire_all(self, now: datetime) -> int:
        """Admin helper: make every issued token expired now (for client refresh tests)."""
        with self._lock:
            for token in self._by_access.values():
                token.expires_at = min(token.expires_at, now)
            return len(self._by_access)

    def authenticate(self, authorization: str | None, now: datetime) -> Token:
        if not authorization:
            raise ApiError(401, "missing bearer token", details={"header": "Authorization"})
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "Authorization header must be 'Bearer <token>'")
        token = self.lookup(value.strip())
        if token is None:
            raise ApiError(401, "invalid access token")
        if token.expires_at <= now:
            raise ApiError(401, "access token expired", details={"reason": "token_expired"})
        return token


def require_user(token: Token) -> str:
    """The broadcaster a token acts for; app-only tokens are refused on "own channel" endpoints."""
    if token.user_id is None:
        raise ApiError(
            403,
            "this endpoint acts for the authorizing user's own channel; an app-only "
            "(client_credentials) token has no user. Use the authorization code flow.",
            code="forbidden",
            details={"grant_type": "client_credentials", "required_grant": "authorization_code"},
        )
    return token.user_id


def require_scope(token: Token, scope: str) -> None:
    if scope not in token.scopes:
        raise ApiError(
            403,
            f"this endpoint requires the {scope} scope",
            code="insufficient_scope",
            details={"required_scope": scope},
        )
