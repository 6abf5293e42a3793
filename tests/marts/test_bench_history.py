"""The marts benchmark's bulk history (bench/mart_history.py), at a tiny size, so it cannot rot."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from bench import mart_history
from pipeline.marts.build import rebuild_all
from pipeline.warehouse import connect

CORE_TABLES = (
    "stream_snapshots",
    "webhook_events",
    "stream_status_events",
    "follows",
    "subscriptions",
    "volts_tips",
    "points_redemptions",
    "gifts",
    "channel_profiles",
    "leaderboard_entries",
)


def _contents(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(conn.execute(f"SELECT * FROM core.{t}").fetchall()) for t in CORE_TABLES}  # noqa: S608


@pytest.mark.parametrize(
    "split_hours",
    [
        pytest.param(1, id="the bench's new hour adds exactly what a one-shot load would hold"),
        pytest.param(14, id="a split across midnight neither drops nor repeats a stream"),
    ],
)
def test_hour_by_hour_equals_one_load(tmp_path: Path, split_hours: int) -> None:
    lo, hi = mart_history.history_start(2), mart_history.NOW + timedelta(hours=2)
    cut = hi - timedelta(hours=split_hours)
    once = connect(tmp_path / "once.duckdb")
    mart_history.load_hours(once, 7, lo, hi)
    parts = connect(tmp_path / "parts.duckdb")
    mart_history.load_hours(parts, 7, lo, cut)
    mart_history.load_hours(parts, 7, cut, hi)
    assert _contents(parts) == _contents(once)
    assert all(_contents(once).values()), "every core table the marts read gets rows"


def test_marts_build_sessions_with_offline_ends(tmp_path: Path) -> None:
    """The generated rows have the shapes the marts expect: sessions end at offline events."""
    conn = connect(tmp_path / "w.duckdb")
    mart_history.load_history(conn, 5, 1)
    rebuild_all(conn, today=mart_history.LAST_DAY.date())
    ends = dict(
        conn.execute("SELECT end_source, count(*) FROM marts.stream_sessions GROUP BY 1").fetchall()
    )
    assert ends.get("offline_event", 0) > 0
    [[channels]] = conn.execute(
        "SELECT count(DISTINCT channel_id) FROM marts.channel_daily"
    ).fetchall()
    assert channels == 5
