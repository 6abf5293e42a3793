"""World configuration and the typed errors the world raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pipeline.twin.world.names import CATEGORIES

MAX_CREATORS = 100_000
WORLD_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class WorldError(Exception):
    """Base class of every error the world raises."""


class WorldConfigError(WorldError, ValueError):
    """A WorldConfig value is out of range."""


class WorldTimeError(WorldError, ValueError):
    """A time argument is naive, before the world epoch, or an empty/negative range."""


class UnknownCreatorError(WorldError, LookupError):
    """A creator id that does not exist in this world."""


class UnknownEventTypeError(WorldError, ValueError):
    """An event type name that is not one of the world's canonical types."""


@dataclass(frozen=True, slots=True)
class WorldConfig:
    """Parameters of a world. The world is a pure function of (config, t)."""

    seed: int = 42
    creators: int = 2000
    categories: int = 60
    authorized_creators: int = 100  # top creators by followers whose events webhooks deliver

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise WorldConfigError(f"seed must be an int, got {self.seed!r}")
        if not 0 <= self.seed < 2**63:
            raise WorldConfigError(f"seed must be in [0, 2**63), got {self.seed}")
        _check_int("creators", self.creators, 1, MAX_CREATORS)
        _check_int("categories", self.categories, 1, len(CATEGORIES))
        _check_int("authorized_creators", self.authorized_creators, 0, MAX_CREATORS)


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise WorldConfigError(f"{name} must be an int, got {value!r}")
    if not low <= value <= high:
        raise WorldConfigError(f"{name} must be between {low} and {high}, got {value}")
