"""Tolerant readers for Velora JSON values (camelCase or snake_case keys, strings for numbers).

A value that is present but cannot be read raises :class:`BadValue`; the transform turns that
into a quarantined row (kept, never silently dropped). Absent optional values become ``None``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any


class BadValue(ValueError):
    """A present value of the wrong shape; the message names the field and the value."""


@cache
def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@cache
def _spellings(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(key for name in names for key in (name, snake(name))))


def spellings(*names: str) -> tuple[str, ...]:
    """``names`` plus their snake_case forms, for :func:`first` (build once, at import)."""
    return _spellings(names)


def first(obj: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """The first non-null value under ``keys`` (from :func:`spellings`); the hot-path ``pick``."""
    for key in keys:
        value = obj.get(key)
        if value is not None:
            return value
    return None


def pick(obj: Mapping[str, Any], *names: str) -> Any:
    """The first present, non-null value among ``names`` and their snake_case spellings."""
    for key in _spellings(names):
        value = obj.get(key)
        if value is not None:
            return value
    return None


def as_str(value: Any, field_name: str) -> str | None:
    if value is None or type(value) is str:  # fast path: the documented shape
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # ids are documented as strings; numeric ids still identify
    raise BadValue(f"{field_name}: expected a string, got {value!r}")


INT64_MAX = 2**63 - 1


def as_int(value: Any, field_name: str) -> int | None:
    if type(value) is int and -INT64_MAX <= value <= INT64_MAX:  # fast path
        return value
    number = _as_int(value, field_name)
    if number is not None and not -INT64_MAX <= number <= INT64_MAX:
        raise BadValue(f"{field_name}: {value!r} is out of range")
    return number


def _as_int(value: Any, field_name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(f"{field_name}: expected a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise BadValue(f"{field_name}: expected a whole number, got {value!r}")


def as_float(value: Any, field_name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(f"{field_name}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise BadValue(f"{field_name}: expected a number, got {value!r}")


def as_bool(value: Any, field_name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise BadValue(f"{field_name}: expected true/false, got {value!r}")


def as_timestamp(value: Any, field_name: str) -> datetime | None:
    """ISO 8601 (``Z`` or offset; a naive value is read as UTC) or unix seconds/milliseconds."""
    if type(value) is str and value.endswith("Z"):  # fast path: Velora's own format
        try:
            parsed = datetime.fromisoformat(value[:-1])
        except ValueError:
            raise BadValue(f"{field_name}: unparseable timestamp {value!r}") from None
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise BadValue(f"{field_name}: unparseable timestamp {value!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    raise BadValue(f"{field_name}: unparseable timestamp {value!r}")


def as_str_list(value: Any, field_name: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    raise BadValue(f"{field_name}: expected a list, got {value!r}")


def list_items(body: Any, keys: Sequence[str]) -> list[Any]:
    """The item list of a list envelope: ``{<plural>: [...]}``, ``items``, ``data`` or bare array."""
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping):
        for key in (*keys, "items", "data"):
            value = body.get(key)
            if isinstance(value, list):
                return value
    raise BadValue(f"no list under {', '.join((*keys, 'items', 'data'))} or as a bare array")


def unwrap(body: Any, key: str) -> Any:
    """An object that may arrive wrapped as ``{key: {...}}``."""
    if isinstance(body, Mapping) and isinstance(body.get(key), Mapping):
        return body[key]
    return body


@dataclass(frozen=True)
class Reject:
    """An item that could not be turned into a typed row: kept for quarantine with the reason."""

    reason: str
    row_json: str
    whole_body: bool = False  # the response itself had an unusable shape (malformed)


@dataclass
class TransformResult:
    """Typed candidate rows of one core table, items that could not be typed, and how many
    repeated items (same grain twice within the poll, e.g. a stream on two pages) were dropped."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    duplicates: int = 0

    def extend(self, other: TransformResult) -> None:
        self.rows.extend(other.rows)
        self.rejects.extend(other.rejects)
        self.duplicates += other.duplicates

    def drop_repeats(self, grain: Sequence[str]) -> None:
        """Keep the first row per ``grain`` value and count the others as duplicates."""
        self.rows, dropped = dedupe(self.rows, grain)
        self.duplicates += dropped


def reject(
    reason: str, item: Any, context: Mapping[str, Any] | None = None, *, whole_body: bool = False
) -> Reject:
    payload = {"item": item, **(context or {})}
    return Reject(
        reason=reason,
        row_json=json.dumps(payload, default=str, sort_keys=True),
        whole_body=whole_body,
    )


def dedupe(rows: Iterable[dict[str, Any]], key: Sequence[str]) -> tuple[list[dict[str, Any]], int]:
    """Keep the first row per key (earlier page wins); returns rows and how many were dropped."""
    seen: set[tuple[Any, ...]] = set()
    kept: list[dict[str, Any]] = []
    dropped = 0
    for row in rows:
        k = tuple(row[c] for c in key)
        if k in seen:
            dropped += 1
            continue
        seen.add(k)
        kept.append(row)
    return kept, dropped
