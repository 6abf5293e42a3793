"""What new core data changes: run pipeline/marts/sql/changes.sql for each changed window.

It reads marts.stream_sessions as it was before the new data was built into it, so call it
before the marts are rebuilt (``build.refresh_windows`` does; so do the ingest and webhook assets,
which report the plan to the marts sensor).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb

from pipeline.marts.plan import Changes, day_span
from pipeline.marts.sqlfiles import statements

Window = tuple[datetime, datetime]  # [lo, hi) of the rows' times


def find_changes(conn: duckdb.DuckDBPyConnection, windows: Iterable[Window]) -> Changes:
    (query,) = statements("changes.sql")
    found = Changes()
    for lo, hi in windows:
        if hi <= lo:
            raise ValueError(f"empty window {lo}..{hi}")
        kinds: dict[str, set] = {
            "day": set(),
            "session": set(),
            "profile": set(),
            "coverage": set(),
        }
        for kind, first, last in conn.execute(query, {"lo": lo, "hi": hi}).fetchall():
            kinds[kind] |= day_span(first, last)
        found = found | Changes(
            days=frozenset(kinds["day"]),
            session_days=frozenset(kinds["session"]),
            profile_days=frozenset(kinds["profile"]),
            rewrite={"channel_daily": frozenset(kinds["coverage"])} if kinds["coverage"] else {},
        )
    return found
