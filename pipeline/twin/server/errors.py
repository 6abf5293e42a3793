"""Velora's error format: ``{"error", "message", "details"}`` for every error response."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

STATUS_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "rate_limit_exceeded",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
}


class ApiError(Exception):
    """Raised by handlers; rendered as a Velora error response."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def error_body(
    status: int, message: str, code: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "error": code or STATUS_CODES.get(status, "error"),
        "message": message,
        "details": details or {},
    }


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(exc.status, exc.message, exc.code, exc.details),
        status_code=exc.status,
        headers=exc.headers,
    )


def bad_request(message: str, **details: Any) -> ApiError:
    return ApiError(400, message, details=details)


def not_found(message: str, **details: Any) -> ApiError:
    return ApiError(404, message, details=details)
