"""The lake's data files on S3: a real S3-compatible server (SeaweedFS) started by the test."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import ConfigError, Settings
from pipeline.twin.launcher import running_twin
from pipeline.warehouse import connect
from pipeline.warehouse.postgres_launcher import Postgres
from pipeline.warehouse.s3_launcher import running_s3


def test_ingest_writes_parquet_to_s3_and_readers_read_it_back(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    postgres: Postgres,
    capsys: pytest.CaptureFixture[str],
) -> None:
    postgres.create_database("lake_s3")
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    with (
        running_s3("lake") as s3,
        running_twin(clock="frozen", start=start, creators=80, rate_limit=1_000_000_000) as twin,
    ):
        assert s3.endpoint is not None
        for name, value in {
            "VELORA_API_BASE_URL": twin.base_url,
            "VELORA_CLIENT_ID": "twin-client",
            "VELORA_CLIENT_SECRET": "twin-secret",
            "VELORA_DATA_DIR": str(tmp_path),
            "VELORA_WAREHOUSE_BACKEND": "ducklake",
            "VELORA_LAKE_CATALOG": postgres.catalog("lake_s3"),
            "VELORA_LAKE_DATA_PATH": "s3://lake/velora/",
            "AWS_ACCESS_KEY_ID": s3.key_id,
            "AWS_SECRET_ACCESS_KEY": s3.secret,
            "AWS_ENDPOINT_URL": s3.endpoint,
        }.items():
            monkeypatch.setenv(name, value)
        assert main(["ingest", "--once", "--select", "live"]) == 0
        capsys.readouterr()
        # an analyst's read: file access is off, but the lake's own bucket prefix stays readable
        query = "SELECT count(*) AS n FROM core.stream_snapshots WHERE source = 'live'"
        assert main(["sql", "-c", query, "--format", "csv"]) == 0, capsys.readouterr().err
        read_by_sql = int(capsys.readouterr().out.splitlines()[1])
        lake = Settings.from_env().warehouse
        reader = connect(lake, read_only=True)
        try:
            [(samples,)] = reader.execute(
                "SELECT count(*) FROM core.stream_snapshots WHERE source = 'live'"
            ).fetchall()
            files = reader.execute("SELECT file FROM glob('s3://lake/velora/**')").fetchall()
        finally:
            reader.close()
    assert samples > 0 and read_by_sql == samples
    assert files, "no data file reached the bucket"
    assert not any((tmp_path / "lake").glob("**/*.parquet"))  # nothing fell back to local disk


def test_an_s3_data_path_without_credentials_is_a_clear_error() -> None:
    env = {
        "VELORA_WAREHOUSE_BACKEND": "ducklake",
        "VELORA_LAKE_CATALOG": "postgres:dbname=velora",
        "VELORA_LAKE_DATA_PATH": "s3://bucket/velora/",
    }
    with pytest.raises(ConfigError, match="needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"):
        Settings.from_env(env)
