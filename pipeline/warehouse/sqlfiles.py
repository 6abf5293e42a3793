"""Loads the ``.sql`` files that live beside this package (cached; they never change at run time)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")


@cache
def sql_text(name: str) -> str:
    """The text of ``sql/<name>`` (``name`` may contain a sub-folder, e.g. ``load/clips.sql``)."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def migration_files() -> list[Path]:
    """Migration files in apply order (``NNN_name.sql`` directly under ``sql/``)."""
    return sorted(p for p in SQL_DIR.glob("[0-9][0-9][0-9]_*.sql"))
