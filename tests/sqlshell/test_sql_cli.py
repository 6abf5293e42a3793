"""``velora sql`` end to end against a snapshot of real marts: modes, formats and errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pipeline.sqlshell.formats import jsonable
from pipeline.warehouse import connect, publish_from
from tests.sqlshell.conftest import build_marts_warehouse, read_snapshot

CHANNELS_SQL = (
    "SELECT day, channel_id, username, hours_watched, peak_viewers, followers_source "
    "FROM marts.channel_daily ORDER BY day, channel_id"
)


def test_command_prints_an_aligned_table_of_the_marts(velora_sql, marts_data_dir):
    columns, rows = read_snapshot(marts_data_dir, CHANNELS_SQL)
    result = velora_sql("-c", CHANNELS_SQL, data_dir=marts_data_dir)
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert [c.strip() for c in lines[0].split("|")] == columns
    assert lines[-1] == f"({len(rows)} rows)" and len(lines) == len(rows) + 3
    assert any("NULL" in line for line in lines[2:-1]) == any(None in row for row in rows)


def test_json_is_a_list_of_objects_with_iso_datetimes(velora_sql, marts_data_dir):
    sql = "SELECT * FROM marts.live_totals ORDER BY snapshot_at"
    columns, rows = read_snapshot(marts_data_dir, sql)
    result = velora_sql("-c", sql, "--format", "json", data_dir=marts_data_dir)
    assert result.code == 0
    parsed = json.loads(result.out)
    assert parsed == [dict(zip(columns, map(jsonable, row), strict=True)) for row in rows]
    assert (
        parsed and parsed[0]["snapshot_at"].endswith("+00:00") and "T" in parsed[0]["snapshot_at"]
    )


def test_csv_has_a_header_and_every_row(velora_sql, marts_data_dir):
    sql = "SELECT channel_id, day, volts, tippers FROM marts.monetization_daily ORDER BY 1, 2"
    columns, rows = read_snapshot(marts_data_dir, sql)
    result = velora_sql("-c", sql, "--format", "csv", data_dir=marts_data_dir)
    parsed = list(csv.reader(io.StringIO(result.out)))
    assert parsed[0] == columns
    assert parsed[1:] == [["" if v is None else str(v) for v in row] for row in rows]


def test_duckdb_types_reach_json_intact(velora_sql, marts_data_dir):
    sql = (
        "SELECT TIMESTAMPTZ '2026-03-02 10:00:00+00' AS at, DATE '2026-03-02' AS d, "
        "[1, 2] AS l, {'a': 'ü'} AS s, NULL::INTEGER AS n, 1.50::DECIMAL(5, 2) AS m"
    )
    result = velora_sql("-c", sql, "--format", "json", data_dir=marts_data_dir)
    assert json.loads(result.out) == [
        {
            "at": "2026-03-02T10:00:00+00:00",
            "d": "2026-03-02",
            "l": [1, 2],
            "s": {"a": "ü"},
            "n": None,
            "m": 1.5,
        }
    ]


def test_sql_piped_on_stdin_is_run(velora_sql, marts_data_dir):
    [(expected,)] = read_snapshot(marts_data_dir, "SELECT count(*) FROM marts.stream_sessions")[1]
    result = velora_sql(
        "--format",
        "csv",
        data_dir=marts_data_dir,
        stdin="-- how many sessions\nSELECT count(*) AS sessions\nFROM marts.stream_sessions;\n",
    )
    assert result.code == 0 and result.out == f"sessions\n{expected}\n"


@pytest.mark.parametrize("from_stdin", [False, True], ids=["file", "file-dash-reads-stdin"])
def test_a_file_runs_every_statement_on_one_snapshot(
    velora_sql, marts_data_dir, tmp_path, from_stdin
):
    script = (
        "CREATE TEMP TABLE busiest AS SELECT channel_id, max(peak_viewers) AS peak "
        "FROM marts.channel_daily GROUP BY channel_id;\n"
        "SELECT count(*) AS channels FROM busiest;\n"
        "SELECT max(peak) AS top_peak FROM busiest;\n"
    )
    path = tmp_path / "q.sql"
    path.write_text(script)
    args = ("--file", "-") if from_stdin else ("--file", str(path))
    result = velora_sql(*args, "--format", "json", data_dir=marts_data_dir, stdin=script)
    [(channels, peak)] = read_snapshot(
        marts_data_dir,
        "SELECT count(DISTINCT channel_id), max(peak_viewers) FROM marts.channel_daily",
    )[1]
    assert result.code == 0
    assert json_documents(result.out) == [[{"channels": channels}], [{"top_peak": peak}]]


def json_documents(text: str) -> list:
    """Several results in json are several documents, one after another."""
    decoder, documents, at = json.JSONDecoder(), [], 0
    while text[at:].strip():
        document, at = decoder.raw_decode(text, len(text) - len(text[at:].lstrip()))
        documents.append(document)
    return documents


def one_line_error(result, code: int) -> str:
    assert result.code == code and result.out == ""
    assert "Traceback" not in result.err and result.err.count("\n") == 1
    assert result.err.startswith("velora sql: error: ")
    return result.err


def test_no_snapshot_yet_says_how_to_get_one(velora_sql, tmp_path):
    err = one_line_error(velora_sql("-c", "SELECT 1", data_dir=tmp_path), 2)
    assert "no published snapshot yet" in err and "make demo" in err and "velora seed" in err


def test_current_naming_a_pruned_file_is_explained(velora_sql, tmp_path):
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "CURRENT").write_text("warehouse-9.duckdb\n")
    err = one_line_error(velora_sql("-c", "SELECT 1", data_dir=tmp_path), 2)
    assert "warehouse-9.duckdb" in err and "velora warehouse publish" in err


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("SELEC 1", 'syntax error at or near "SELEC"', id="syntax-error"),
        pytest.param(
            "SELECT * FROM marts.nope", "Table with name nope does not exist", id="unknown-table"
        ),
        pytest.param("SELECT 'x'::INTEGER", "Could not convert string 'x'", id="bad-cast"),
        pytest.param(
            "SELECT 1 AS fine; SELECT nope FROM marts.live_totals",
            "statement 2: ",
            id="numbered-when-several",
        ),
    ],
)
def test_sql_errors_are_one_line(velora_sql, marts_data_dir, sql, expected):
    result = velora_sql("-c", sql, data_dir=marts_data_dir)
    assert result.code == 1 and "Traceback" not in result.err
    [line] = result.err.splitlines()
    assert expected in line and "LINE 1" not in line


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        pytest.param("INSERT INTO marts.live_totals VALUES (now(), 1, 1)", "INSERT", id="insert"),
        pytest.param("DELETE FROM marts.channel_daily", "DELETE", id="delete"),
        pytest.param("CREATE TABLE marts.mine AS SELECT 1", "CREATE", id="create-table"),
        pytest.param("DROP TABLE marts.live_totals", "DROP", id="drop"),
    ],
)
def test_writes_are_refused_as_read_only(velora_sql, marts_data_dir, sql, kind):
    err = one_line_error(velora_sql("-c", sql, data_dir=marts_data_dir), 1)
    assert "read-only" in err and f"{kind} statements are refused" in err
    assert read_snapshot(marts_data_dir, "SELECT count(*) FROM marts.live_totals")[1][0][0] > 0


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("ATTACH '{warehouse}' AS w", id="attach-the-warehouse"),
        pytest.param("SELECT * FROM read_csv('{warehouse}')", id="read-a-file"),
        pytest.param("COPY marts.live_totals TO '{out}'", id="copy-to-a-file"),
    ],
)
def test_file_access_is_off_so_the_warehouse_lock_stays_free(
    velora_sql, marts_data_dir, tmp_path, sql
):
    warehouse = marts_data_dir / "warehouse.duckdb"
    command = sql.format(warehouse=warehouse, out=tmp_path / "out.csv")
    err = one_line_error(velora_sql("-c", command, data_dir=marts_data_dir), 1)
    assert "reads only the published snapshot" in err
    assert not (tmp_path / "out.csv").exists()
    connect(warehouse).close()  # the writer can still open it


def test_each_run_reads_the_snapshot_current_at_that_moment(velora_sql, tmp_path):
    build_marts_warehouse(tmp_path)
    sql = "SELECT current_database() AS snapshot, count(*) AS polls FROM marts.live_totals"
    first = json.loads(velora_sql("-c", sql, "--format", "json", data_dir=tmp_path).out)
    conn = connect(tmp_path / "warehouse.duckdb")
    try:
        conn.execute(
            "DELETE FROM marts.live_totals WHERE snapshot_at = (SELECT max(snapshot_at) FROM marts.live_totals)"
        )
        publish_from(conn, tmp_path / "published")
    finally:
        conn.close()
    second = json.loads(velora_sql("-c", sql, "--format", "json", data_dir=tmp_path).out)
    assert first[0]["snapshot"] == "warehouse-1" and second[0]["snapshot"] == "warehouse-2"
    assert second[0]["polls"] == first[0]["polls"] - 1


def test_no_sql_given_is_an_error(velora_sql, marts_data_dir):
    err = one_line_error(velora_sql(data_dir=marts_data_dir, stdin="  -- nothing\n"), 1)
    assert "no SQL statement given" in err


def test_an_unreadable_file_is_one_line(velora_sql, marts_data_dir, tmp_path):
    err = one_line_error(
        velora_sql("--file", str(tmp_path / "missing.sql"), data_dir=marts_data_dir), 2
    )
    assert "missing.sql" in err


def test_the_warehouse_is_never_needed(velora_sql, tmp_path):
    build_marts_warehouse(tmp_path)
    (tmp_path / "warehouse.duckdb").unlink()
    [(expected,)] = read_snapshot(tmp_path, "SELECT count(*) FROM marts.channel_daily")[1]
    result = velora_sql(
        "-c", "SELECT count(*) AS n FROM marts.channel_daily", "--format", "csv", data_dir=tmp_path
    )
    assert result.code == 0 and result.out == f"n\n{expected}\n"
    assert not (tmp_path / "warehouse.duckdb").exists()
