"""Shared fixtures: one real World reused by every twin in this folder (building it is the slow
part), and a frozen-clock twin for read-only tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.twin.launcher import TwinHandle, running_twin
from pipeline.twin.world import World, WorldConfig

SEED = 7
CREATORS = 1500
START = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)


def frozen_twin(world: World, **config: Any) -> AbstractContextManager[TwinHandle]:
    """A twin over the shared world, frozen at START, without the general rate limit;
    ``config`` overrides or adds any running_twin / TwinConfig setting."""
    defaults = {"seed": SEED, "creators": CREATORS, "clock": "frozen", "start": START}
    return running_twin(world=world, **{**defaults, "rate_limit": 0, **config})


@pytest.fixture(scope="session")
def world() -> World:
    return World(WorldConfig(seed=SEED, creators=CREATORS))


@pytest.fixture(scope="module")
def twin(world: World) -> Iterator[TwinHandle]:
    """Frozen clock, no rate limit: for tests that only read."""
    with frozen_twin(world) as handle:
        yield handle


def assert_error_format(body: Any, code: str) -> None:
    assert isinstance(body, dict)
    assert set(body) >= {"error", "message", "details"}
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
