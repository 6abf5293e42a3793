"""``velora sql`` output formats: each case names the quirk it guards."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pipeline.sqlshell.formats import FORMATS, display_width, write_result

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def render(fmt: str, columns: list[str], rows: list[tuple], batch: int = 2) -> str:
    out = io.StringIO()
    batches = [rows[i : i + batch] for i in range(0, len(rows), batch)]
    count = write_result(out, fmt, columns, batches)
    assert count == len(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("columns", "rows", "expected"),
    [
        pytest.param(
            ["a", "b"],
            [],
            ["a | b", "--+--", "(0 rows)"],
            id="empty-result-keeps-headers",
        ),
        pytest.param(
            ["name", "n"],
            [("x", None), ("y", 5)],
            ["name | n", "-----+-----", "x    | NULL", "y    |    5", "(2 rows)"],
            id="null-shown-as-NULL-in-a-right-aligned-number-column",
        ),
        pytest.param(
            ["v"],
            [("日本",), ("abc",)],
            ["v", "----", "日本", "abc", "(2 rows)"],
            id="cjk-counts-two-columns-per-character",
        ),
        pytest.param(
            ["v", "w"],
            [("e\u0301", 1), ("ab", 2)],
            ["v  | w", "---+--", "e\u0301  | 1", "ab | 2", "(2 rows)"],
            id="combining-accent-takes-no-column",
        ),
        pytest.param(
            ["v", "w"],
            [("🎉", 1), ("abc", 2)],
            ["v   | w", "----+--", "🎉  | 1", "abc | 2", "(2 rows)"],
            id="emoji-is-two-columns",
        ),
        pytest.param(
            ["title"],
            [("line one\nline\ttwo",)],
            ["title", "-" * 19, "line one\\nline\\ttwo", "(1 row)"],
            id="newline-and-tab-escaped-to-keep-rows-on-one-line",
        ),
        pytest.param(
            ["at"],
            [(NOON,), (datetime(2026, 3, 2, 13, 0, tzinfo=ZoneInfo("Europe/Berlin")),)],
            ["at", "-" * 25, "2026-03-02 12:00:00+00:00", "2026-03-02 13:00:00+01:00", "(2 rows)"],
            id="tz-datetimes-keep-their-offset",
        ),
        pytest.param(
            ["ok", "n"],
            [(True, 1), (False, 22)],
            ["ok    | n", "------+---", "true  |  1", "false | 22", "(2 rows)"],
            id="booleans-lowercase-and-not-numbers",
        ),
        pytest.param(
            ["code"],
            [("7",), ("12",)],
            ["code", "----", "7", "12", "(2 rows)"],
            id="digits-in-text-stay-left-aligned",
        ),
    ],
)
def test_table(columns, rows, expected):
    assert render("table", columns, rows).splitlines() == expected


def test_table_columns_line_up_in_display_columns():
    rows = [("日本語", "x"), ("a", "🎉y"), ("e\u0301e\u0301", "z")]
    lines = render("table", ["name", "tag"], rows).splitlines()[:-1]
    bars = {display_width(line.split(" | ")[0]) for line in lines if " | " in line}
    assert bars == {6}


@pytest.mark.parametrize(
    ("columns", "rows", "expected"),
    [
        pytest.param(["a", "b"], [], [["a", "b"]], id="empty-result-keeps-header-row"),
        pytest.param(["a"], [(None,), ("",)], [["a"], [""], [""]], id="null-is-an-empty-field"),
        pytest.param(
            ["t"],
            [('he said "hi", then\nleft',)],
            [["t"], ['he said "hi", then\nleft']],
            id="comma-quote-newline-survive-quoting",
        ),
        pytest.param(
            ["at", "d"],
            [(NOON, date(2026, 3, 2))],
            [["at", "d"], ["2026-03-02T12:00:00+00:00", "2026-03-02"]],
            id="tz-datetime-is-iso-8601",
        ),
        pytest.param(
            ["l", "s", "b"],
            [([1, None], {"k": "ü"}, True)],
            [["l", "s", "b"], ["[1, null]", '{"k": "ü"}', "true"]],
            id="lists-and-structs-as-json-text-bools-lowercase",
        ),
    ],
)
def test_csv(columns, rows, expected):
    text = render("csv", columns, rows)
    assert list(csv.reader(io.StringIO(text))) == expected


@pytest.mark.parametrize(
    ("columns", "rows", "expected"),
    [
        pytest.param(["a"], [], [], id="empty-result-is-an-empty-list"),
        pytest.param(["a"], [(None,)], [{"a": None}], id="null-is-null"),
        pytest.param(
            ["at"],
            [(datetime(2026, 3, 2, 13, 0, 0, 5, tzinfo=ZoneInfo("Europe/Berlin")),)],
            [{"at": "2026-03-02T13:00:00.000005+01:00"}],
            id="tz-datetime-iso-8601-with-offset-and-micros",
        ),
        pytest.param(
            ["x", "y", "z"],
            [(float("nan"), float("inf"), 1.5)],
            [{"x": None, "y": None, "z": 1.5}],
            id="nan-and-infinity-become-null-json-has-none",
        ),
        pytest.param(
            ["a", "b"],
            [(Decimal("12.000"), Decimal("0.25"))],
            [{"a": 12, "b": 0.25}],
            id="decimals-are-numbers",
        ),
        pytest.param(
            ["a", "a", "a_2"],
            [(1, 2, 3)],
            [{"a": 1, "a_2": 2, "a_2_2": 3}],
            id="repeated-column-names-keep-every-value",
        ),
        pytest.param(
            ["l", "s"],
            [([1, [2]], {"k": {"n": None}})],
            [{"l": [1, [2]], "s": {"k": {"n": None}}}],
            id="nested-lists-and-structs-stay-nested",
        ),
        pytest.param(
            ["b", "u", "i"],
            [(b"\x00\xff", uuid.UUID(int=1), timedelta(hours=2))],
            [{"b": "\\x00\\xFF", "u": "00000000-0000-0000-0000-000000000001", "i": "2:00:00"}],
            id="blob-uuid-interval-as-text",
        ),
        pytest.param(
            ["n"],
            [(i,) for i in range(5)],
            [{"n": i} for i in range(5)],
            id="rows-across-batches-in-order",
        ),
    ],
)
def test_json(columns, rows, expected):
    assert json.loads(render("json", columns, rows)) == expected


def test_json_keeps_unicode_readable():
    assert '"ü日本"' in render("json", ["v"], [("ü日本",)])


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_prints_the_header_of_an_empty_result(fmt):
    text = render(fmt, ["only_column"], [])
    assert ("only_column" in text) == (fmt != "json") and text.endswith("\n")
