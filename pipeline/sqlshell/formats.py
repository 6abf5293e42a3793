"""How ``velora sql`` prints a result: ``table`` for people, ``csv`` and ``json`` for programs.

Every format takes the column names and the rows in batches, so csv and json stream a large
result instead of holding it (the aligned table has to see every row to size its columns).
"""

from __future__ import annotations

import csv
import json
import math
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TextIO

NULL_TEXT = "NULL"
# zero-width joiner and variation selectors take no column of their own in a terminal
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\ufe0e", "\ufe0f"}
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

Row = Sequence[Any]
Batches = Iterable[Sequence[Row]]


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide (CJK, emoji) characters two, combining marks none."""
    width = 0
    for char in text:
        if char in _ZERO_WIDTH or unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _escape_controls(text: str) -> str:
    # a newline or tab inside a value would break the table's alignment
    if text.isprintable():
        return text
    return "".join(
        _ESCAPES.get(c, f"\\x{ord(c):02x}") if unicodedata.category(c) == "Cc" else c for c in text
    )


def _blob_text(value: bytes | bytearray | memoryview) -> str:
    return "".join(f"\\x{byte:02X}" for byte in bytes(value))


def jsonable(value: Any) -> Any:
    """A JSON-ready value: ISO-8601 datetimes, nested lists/structs kept, no NaN (JSON has none)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return _blob_text(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)  # UUID, INTERVAL (timedelta), ...


def _plain_text(value: Any) -> str:
    """A value as text for csv (and, escaped, for the table); None is left to the caller."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return _blob_text(value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(jsonable(value), ensure_ascii=False)
    return str(value)


def table_cell(value: Any) -> str:
    if value is None:
        return NULL_TEXT
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return _escape_controls(_plain_text(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def unique_names(columns: Sequence[str]) -> list[str]:
    """Column names as JSON keys: a repeated name gets ``_2``, ``_3`` so no value is lost."""
    seen: set[str] = set()
    names = []
    for name in columns:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        names.append(candidate)
    return names


def write_table(out: TextIO, columns: Sequence[str], batches: Batches) -> int:
    rows = [row for batch in batches for row in batch]
    headers = [_escape_controls(name) for name in columns]
    cells = [[table_cell(v) for v in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for line in cells:
        widths = [max(w, display_width(c)) for w, c in zip(widths, line, strict=True)]
    # a column whose every non-NULL value is a number is right-aligned, like a spreadsheet
    numeric = [
        any(row[i] is not None for row in rows)
        and all(row[i] is None or _is_number(row[i]) for row in rows)
        for i in range(len(columns))
    ]

    def pad(text: str, width: int, right: bool) -> str:
        fill = " " * (width - display_width(text))
        return fill + text if right else text + fill

    header = " | ".join(pad(h, w, False) for h, w in zip(headers, widths, strict=True))
    out.write(header.rstrip() + "\n")
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for line in cells:
        padded = (pad(c, w, r) for c, w, r in zip(line, widths, numeric, strict=True))
        out.write(" | ".join(padded).rstrip() + "\n")
    out.write(f"({len(rows)} row{'' if len(rows) == 1 else 's'})\n")
    return len(rows)


def write_csv(out: TextIO, columns: Sequence[str], batches: Batches) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for batch in batches:
        writer.writerows(["" if v is None else _plain_text(v) for v in row] for row in batch)
        count += len(batch)
    return count


def write_json(out: TextIO, columns: Sequence[str], batches: Batches) -> int:
    keys = unique_names(columns)
    count = 0
    out.write("[")
    for batch in batches:
        for row in batch:
            record = {k: jsonable(v) for k, v in zip(keys, row, strict=True)}
            out.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
            count += 1
    out.write("\n]\n" if count else "]\n")
    return count


WRITERS = {"table": write_table, "csv": write_csv, "json": write_json}
FORMATS = tuple(WRITERS)


def write_result(out: TextIO, fmt: str, columns: Sequence[str], batches: Batches) -> int:
    """Print one result in ``fmt``; returns the number of rows."""
    return WRITERS[fmt](out, columns, batches)
