"""Typed errors raised by the Velora client.

Everything the client raises on purpose is a :class:`VeloraApiError`, so callers (the ingest
layer, ``fan_out``) can catch one type. Each error keeps the :class:`ApiResponse` it came from
(when there was one) so the raw body can be stored for inspection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.client.responses import ApiResponse


class ClientConfigError(ValueError):
    """A :class:`ClientConfig` value (or a call argument) we cannot use; the message names it."""


class VeloraApiError(Exception):
    """Base of every error the client raises about a call to Velora.

    ``code``/``message``/``details`` come from Velora's ``{"error","message","details"}`` body
    when it has one. ``attempts`` is how many HTTP attempts the call made.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        status: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        response: ApiResponse | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        self.status = status
        self.code = code
        self.details = details or {}
        self.response = response
        self.attempts = attempts

    @property
    def body_text(self) -> str | None:
        """The raw body of the failing response, if there was one."""
        return self.response.body_text if self.response is not None else None


class BadRequest(VeloraApiError):
    """400 ``invalid_request``: the call itself is wrong; retrying cannot help."""


class Unauthorized(VeloraApiError):
    """401 ``unauthorized``."""


class VeloraAuthError(Unauthorized):
    """Authentication failed for good: the token endpoint refused our credentials, or a request
    was still 401 after one re-authentication (or a fixed token was rejected)."""


class Forbidden(VeloraApiError):
    """403 ``forbidden`` / ``insufficient_scope`` (``details.required_scope`` names the scope)."""


class NotFound(VeloraApiError):
    """404 ``not_found``."""


class RateLimited(VeloraApiError):
    """429 that we gave up waiting for (too many waits, or a ``Retry-After`` beyond our cap)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(VeloraApiError):
    """5xx that persisted through every retry the budgets allowed."""


class MalformedResponseError(VeloraApiError):
    """The body is not the JSON we need (HTML error page, truncated JSON, no list in a list
    envelope). ``body_text`` keeps the raw text so the ingest layer can store it."""


class VeloraTransportError(VeloraApiError):
    """Timeouts or connection errors that persisted through every retry the budgets allowed."""


class PaginationLoopError(VeloraApiError):
    """The server handed back a cursor we already followed (or the walk exceeded the page guard)."""


ERRORS_BY_STATUS: dict[int, type[VeloraApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    429: RateLimited,
}


def error_class_for(status: int) -> type[VeloraApiError]:
    """The typed error for an HTTP status (5xx → ServerError, other statuses → base class)."""
    if status >= 500:
        return ServerError
    return ERRORS_BY_STATUS.get(status, VeloraApiError)


class VeloraArgumentError(ValueError):
    """A call argument we cannot send (empty username, naive ``since`` datetime, ...)."""
