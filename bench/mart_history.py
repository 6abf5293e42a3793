"""Bulk core history for the marts benchmark: DuckDB SQL (bench/sql/mart_history.sql) writes
the core tables the marts read, in the schemas the real migrations create.

``load_hours(conn, creators, lo, hi)`` adds every row of ``[lo, hi)``; rows are a function of
(creator, day) only, so loading a history and then one more hour equals loading both at once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

SQL_FILE = Path(__file__).with_name("sql") / "mart_history.sql"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

# The last day of every bench history; its data runs to NOW, then new hours arrive.
LAST_DAY = datetime(2026, 3, 1, tzinfo=UTC)
NOW = LAST_DAY + timedelta(hours=12)


def _statements() -> list[str]:
    text = "\n".join(line.split("--", 1)[0] for line in SQL_FILE.read_text().splitlines())
    return [s.strip() for s in text.split(";") if s.strip()]


def load_hours(conn: duckdb.DuckDBPyConnection, creators: int, lo: datetime, hi: datetime) -> None:
    """Insert the core rows of ``creators`` creators for ``[lo, hi)`` in one transaction."""
    params = {"creators": creators, "lo": lo, "hi": hi}
    conn.execute("BEGIN TRANSACTION")
    try:
        for statement in _statements():
            used = {key: params[key] for key in dict.fromkeys(_PARAM.findall(statement))}
            conn.execute(statement, used)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def history_start(days: int) -> datetime:
    """``days`` UTC days of history end at ``NOW`` (the last one partial)."""
    return LAST_DAY - timedelta(days=days - 1)


def load_history(conn: duckdb.DuckDBPyConnection, creators: int, days: int) -> None:
    """``days`` days up to ``NOW``, a month per transaction (bounds the generator's memory)."""
    lo = history_start(days)
    while lo < NOW:
        hi = min(lo + timedelta(days=30), NOW)
        load_hours(conn, creators, lo, hi)
        lo = hi
