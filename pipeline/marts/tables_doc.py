"""The marts section of docs/warehouse.md, generated from the registries so it cannot drift.

Grain and partition come from the schema registry, what a mart reads and how it is built from
``MARTS``, and each column's meaning from its ``-- comment`` in the migration that creates it
(the DDL is where a column is defined, so its comment is the one description of it).
"""

from __future__ import annotations

import re

from pipeline.marts.definitions import BY_KEY
from pipeline.marts.registry import MARTS
from pipeline.schemas.registry import table_spec
from pipeline.warehouse.sqlfiles import migration_files

BEGIN_MARKER = "<!-- mart-tables:begin (generated from pipeline/marts/tables_doc.py) -->"
END_MARKER = "<!-- mart-tables:end -->"

_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS (marts\.\w+) \((.*?)\n\);", re.S)
_ADD = re.compile(
    r"ALTER TABLE (marts\.\w+) ADD COLUMN (?:IF NOT EXISTS )?(\w+) ([A-Z]+)[^;]*;[ \t]*(?:--[ \t]*(.*))?"
)
_COLUMN = re.compile(r"^\s*(\w+)\s+([A-Z]+)[^-]*?(?:--\s*(.+))?$")


def column_comments() -> dict[str, dict[str, tuple[str, str]]]:
    """table -> column -> (SQL type, the comment its migration gives it, '' when none)."""
    comments: dict[str, dict[str, tuple[str, str]]] = {}
    for path in migration_files():
        text = path.read_text(encoding="utf-8")
        for table, body in _CREATE.findall(text):
            for line in body.splitlines():
                match = _COLUMN.match(line)
                if match:
                    comments.setdefault(table, {})[match[1]] = (match[2], (match[3] or "").strip())
        for table, column, sql_type, comment in _ADD.findall(text):
            comments.setdefault(table, {})[column] = (sql_type, comment.strip())
    return comments


def _metric_label(column: str) -> str:
    defined = BY_KEY.get(column)
    return f"{defined.label} (metrics.md)" if defined else ""


def render_markdown() -> str:
    comments = column_comments()
    lines = [BEGIN_MARKER]
    for mart in MARTS.values():
        for table in mart.tables:
            spec = table_spec(table)
            lines += [
                "",
                f"### `{table}` — one row per `({', '.join(spec.grain)})`",
                f"{mart.description[0].upper()}{mart.description[1:]}. Partition: the UTC day of "
                f"`{spec.partition_column}`. Built by mart `{mart.name}` "
                f"({', '.join(f'`sql/{step}`' for step in mart.steps)}) from "
                f"{', '.join(f'`{u}`' for u in mart.upstream)}.",
                "",
                "| column | type | meaning |",
                "|---|---|---|",
            ]
            described = comments.get(table, {})
            for column in spec.columns:
                sql_type, comment = described.get(column, ("", ""))
                lines.append(f"| `{column}` | {sql_type} | {comment or _metric_label(column)} |")
    lines += ["", END_MARKER]
    return "\n".join(lines)
