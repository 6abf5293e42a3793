"""The ingest layer's own ``.sql`` files (queries about what to fetch next)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")


@cache
def ingest_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")
