"""``pipeline.polars_frames``: exact dtypes and values, strictness, and no pandas on the way."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import polars as pl
import pytest

from pipeline.polars_frames import frame_from_columns, frame_from_rows, series_from_values

TS = pl.Datetime("us", "UTC")
AT = datetime(2026, 1, 15, 20, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        # a null list, an empty list and a list are three different things (tags)
        pytest.param(
            [["a", "b"], None, []],
            pl.List(pl.String),
            [["a", "b"], None, []],
            id="list-null-vs-empty",
        ),
        # tuples are lists too (transforms may build tags as tuples)
        pytest.param(
            [("x",), ("y", "z")], pl.List(pl.String), [["x"], ["y", "z"]], id="list-from-tuples"
        ),
        # a null inside a list survives the flat+offsets assembly
        pytest.param([["a", None]], pl.List(pl.String), [["a", None]], id="list-inner-null"),
        # all rows null: the flat values are empty
        pytest.param([None, None], pl.List(pl.String), [None, None], id="list-all-null"),
        # non-UTC offsets are converted to the same instant in UTC, microseconds kept
        pytest.param(
            [datetime(2026, 1, 15, 22, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2))), None],
            TS,
            [AT, None],
            id="datetime-offset-to-utc",
        ),
        # instants before 1970 floor-divide correctly
        pytest.param(
            [datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)],
            TS,
            [datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)],
            id="datetime-pre-epoch",
        ),
        # an int in a float column is a float (viewer growth percent can be a whole number)
        pytest.param([1, 2.5, None], pl.Float64, [1.0, 2.5, None], id="float-accepts-ints"),
    ],
)
def test_series_values_and_dtype(values: list[Any], dtype: Any, expected: list[Any]) -> None:
    series = series_from_values("c", values, dtype)
    assert series.name == "c"
    assert series.dtype == dtype
    assert series.to_list() == expected


@pytest.mark.parametrize(
    ("values", "dtype", "message"),
    [
        # a naive timestamp's zone is unknown: refusing beats silently assuming UTC
        pytest.param([datetime(2026, 1, 15, 20, 0)], TS, "timezone-aware", id="naive-datetime"),
        # a string where an int belongs must fail loudly, never become null
        pytest.param([1, "2"], pl.Int64, "Int64", id="string-in-int-column"),
        # an out-of-range Int32 (position, page) is an error, not a wrap-around
        pytest.param([2**40], pl.Int32, "Int32", id="int32-overflow"),
        # a scalar where a list belongs
        pytest.param(["a"], pl.List(pl.String), "expected a list", id="scalar-in-list-column"),
    ],
)
def test_wrong_values_raise(values: list[Any], dtype: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        series_from_values("c", values, dtype)


def test_frames_match_polars_own_constructor() -> None:
    schema = {
        "id": pl.String,
        "n": pl.Int32,
        "at": TS,
        "tags": pl.List(pl.String),
        "ok": pl.Boolean,
    }
    rows = [
        {
            "id": f"s{i}",
            "n": i,
            "at": AT + timedelta(seconds=i),
            "tags": ["t"] * (i % 3) or None,
            "ok": i % 2 == 0,
            "ignored": "extra keys are not columns",
        }
        for i in range(50)
    ]
    expected = pl.DataFrame([{k: r[k] for k in schema} for r in rows], schema=schema)
    assert frame_from_rows(rows, schema).equals(expected)
    columns = {name: [r[name] for r in rows] for name in schema}
    built = frame_from_columns(columns, schema)
    assert built.schema == pl.Schema(schema)
    assert built.equals(expected)


def test_building_and_loading_frames_imports_neither_pandas_nor_pyarrow() -> None:
    # pyarrow.array(list) would import pandas, and pyarrow itself is ~45 MB
    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "import polars as pl\n"
        "from pipeline.polars_frames import frame_from_rows\n"
        "schema = {'a': pl.List(pl.String), 't': pl.Datetime('us', 'UTC'), 'n': pl.Int64}\n"
        "import duckdb\n"
        "from pipeline.warehouse.frames import query_frame, registered\n"
        "frame = frame_from_rows([{'a': ['x'], 't': datetime.now(UTC), 'n': 1}], schema)\n"
        "conn = duckdb.connect()\n"
        "conn.execute(\"SET TimeZone = 'UTC'\")\n"
        "with registered(conn, 'f', frame):\n"
        "    conn.execute('CREATE TABLE t AS SELECT * FROM f')\n"
        "back = query_frame(conn, 'SELECT * FROM t')\n"
        "assert back.equals(frame), (back, frame)\n"
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "query",
    [
        # DuckDB 1.5 pushes this filter into a pyarrow dataset, which has no string_view = string
        pytest.param("SELECT k FROM f JOIN stored USING (k)", id="join-string-view-on-string"),
        pytest.param("SELECT k FROM f WHERE k = 'a'", id="filter-string-view-on-literal"),
    ],
)
def test_a_registered_frame_compares_its_strings_with_stored_ones(query: str) -> None:
    import duckdb

    from pipeline.warehouse.frames import registered

    conn = duckdb.connect()
    conn.execute("CREATE TABLE stored AS SELECT 'a' AS k")
    with registered(conn, "f", pl.DataFrame({"k": ["a", "b"]})):
        assert conn.execute(query).fetchall() == [("a",)]


@pytest.mark.parametrize(
    "dtype",
    [
        # no rows at all: the grouped list column is still typed
        pytest.param(pl.List(pl.String), id="empty-list-column"),
        pytest.param(TS, id="empty-datetime-column"),
        pytest.param(pl.Int32, id="empty-int-column"),
    ],
)
def test_empty_columns_keep_their_dtype(dtype: Any) -> None:
    series = series_from_values("c", [], dtype)
    assert series.dtype == dtype
    assert series.len() == 0


@pytest.mark.parametrize(
    ("dtype", "value", "expected"),
    [
        # a zone other than UTC keeps the same instant, shown in that zone
        pytest.param(
            pl.Datetime("us", "Europe/Berlin"),
            AT,
            AT.astimezone(timezone(timedelta(hours=1))),
            id="aware-non-utc-zone",
        ),
        # millisecond columns truncate to whole milliseconds
        pytest.param(
            pl.Datetime("ms", "UTC"), AT, AT.replace(microsecond=123000), id="aware-milliseconds"
        ),
        # a naive column stays naive: polars' own constructor, not the UTC fast path
        pytest.param(
            pl.Datetime("us"),
            datetime(2026, 1, 15, 20, 0),
            datetime(2026, 1, 15, 20, 0),
            id="naive-column",
        ),
    ],
)
def test_datetime_columns_keep_their_unit_and_zone(
    dtype: pl.Datetime, value: datetime, expected: datetime
) -> None:
    series = series_from_values("c", [value], dtype)
    assert series.dtype == dtype
    assert series.to_list() == [expected]
