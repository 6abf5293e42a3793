"""Fixtures for the dashboard tests; the warehouse itself is built in ``dash_warehouse``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash_warehouse import build_published


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("velora-data")
    build_published(data_dir)
    return data_dir


@pytest.fixture
def data_dir_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point the app at a data dir (read by the app at run time, not import time)."""

    def use(path: Path) -> None:
        monkeypatch.setenv("VELORA_DATA_DIR", str(path))

    yield use
