"""The same commands on both backends, chosen by configuration only: `velora ingest --once`,
`velora rebuild`, `velora warehouse check` against the twin, into a DuckDB file and into a
DuckLake on a real PostgreSQL, give the same core rows and the same marts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.twin.launcher import running_twin
from pipeline.warehouse import Warehouse, connect
from pipeline.warehouse.lake import LakeConfig

# Compared across backends: the polled core tables and the marts they build.
COMPARED = (
    "core.stream_snapshots",
    "core.category_snapshots",
    "marts.live_totals",
    "marts.stream_sessions",
    "marts.channel_daily",
    "marts.category_daily",
    "marts.platform_hourly",
)


def _backend_env(monkeypatch: pytest.MonkeyPatch, data_dir: Path, lake: LakeConfig | None) -> None:
    monkeypatch.setenv("VELORA_DATA_DIR", str(data_dir))
    if lake is None:
        monkeypatch.delenv("VELORA_WAREHOUSE_BACKEND", raising=False)
        return
    monkeypatch.setenv("VELORA_WAREHOUSE_BACKEND", "ducklake")
    monkeypatch.setenv("VELORA_LAKE_CATALOG", lake.catalog)
    monkeypatch.setenv("VELORA_LAKE_DATA_PATH", lake.data_path)


def _rows(target: Warehouse, table: str) -> list[tuple[object, ...]]:
    conn = connect(target, read_only=True)
    try:
        # ingested_at-like columns differ by run; compare everything else, in a fixed order
        columns = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_catalog = current_database() AND table_schema || '.' || table_name = ? "
                "AND column_name NOT IN ('ingested_at', 'built_at', 'fetched_at') "
                "ORDER BY ordinal_position",
                [table],
            ).fetchall()
        ]
        listed = ", ".join(f'"{c}"' for c in columns)
        rows = conn.execute(f"SELECT {listed} FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
        # sums of doubles differ in the last bit with the order DuckDB's threads add them in
        return [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]
    finally:
        conn.close()


def test_ingest_rebuild_and_check_give_the_same_warehouse_on_both_backends(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    lake_config: LakeConfig,
    capsys: pytest.CaptureFixture[str],
) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    file_dir, lake_dir = tmp_path / "file", tmp_path / "lake"
    with running_twin(clock="frozen", start=start, creators=120, rate_limit=1_000_000_000) as twin:
        monkeypatch.setenv("VELORA_API_BASE_URL", twin.base_url)
        monkeypatch.setenv("VELORA_CLIENT_ID", "twin-client")
        monkeypatch.setenv("VELORA_CLIENT_SECRET", "twin-secret")
        for data_dir, lake in ((file_dir, None), (lake_dir, lake_config)):
            _backend_env(monkeypatch, data_dir, lake)
            assert main(["ingest", "--once", "--select", "live,categories"]) == 0
    out = capsys.readouterr().out
    assert "published" in out  # the file backend published a snapshot ...
    assert "DuckLake: readers see every commit" in out  # ... the lake needs none
    assert not (lake_dir / "published").exists()
    file_target = file_dir / "warehouse.duckdb"

    for data_dir, lake in ((file_dir, None), (lake_dir, lake_config)):
        _backend_env(monkeypatch, data_dir, lake)
        assert main(["rebuild"]) == 0  # re-deriving every mart changes nothing ...
        assert main(["warehouse", "check"]) == 0  # ... and the blocking checks pass on both
    for table in COMPARED:
        on_file = _rows(file_target, table)
        assert on_file, f"{table} is empty: the comparison would prove nothing"
        assert _rows(lake_config, table) == on_file, table


def test_a_wrong_lake_configuration_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VELORA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VELORA_WAREHOUSE_BACKEND", "ducklake")
    monkeypatch.setenv("VELORA_LAKE_CATALOG", "postgres:dbname=nowhere host=127.0.0.1 port=1")
    assert main(["warehouse", "migrate"]) == 2
    err = capsys.readouterr().err
    assert "cannot open DuckLake postgres:dbname=nowhere" in err
