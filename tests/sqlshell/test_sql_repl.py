"""The interactive ``velora sql`` prompt: scripted through ``Repl``, and once on a real TTY."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from pipeline.sqlshell.repl import CONTINUATION, PROMPT, Repl
from pipeline.warehouse import connect, publish_from
from tests.sqlshell.conftest import build_marts_warehouse, read_snapshot


def scripted(lines: Iterable[str | type[BaseException]]):
    """A ``read_line`` that types ``lines`` (an exception class is raised instead, e.g. Ctrl-C)
    and records the prompts it was shown."""
    pending = list(lines)
    prompts: list[str] = []

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        if not pending:
            raise EOFError
        line = pending.pop(0)
        if isinstance(line, type):
            raise line()
        return line

    return read_line, prompts


def session(data_dir: Path, lines, fmt: str = "csv") -> tuple[int, str, str, list[str]]:
    read_line, prompts = scripted(lines)
    out, err = io.StringIO(), io.StringIO()
    code = Repl(data_dir / "published", fmt, out, err, read_line).run()
    return code, out.getvalue(), err.getvalue(), prompts


def test_a_statement_spans_lines_until_its_semicolon(marts_data_dir):
    code, out, _, prompts = session(
        marts_data_dir, ["SELECT count(*) AS n", "FROM marts.channel_daily", "  ;", ".quit"]
    )
    [(n,)] = read_snapshot(marts_data_dir, "SELECT count(*) FROM marts.channel_daily")[1]
    assert code == 0 and out == f"n\n{n}\n"
    assert prompts == [PROMPT, CONTINUATION, CONTINUATION, PROMPT]


def test_ctrl_c_drops_the_statement_being_typed(marts_data_dir):
    _, out, _, prompts = session(
        marts_data_dir, ["SELECT 'dropped' AS x", KeyboardInterrupt, "SELECT 'kept' AS x;"]
    )
    assert out == "x\nkept\n" and prompts[:3] == [PROMPT, CONTINUATION, PROMPT]


def test_an_error_is_shown_and_the_session_goes_on(marts_data_dir):
    code, out, err, _ = session(
        marts_data_dir,
        [
            "SELECT * FROM marts.nope;",
            "INSERT INTO marts.live_totals VALUES (now(), 1, 1);",
            "SELECT 1 AS ok;",
        ],
    )
    assert code == 0 and out == "ok\n1\n"
    assert "nope does not exist" in err and "read-only" in err


def test_dot_tables_lists_every_published_table(marts_data_dir):
    _, out, _, _ = session(marts_data_dir, [".tables"])
    listed = {line.split(",")[0] for line in out.splitlines()[1:]}
    published = {
        f"{schema}.{table}"
        for schema, table in read_snapshot(
            marts_data_dir, "SELECT schema_name, table_name FROM duckdb_tables()"
        )[1]
    }
    assert listed == published and "marts.channel_daily" in listed


@pytest.mark.parametrize(
    ("command", "expected_out", "expected_err"),
    [
        pytest.param(".schema marts.live_totals", "snapshot_at", "", id="schema-describes-a-table"),
        pytest.param(".format json", "", "", id="format-switches-quietly"),
        pytest.param(".format yaml", "", "unknown or incomplete command", id="unknown-format"),
        pytest.param(".schema", "", "unknown or incomplete command", id="schema-needs-a-table"),
        pytest.param(".snapshot", "warehouse-1.duckdb", "", id="snapshot-names-the-file"),
        pytest.param(".help", ".tables", "", id="help-lists-commands"),
    ],
)
def test_dot_commands(marts_data_dir, command, expected_out, expected_err):
    _, out, err, _ = session(marts_data_dir, [command])
    assert expected_out in out and (expected_err in err if expected_err else "error" not in err)
    assert bool(out) == bool(expected_out)


def test_format_command_changes_later_results(marts_data_dir):
    _, out, _, _ = session(marts_data_dir, ["SELECT 1 AS a;", ".format json", "SELECT 1 AS a;"])
    assert out == 'a\n1\n[\n{"a": 1}\n]\n'


def test_a_long_session_sees_new_publishes(tmp_path):
    build_marts_warehouse(tmp_path)
    sql = "SELECT current_database() AS db;"

    def publish_again(prompt: str) -> str:
        conn = connect(tmp_path / "warehouse.duckdb")
        try:
            publish_from(conn, tmp_path / "published")
        finally:
            conn.close()
        return sql

    lines = iter([sql, None, ".quit"])
    out, err = io.StringIO(), io.StringIO()

    def read_line(prompt: str) -> str:
        line = next(lines)
        return publish_again(prompt) if line is None else line

    Repl(tmp_path / "published", "csv", out, err, read_line).run()
    assert out.getvalue() == "db\nwarehouse-1\ndb\nwarehouse-2\n"
    assert "a new snapshot was published: that read warehouse-2.duckdb" in err.getvalue()


def read_until(fd: int, marker: bytes, seen: bytearray, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} in {bytes(seen)!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            seen += os.read(fd, 4096)


def test_a_terminal_on_stdin_opens_the_prompt(marts_data_dir, tmp_path):
    leader, follower = pty.openpty()
    env = {**os.environ, "VELORA_DATA_DIR": str(marts_data_dir), "HOME": str(tmp_path)}
    velora = Path(sys.executable).with_name("velora")
    proc = subprocess.Popen(
        [str(velora), "sql"], stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    seen = bytearray()
    try:
        read_until(leader, PROMPT.encode(), seen)
        os.write(leader, b"SELECT 40 + 2\n   AS answer;\n")
        read_until(leader, b"(1 row)", seen)
        os.write(leader, b".quit\n")
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    text = bytes(seen).decode()
    assert f"{CONTINUATION}   AS answer;" in text  # the second line was a continuation
    assert "answer\r\n------\r\n    42\r\n(1 row)" in text
    assert (tmp_path / ".velora_sql_history").exists()
