"""Cursor pagination: ``?limit`` (default 25, clamped to 1..100) and opaque base64 cursors.

A cursor encodes the list it belongs to and the offset of the next item, so a cursor from one
endpoint is rejected by another instead of silently returning the wrong page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pipeline.twin.server.errors import bad_request

DEFAULT_LIMIT = 25
MAX_LIMIT = 100

T = TypeVar("T")


def parse_limit(params: Mapping[str, str], default: int = DEFAULT_LIMIT) -> int:
    raw = params.get("limit")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"limit must be a whole number, got {raw!r}", param="limit") from None
    return max(1, min(MAX_LIMIT, value))


def encode_cursor(scope: str, offset: int) -> str:
    raw = json.dumps({"s": scope, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        doc = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = doc["o"]
        ok = doc["s"] == scope and isinstance(offset, int) and offset >= 0
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        ok = False
        offset = 0
    if not ok:
        raise bad_request("invalid or expired cursor", param="cursor")
    return offset


def paginate(
    items: Sequence[T], params: Mapping[str, str], scope: str, default_limit: int = DEFAULT_LIMIT
) -> tuple[Sequence[T], dict[str, Any]]:
    """Slice one page; returns (page items, ``{"cursor": next | None}``)."""
    limit = parse_limit(params, default_limit)
    cursor = params.get("cursor")
    offset = decode_cursor(cursor, scope) if cursor else 0
    page = items[offset : offset + limit]
    nxt = offset + limit
    return page, {"cursor": encode_cursor(scope, nxt) if nxt < len(items) else None}
