"""CSV and Parquet downloads, and the creator session export in Twitch's column names."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dashboards import exports

SESSIONS = pd.DataFrame(
    {
        "stream_id": ["s1"],
        "started_at": pd.to_datetime(["2026-11-27 09:58"]).tz_localize("UTC"),
        "ended_at": pd.to_datetime(["2026-11-27 10:32"]).tz_localize("UTC"),
        "title": ["alice stream"],
        "category_slug": ["just-chatting"],
        "hours_live": [34 / 60],
        "hours_watched": [1720 / 60],
        "average_viewers": [71.666],
        "peak_viewers": [160],
    }
)


def test_csv_keeps_utc_offsets_and_no_index() -> None:
    berlin = SESSIONS.assign(started_at=SESSIONS["started_at"].dt.tz_convert("Europe/Berlin"))
    text = exports.to_csv(berlin.loc[:, ["stream_id", "started_at"]]).decode()
    assert text.splitlines() == ["stream_id,started_at", "s1,2026-11-27T09:58:00+00:00"]


def test_parquet_round_trips_types() -> None:
    table = pq.read_table(io.BytesIO(exports.to_parquet(SESSIONS)))
    back = table.to_pandas()
    assert str(back["started_at"].dt.tz) == "UTC"
    assert back["peak_viewers"].dtype == "int64"
    assert back.equals(SESSIONS)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        pytest.param("Minutes Watched", 1720, id="hours-become-minutes"),
        pytest.param("Minutes Streamed", 34, id="airtime-becomes-minutes"),
        pytest.param("Max Viewers", 160, id="sampled-peak-under-twitchs-name"),
        pytest.param("Average Viewers", 71.7, id="average-rounded"),
        pytest.param("Start Time", pd.Timestamp("2026-11-27 09:58", tz="UTC"), id="start"),
    ],
)
def test_creator_sessions_uses_twitch_columns(column: str, value: object) -> None:
    assert exports.creator_sessions(SESSIONS)[column].iloc[0] == value


def test_creator_sessions_leaves_out_what_we_do_not_have() -> None:
    columns = list(exports.creator_sessions(SESSIONS).columns)
    assert "Chatters" not in columns  # not filled with zeros
    assert columns[:2] == ["Start Time", "End Time"]
