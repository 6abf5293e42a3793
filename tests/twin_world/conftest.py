from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.twin.world import World, WorldConfig

# A Saturday two weeks after the epoch: a plain day, far enough in for trends and raids.
DAY = datetime(2026, 1, 17, tzinfo=UTC)


@pytest.fixture(scope="session")
def world() -> World:
    return World(WorldConfig(seed=42, creators=2000))
