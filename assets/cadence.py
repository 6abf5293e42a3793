"""Cadence groups: how often each endpoint group is polled, and the poll time of a run.

The cron strings come from ``CADENCE_MINUTES`` (code, not the environment, so loading the
definitions reads nothing). ``VELORA_LIVE_CADENCE_MINUTES`` & co. are read lazily, on each
schedule tick: a configured cadence that is a multiple of the code cadence makes the schedule skip
the ticks in between; anything finer needs a change to ``CADENCE_MINUTES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from pipeline.config import Settings

CADENCE_MINUTES: dict[str, int] = {"live": 5, "leaderboards": 15, "hourly": 60}

# Run tags that carry the tick time. Ours is written by the schedules; the others by Dagster
# itself (``.dagster/`` in 1.13, ``dagster/`` in older releases).
POLL_AT_TAG = "velora/poll_at"
SCHEDULED_TIME_TAGS = (
    POLL_AT_TAG,
    ".dagster/scheduled_execution_time",
    "dagster/scheduled_execution_time",
)


class CadenceError(ValueError):
    """A configured cadence the schedules cannot honour; the message names the variable."""


def cron_for(minutes: int) -> str:
    if minutes <= 0 or (minutes < 60 and 60 % minutes) or (minutes >= 60 and minutes % 60):
        raise CadenceError(f"a cadence of {minutes} min has no simple cron form")
    if minutes < 60:
        return f"*/{minutes} * * * *"
    hours = minutes // 60
    return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"


def configured_minutes(group: str, settings: Settings) -> int:
    """The cadence the environment asks for, checked against what the schedule can deliver."""
    variable, value = {
        "live": ("VELORA_LIVE_CADENCE_MINUTES", settings.live_cadence_minutes),
        "leaderboards": (
            "VELORA_LEADERBOARD_CADENCE_MINUTES",
            settings.leaderboard_cadence_minutes,
        ),
        "hourly": ("VELORA_HOURLY_CADENCE_MINUTES", settings.hourly_cadence_minutes),
    }[group]
    base = CADENCE_MINUTES[group]
    if value % base:
        raise CadenceError(
            f"{variable}={value} is not a multiple of the {group} schedule's {base} min cron; "
            f"change CADENCE_MINUTES in assets/cadence.py for a finer cadence"
        )
    return value


def truncate(moment: datetime, minutes: int) -> datetime:
    """``moment`` in UTC, floored to a multiple of ``minutes`` since the epoch."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    step = timedelta(minutes=minutes)
    return epoch + ((moment - epoch) // step) * step


def is_due(tick: datetime, minutes: int) -> bool:
    return truncate(tick, minutes) == tick.astimezone(UTC).replace(second=0, microsecond=0)


def poll_at_for_run(tags: Mapping[str, str], minutes: int, now: datetime | None = None) -> datetime:
    """The run's tick time floored to the cadence, so re-running a tick polls the same ``poll_at``."""
    for tag in SCHEDULED_TIME_TAGS:
        raw = tags.get(tag)
        if raw:
            try:
                return truncate(datetime.fromisoformat(raw), minutes)
            except ValueError:
                raise CadenceError(f"run tag {tag}={raw!r} is not an ISO timestamp") from None
    return truncate(now or datetime.now(UTC), minutes)
