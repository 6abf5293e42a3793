"""Fixtures: a real DuckDB warehouse and the ``Core`` row writer from ``mart_core``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from mart_core import Core

from pipeline.warehouse import connect


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def core(conn: duckdb.DuckDBPyConnection) -> Core:
    return Core(conn)
