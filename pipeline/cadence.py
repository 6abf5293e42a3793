"""Cadences: how often each endpoint group is polled, and the tick a poll belongs to.

The one place that knows the groups, their default cadences and the variables that override
them; ingest, the Dagster schedules and ``velora seed`` derive from here. Ticks are aligned to
the unix epoch in UTC, so a tick is a pure function of (moment, cadence) and re-running a tick
polls the same ``poll_at`` (idempotent writes). The cadence a poll was taken at is stored with
its rows, so marts and dashboards never read these settings to interpret samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import Settings

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CadenceError(ValueError):
    """A cadence that cannot be scheduled; the message names the variable or the value."""


@dataclass(frozen=True)
class CadenceGroup:
    name: str
    tick_minutes: int  # the schedule's base tick: configured cadences are multiples of it
    default_minutes: int
    variable: str  # the environment variable that overrides the default (pipeline.config)
    settings_field: str


GROUPS: dict[str, CadenceGroup] = {
    group.name: group
    for group in (
        # The live directory is cheap (one walk of the list), so any whole minute is allowed.
        # Default 1 min: the accuracy table (docs/metrics.md) and ~3 requests a minute at 2,000
        # creators; samples roll up into sessions and 15-minute intervals (docs/warehouse.md).
        CadenceGroup("live", 1, 1, "VELORA_LIVE_CADENCE_MINUTES", "live_cadence_minutes"),
        CadenceGroup(
            "leaderboards",
            15,
            15,
            "VELORA_LEADERBOARD_CADENCE_MINUTES",
            "leaderboard_cadence_minutes",
        ),
        CadenceGroup("hourly", 60, 60, "VELORA_HOURLY_CADENCE_MINUTES", "hourly_cadence_minutes"),
    )
}


def group(name: str) -> CadenceGroup:
    try:
        return GROUPS[name]
    except KeyError:
        raise ValueError(
            f"unknown endpoint group {name!r}; expected one of {', '.join(GROUPS)}"
        ) from None


def cadence_minutes(name: str, settings: Settings) -> int:
    """The cadence the settings ask for, checked against the schedule's base tick."""
    spec = group(name)
    value = int(getattr(settings, spec.settings_field))
    if value % spec.tick_minutes:
        raise CadenceError(
            f"{spec.variable}={value} is not a multiple of the {name} schedule's "
            f"{spec.tick_minutes} min tick"
        )
    return value


def poll_tick(moment: datetime, minutes: int) -> datetime:
    """``moment`` in UTC, floored to a multiple of ``minutes`` since the epoch (naive = UTC)."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    step = timedelta(minutes=minutes)
    return _EPOCH + ((moment - _EPOCH) // step) * step


def is_tick(moment: datetime, minutes: int) -> bool:
    """Whether the minute ``moment`` falls in is a tick of the cadence."""
    return poll_tick(moment, minutes) == poll_tick(moment, 1)


def cron_for(minutes: int) -> str:
    if minutes <= 0 or (minutes < 60 and 60 % minutes) or (minutes >= 60 and minutes % 60):
        raise CadenceError(f"a cadence of {minutes} min has no simple cron form")
    if minutes == 1:
        return "* * * * *"
    if minutes < 60:
        return f"*/{minutes} * * * *"
    hours = minutes // 60
    return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"


def aligned_start(now: datetime, days: float) -> datetime:
    """``now - days`` truncated to the hour, so hourly and 15-minute jobs have their ticks (the
    start of a seeded history)."""
    start = (now - timedelta(days=days)).astimezone(UTC)
    return start.replace(minute=0, second=0, microsecond=0)
