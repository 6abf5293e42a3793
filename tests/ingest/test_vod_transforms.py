"""VOD listings -> core.vods rows: the assumed shape and every variant the client tolerates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipeline.ingest.transforms import Body, vod_rows

POLL = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
PATH = "/api/streams/user/alice/vods"
STARTED = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
ENDED = datetime(2026, 1, 15, 19, 12, 34, tzinfo=UTC)
ASSUMED = {
    "id": "v_1",
    "streamId": "s_1",
    "title": "hello",
    "startedAt": "2026-01-15T17:00:00.000Z",
    "endedAt": "2026-01-15T19:12:34.000Z",
    "duration": 7954,
}


def rows(data: Any, path: str = PATH) -> Any:
    return vod_rows([Body(path=path, page=0, fetched_at=POLL, data=data)], POLL)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"vods": [ASSUMED], "pagination": {"cursor": None}}, id="assumed-envelope"),
        pytest.param({"videos": [ASSUMED]}, id="videos-envelope"),
        pytest.param({"items": [ASSUMED]}, id="items-envelope"),
        pytest.param({"data": [ASSUMED]}, id="data-envelope"),
        pytest.param([ASSUMED], id="bare-array"),
        pytest.param([{**ASSUMED, "endedAt": None}], id="no-endedAt-derived-from-duration"),
        pytest.param([{**ASSUMED, "endedAt": None, "duration": "2:12:34"}], id="duration-hh-mm-ss"),
        pytest.param(
            [{k: v for k, v in ASSUMED.items() if k != "streamId"} | {"stream": {"id": "s_1"}}],
            id="stream-nested",
        ),
        pytest.param(
            [
                {
                    "id": "v_1",
                    "stream_id": "s_1",
                    "started_at": ASSUMED["startedAt"],
                    "ended_at": ASSUMED["endedAt"],
                }
            ],
            id="snake-case",
        ),
    ],
)
def test_vod_variants_give_the_exact_end(data: Any) -> None:
    result = rows(data)
    assert not result.rejects
    (row,) = result.rows
    assert (row["stream_id"], row["channel_username"]) == ("s_1", "alice")
    assert (row["started_at"], row["ended_at"]) == (STARTED, ENDED)
    assert row["duration_seconds"] == (ENDED - STARTED).total_seconds()
    assert row["first_seen_at"] == POLL


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        pytest.param(
            {**ASSUMED, "streamId": None}, "streamId", id="no-stream-cannot-end-a-session"
        ),
        pytest.param({**ASSUMED, "startedAt": None}, "startedAt", id="no-start"),
        pytest.param({**ASSUMED, "endedAt": None, "duration": None}, "endedAt", id="no-end-at-all"),
        pytest.param(
            {**ASSUMED, "endedAt": "2026-01-15T16:00:00Z"}, "before", id="end-before-start"
        ),
        pytest.param(
            {**ASSUMED, "endedAt": None, "duration": "1:xx"}, "duration", id="bad-duration"
        ),
    ],
)
def test_untypable_vods_are_quarantined_not_dropped(item: dict[str, Any], reason: str) -> None:
    result = rows({"vods": [item]})
    assert not result.rows and reason in result.rejects[0].reason


def test_a_stream_listed_twice_is_kept_once() -> None:
    bodies = [
        Body(path=PATH, page=page, fetched_at=POLL, data={"vods": [ASSUMED]}) for page in (0, 1)
    ]
    result = vod_rows(bodies, POLL)
    assert len(result.rows) == 1 and result.duplicates == 1


def test_listing_without_a_channel_in_its_path_is_rejected() -> None:
    result = rows({"vods": [ASSUMED]}, path="/api/vods")
    assert not result.rows and "channel" in result.rejects[0].reason


def test_end_derived_from_duration_is_start_plus_duration() -> None:
    (row,) = rows([{**ASSUMED, "endedAt": None, "duration": 60.5}]).rows
    assert row["ended_at"] == STARTED + timedelta(seconds=60.5)
