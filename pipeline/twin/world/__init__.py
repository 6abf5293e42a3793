"""Velora twin world (placeholder docstring, replaced below)."""

from pipeline.twin.world.config import (
    WORLD_EPOCH,
    UnknownCreatorError,
    WorldConfig,
    WorldConfigError,
    WorldError,
    WorldTimeError,
)
from pipeline.twin.world.models import (
    Category,
    ChatStats,
    Clip,
    Creator,
    Follower,
    Giveaway,
    LeaderboardEntry,
    LiveStream,
    Poll,
    PollOption,
    Team,
    TeamMember,
    UserRef,
    WorldEvent,
)
from pipeline.twin.world.world import World

__all__ = [
    "WORLD_EPOCH",
    "Category",
    "ChatStats",
    "Clip",
    "Creator",
    "Follower",
    "Giveaway",
    "LeaderboardEntry",
    "LiveStream",
    "Poll",
    "PollOption",
    "Team",
    "TeamMember",
    "UnknownCreatorError",
    "UserRef",
    "World",
    "WorldConfig",
    "WorldConfigError",
    "WorldError",
    "WorldEvent",
    "WorldTimeError",
]
