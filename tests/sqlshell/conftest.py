"""A published snapshot built from real marts: the dashboards' hand-made core rows, every mart
rebuilt from them with ``rebuild_all`` and published with ``publish_from``."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from pipeline.marts import rebuild_all
from pipeline.warehouse import connect, publish_from
from tests.dashboards.dash_warehouse import DAY2, fill_warehouse


def build_marts_warehouse(data_dir: Path) -> Path:
    """Fill ``data_dir/warehouse.duckdb``, build every mart, publish; returns the snapshot."""
    conn = connect(data_dir / "warehouse.duckdb")
    try:
        fill_warehouse(conn)
        rebuild_all(conn, today=DAY2.date())
        return publish_from(conn, data_dir / "published")
    finally:
        conn.close()


@pytest.fixture(scope="session")
def marts_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared and never written by a test: tests that publish build their own."""
    data_dir = tmp_path_factory.mktemp("velora-sql")
    build_marts_warehouse(data_dir)
    return data_dir


def read_snapshot(data_dir: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """The same query straight through duckdb, to compare ``velora sql`` against."""
    name = (data_dir / "published" / "CURRENT").read_text().strip()
    conn = duckdb.connect(str(data_dir / "published" / name), read_only=True)
    try:
        conn.execute("SET TimeZone = 'UTC'")
        cursor = conn.execute(sql)
        return [d[0] for d in cursor.description or []], cursor.fetchall()
    finally:
        conn.close()


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def velora_sql(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Outcome]:
    """``velora sql ARGS`` through the real ``main()``; ``stdin=`` pipes text in (not a TTY)."""

    def run(*args: str, data_dir: Path, stdin: str = "") -> Outcome:
        monkeypatch.setenv("VELORA_DATA_DIR", str(data_dir))
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["sql", *args])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run
