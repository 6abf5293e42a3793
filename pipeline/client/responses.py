"""What the client hands back: every HTTP response verbatim, plus parsed items."""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class ApiResponse:
    """One HTTP response exactly as Velora sent it.

    ``endpoint`` is the template (``/api/streams/{username}/clips``), ``path`` the concrete path,
    ``params`` the query actually sent (cursor included), ``headers`` lower-cased names,
    ``page`` the 0-based page index within a paginated walk (0 for single calls).
    """

    endpoint: str
    path: str
    params: dict[str, Any]
    status: int
    headers: dict[str, str]
    body_text: str
    fetched_at: datetime
    page: int = 0
    attempts: int = 1

    def json(self) -> Any:
        """The body parsed as JSON (raises ``json.JSONDecodeError`` if it is not JSON)."""
        return json.loads(self.body_text)


@dataclass
class ListResult(Generic[T]):
    """Parsed items of a (possibly paginated) list call and every page's response.

    ``duplicates_removed`` counts items whose id was already seen on an earlier page (the first
    occurrence is kept). ``total`` is the envelope's ``total`` when the endpoint reports one.
    ``warnings`` lists values that could not be parsed (they became ``None``).
    """

    items: list[T]
    responses: list[ApiResponse]
    duplicates_removed: int = 0
    warnings: list[str] = field(default_factory=list)
    total: int | None = None

    @property
    def pages(self) -> int:
        return len(self.responses)


@dataclass
class ObjectResult(Generic[T]):
    """One parsed object and the response it came from."""

    item: T
    response: ApiResponse
    warnings: list[str] = field(default_factory=list)


@dataclass
class Page:
    """One page of a cursor walk: raw item dicts (duplicates already removed) and the response."""

    items: list[dict[str, Any]]
    response: ApiResponse
    index: int
    next_cursor: str | None
    duplicates_removed: int = 0
    body: Any = None


@dataclass
class FanOutResult(Generic[K, T]):
    """Per-key outcomes of :meth:`VeloraClient.fan_out`: successes and errors, in key order."""

    results: dict[K, T]
    errors: dict[K, Exception]

    @property
    def ok(self) -> bool:
        return not self.errors
