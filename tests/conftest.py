"""Fixtures every area shares: a real PostgreSQL for the DuckLake backend, started once per
session on a free loopback port (only when a test asks for it) and stopped afterwards."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.warehouse.lake import LakeConfig
from pipeline.warehouse.postgres_launcher import Postgres, running_postgres

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with running_postgres() as server:
        yield server


@pytest.fixture
def lake_config(postgres: Postgres, tmp_path: Path) -> LakeConfig:
    """A new, empty lake: its own catalog database and data directory."""
    name = f"lake_{next(_databases)}"
    postgres.create_database(name)
    return LakeConfig(catalog=postgres.catalog(name), data_path=str(tmp_path / "lake") + "/")


@pytest.fixture(params=["duckdb", "ducklake"])
def warehouse_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | LakeConfig:
    """Each backend in turn: the DuckDB file, then a DuckLake on PostgreSQL."""
    if request.param == "duckdb":
        return tmp_path / "warehouse.duckdb"
    return request.getfixturevalue("lake_config")
