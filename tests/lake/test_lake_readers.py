"""Readers without snapshots: on DuckLake, `velora sql` attaches the lake read-only and sees each
committed state; nothing is published or copied. A run reads one commit however long it takes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.warehouse import connect
from pipeline.warehouse.lake import LakeConfig
from pipeline.warehouse.postgres_launcher import Postgres
from pipeline.warehouse.reading import current_state, open_state


def use_lake(monkeypatch: pytest.MonkeyPatch, data_dir: Path, lake: LakeConfig) -> None:
    monkeypatch.setenv("VELORA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("VELORA_WAREHOUSE_BACKEND", "ducklake")
    monkeypatch.setenv("VELORA_LAKE_CATALOG", lake.catalog)
    monkeypatch.setenv("VELORA_LAKE_DATA_PATH", lake.data_path)


def commit_rows(lake: LakeConfig, count: int) -> None:
    """One writer commit of ``count`` rows (enough for Parquet files, not only inlined rows)."""
    conn = connect(lake)
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS ops.reader_probe (n INTEGER, label VARCHAR)")
        conn.execute(
            "INSERT INTO ops.reader_probe SELECT range, 'row ' || range FROM range(?)", [count]
        )
    finally:
        conn.close()


def sql_json(capsys: pytest.CaptureFixture[str], query: str) -> tuple[int, object, str]:
    code = main(["sql", "-c", query, "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if code == 0 else None, captured.err


def test_velora_sql_reads_each_commit_of_the_lake_without_a_publish(
    lake_config: LakeConfig,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_lake(monkeypatch, tmp_path, lake_config)
    commit_rows(lake_config, 5_000)
    code, rows, err = sql_json(
        capsys, "SELECT count(*) AS n, sum(n) AS total FROM ops.reader_probe"
    )
    assert (code, rows) == (0, [{"n": 5_000, "total": sum(range(5_000))}]), err
    commit_rows(lake_config, 5_000)  # the next run sees the next commit
    code, rows, err = sql_json(capsys, "SELECT count(*) AS n FROM ops.reader_probe")
    assert (code, rows) == (0, [{"n": 10_000}]), err
    assert not (tmp_path / "published").exists()


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        # the lake is attached READ_ONLY: a reader can change nothing
        pytest.param("DELETE FROM ops.reader_probe", "read-only", id="delete"),
        pytest.param("CREATE TABLE ops.mine AS SELECT 1", "read-only", id="create-table"),
        # and cannot reach files (no COPY out of the reader's process)
        pytest.param("COPY ops.reader_probe TO '/tmp/velora-out.csv'", "files", id="copy-out"),
    ],
)
def test_velora_sql_on_the_lake_refuses_writes(
    statement: str,
    refused: str,
    lake_config: LakeConfig,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_lake(monkeypatch, tmp_path, lake_config)
    commit_rows(lake_config, 10)
    code, _, err = sql_json(capsys, statement)
    assert code == 1 and refused in err, err
    code, rows, err = sql_json(capsys, "SELECT count(*) AS n FROM ops.reader_probe")
    assert (code, rows) == (0, [{"n": 10}]), err


def test_a_run_reads_the_commit_it_started_on(
    lake_config: LakeConfig,
) -> None:
    commit_rows(lake_config, 100)
    state = current_state(lake_config)
    pinned = open_state(lake_config, state)
    try:
        commit_rows(lake_config, 100)  # a writer commits while the run is open
        assert pinned.execute("SELECT count(*) FROM ops.reader_probe").fetchall() == [(100,)]
    finally:
        pinned.close()
    newer = current_state(lake_config)
    assert newer.version is not None and state.version is not None
    assert newer.version > state.version and newer.key != state.key
    assert newer.at >= state.at


@pytest.mark.parametrize(
    ("lake_of", "message"),
    [
        # a catalog database nothing was ever written to
        pytest.param("empty", "holds no tables yet", id="empty-lake"),
        # a catalog server that is not there
        pytest.param("unreachable", "cannot read the lake", id="no-catalog-server"),
    ],
)
def test_velora_sql_explains_a_lake_it_cannot_read(
    lake_of: str,
    message: str,
    postgres: Postgres,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if lake_of == "empty":
        postgres.create_database("never_written")
        catalog = postgres.catalog("never_written")
    else:
        catalog = "postgres:dbname=nowhere host=127.0.0.1 port=1 user=nobody"
    use_lake(monkeypatch, tmp_path, LakeConfig(catalog=catalog, data_path=f"{tmp_path}/lake/"))
    code = main(["sql", "-c", "SELECT 1"])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err


def test_the_prompt_on_the_lake_names_the_commit_it_reads(lake_config: LakeConfig) -> None:
    import io

    from pipeline.sqlshell.repl import Repl

    commit_rows(lake_config, 3)
    lines = iter([".snapshot", "SELECT count(*) AS n FROM ops.reader_probe;", ".quit"])
    out, err = io.StringIO(), io.StringIO()
    assert Repl(lake_config, "csv", out, err, lambda _prompt: next(lines)).run() == 0
    version = current_state(lake_config).version
    assert out.getvalue().splitlines() == [f"lake snapshot {version}", "n", "3"], err.getvalue()
    assert "the lake DuckLake" in err.getvalue()
