"""The input of every transform: one stored response body, parsed, with its request identity."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.ingest.transforms.values import BadValue, TransformResult, reject


@dataclass(frozen=True)
class Body:
    """A parsed response: ``path`` and ``query`` identify the request, ``page`` its position."""

    path: str
    page: int
    fetched_at: datetime
    data: Any
    query: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_stored(
        cls, path: str, params_json: str, page: int, fetched_at: datetime, body_text: str
    ) -> Body:
        params = json.loads(params_json)
        query = params.get("query", {}) if isinstance(params, dict) else {}
        return cls(
            path=path, page=page, fetched_at=fetched_at, data=json.loads(body_text), query=query
        )


RowBuilder = Callable[[Mapping[str, Any]], dict[str, Any]]


def rows_from_items(
    items: Iterable[Any], build: RowBuilder, context: Mapping[str, Any]
) -> TransformResult:
    """Build a row per item; an item that is not an object or has a bad value becomes a Reject."""
    result = TransformResult()
    for item in items:
        if not isinstance(item, Mapping):
            result.rejects.append(reject("item is not a JSON object", item, context))
            continue
        try:
            result.rows.append(build(item))
        except BadValue as exc:
            result.rejects.append(reject(str(exc), item, context))
    return result


def body_context(body: Body) -> dict[str, Any]:
    return {"path": body.path, "page": body.page}
