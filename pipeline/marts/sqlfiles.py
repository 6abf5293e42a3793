"""The marts' ``.sql`` files, and running a multi-statement file with named parameters."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

SQL_DIR = Path(__file__).with_name("sql")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@cache
def mart_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


@cache
def statements(name: str) -> tuple[str, ...]:
    """The file's statements (comments dropped; the marts' SQL has no ';' inside strings)."""
    text = "\n".join(line.split("--", 1)[0] for line in mart_sql(name).splitlines())
    return tuple(s.strip() for s in text.split(";") if s.strip())


def run_file(conn: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> None:
    """Each statement with just the parameters it names (DuckDB refuses unknown ones)."""
    for statement in statements(name):
        used = {key: params[key] for key in dict.fromkeys(_PARAM.findall(statement))}
        conn.execute(statement, used)
