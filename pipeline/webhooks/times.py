"""Webhook timestamps: ISO 8601 or unix epochs, as aware UTC datetimes.

Light on purpose: the receiver reads the body's signed ``timestamp`` with it on the hot path,
without importing the loader's schemas.
"""

from __future__ import annotations

from datetime import UTC, datetime


class TimestampError(ValueError):
    """A value that should be a time is not one; the message quotes it."""


def parse_time(value: object) -> datetime | None:
    """ISO 8601 (``Z`` or offset) or a unix epoch in seconds or milliseconds, as UTC."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000.0 if abs(value) >= 1e11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise TimestampError(f"unreadable timestamp {value!r}") from None
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return parse_time(int(text))
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise TimestampError(f"unreadable timestamp {value!r}") from None
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise TimestampError(f"unreadable timestamp {value!r}")
