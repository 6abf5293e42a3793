"""The schedules' cron strings, and the poll time of a run (from its tags).

Cadence arithmetic and the groups live in ``pipeline.cadence``; here is only what Dagster needs.
A group's cron fires at its base tick (code, not the environment, so loading the definitions
reads nothing); ``VELORA_LIVE_CADENCE_MINUTES`` & co. are read lazily on each tick, and a
configured cadence that is a multiple of the base makes the schedule skip the ticks in between.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from pipeline import cadence
from pipeline.cadence import CadenceError

CRON: dict[str, str] = {
    name: cadence.cron_for(group.tick_minutes) for name, group in cadence.GROUPS.items()
}

# Run tags that carry the tick time. Ours is written by the schedules; the others by Dagster
# itself (``.dagster/`` in 1.13, ``dagster/`` in older releases).
POLL_AT_TAG = "velora/poll_at"
SCHEDULED_TIME_TAGS = (
    POLL_AT_TAG,
    ".dagster/scheduled_execution_time",
    "dagster/scheduled_execution_time",
)


def poll_at_for_run(tags: Mapping[str, str], minutes: int, now: datetime | None = None) -> datetime:
    """The run's tick time floored to the cadence, so re-running a tick polls the same ``poll_at``."""
    for tag in SCHEDULED_TIME_TAGS:
        raw = tags.get(tag)
        if raw:
            try:
                return cadence.poll_tick(datetime.fromisoformat(raw), minutes)
            except ValueError:
                raise CadenceError(f"run tag {tag}={raw!r} is not an ISO timestamp") from None
    return cadence.poll_tick(now or datetime.now(UTC), minutes)
