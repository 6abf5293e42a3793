from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.warehouse import connect
from pipeline.warehouse.raw import RawResponse, canonical_params

POLL = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def conn(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(warehouse_path)
    yield connection
    connection.close()


def live_stream(i: int, viewers: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"s_{i}",
        "userId": f"u_{i}",
        "username": f"user{i}",
        "viewerCount": viewers,
        "startedAt": "2026-01-15T18:00:00.000Z",
        "category": {"slug": "art", "name": "Art"},
        **extra,
    }


def raw_response(
    endpoint: str,
    body: Any,
    *,
    poll_at: datetime = POLL,
    page: int = 0,
    path: str = "/api/streams/live",
) -> RawResponse:
    text = body if isinstance(body, str) else json.dumps(body)
    from pipeline.warehouse.raw import json_parse_error

    return RawResponse(
        endpoint=endpoint,
        path=path,
        params_json=canonical_params(path, {"limit": 100}),
        poll_at=poll_at,
        page=page,
        status=200,
        fetched_at=poll_at + timedelta(seconds=2),
        headers_json="{}",
        body_text=text,
        parse_error=json_parse_error(text),
    )
