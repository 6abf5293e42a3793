"""The input of every transform: one stored response body, parsed, with its request identity."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.ingest.transforms.values import (
    BadValue,
    TransformResult,
    list_items,
    reject,
    unwrap,
)


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


def listing_rows(
    bodies: Iterable[Body],
    list_keys: tuple[str, ...],
    builder_for: Callable[[Body], RowBuilder],
    grain: Sequence[str],
) -> TransformResult:
    """Rows of list responses in the order given, each item built by ``builder_for(body)``; a
    body with no item list is quarantined whole; a repeat on ``grain`` is kept once (the first)."""
    result = TransformResult()
    for body in bodies:
        context = body_context(body)
        try:
            items = list_items(body.data, list_keys)
        except BadValue as exc:
            result.rejects.append(reject(f"envelope: {exc}", body.data, context, whole_body=True))
            continue
        result.extend(rows_from_items(items, builder_for(body), context))
    result.drop_repeats(grain)
    return result


def object_rows(
    bodies: Iterable[Body],
    wrapper: str,
    what: str,
    build: Callable[[Mapping[str, Any], Body], dict[str, Any]],
    grain: Sequence[str],
) -> TransformResult:
    """One row per object response (``{...}`` or ``{wrapper: {...}}``): ``build(obj, body)``; a
    body that is not an object (a ``what``) is quarantined whole; a repeat on ``grain`` is kept
    once."""
    result = TransformResult()
    for body in bodies:
        context = body_context(body)
        obj = unwrap(body.data, wrapper)
        if not isinstance(obj, Mapping):
            reason = f"envelope: {what} is not a JSON object"
            result.rejects.append(reject(reason, body.data, context, whole_body=True))
            continue
        try:
            result.rows.append(build(obj, body))
        except BadValue as exc:
            result.rejects.append(reject(str(exc), obj, context))
    result.drop_repeats(grain)
    return result


def number_positions(rows: list[dict[str, Any]]) -> None:
    """Set ``position`` to each row's 1-based place in the (de-duplicated) listing."""
    for position, row in enumerate(rows, start=1):
        row["position"] = position
