"""The endpoint jobs: which group (cadence) each belongs to and which table it feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline import cadence
from pipeline.config import Settings

GROUPS = tuple(cadence.GROUPS)


@dataclass(frozen=True)
class EndpointJob:
    name: str
    group: str  # a cadence group of pipeline.cadence: live / leaderboards / hourly
    core_table: str
    description: str


def _job(name: str, group: str, table: str, description: str) -> tuple[str, EndpointJob]:
    return name, EndpointJob(name, group, table, description)


ENDPOINT_JOBS: dict[str, EndpointJob] = dict(
    [
        _job(
            "live_streams", "live", "core.stream_snapshots", "the whole live directory, every page"
        ),
        _job("top_streams", "live", "core.stream_snapshots", "the top streams listing"),
        _job("growing_streams", "live", "core.stream_snapshots", "fastest-growing streams"),
        _job("featured_streams", "live", "core.stream_snapshots", "featured streams"),
        _job(
            "volts_leaderboard",
            "leaderboards",
            "core.leaderboard_entries",
            "Volts leaderboards of tracked live channels",
        ),
        _job(
            "gift_leaderboard",
            "leaderboards",
            "core.leaderboard_entries",
            "gift-sub leaderboards of tracked live channels",
        ),
        _job(
            "points_leaderboard",
            "leaderboards",
            "core.leaderboard_entries",
            "channel-points leaderboards of tracked live channels",
        ),
        _job(
            "chat_stats",
            "leaderboards",
            "core.chat_stats",
            "chat statistics of tracked live channels",
        ),
        # reads the warehouse (which streams ended), so not in the live group: velora seed
        # fetches that group ahead in a thread without a connection
        _job(
            "vods",
            "leaderboards",
            "core.vods",
            "VODs of channels whose stream ended without stream.offline (one request a session)",
        ),
        _job("categories", "hourly", "core.category_snapshots", "categories with viewer totals"),
        _job(
            "clips", "hourly", "core.clips", "new clips of tracked channels since the newest stored"
        ),
        _job("teams", "hourly", "core.teams", "teams and their members (also core.team_members)"),
        _job(
            "channel_profiles",
            "hourly",
            "core.channel_profiles",
            "profiles (follower totals) of tracked channels",
        ),
        _job(
            "tracked_channels",
            "hourly",
            "ops.tracked_channels",
            "which channels were tracked, and why",
        ),
    ]
)


def jobs_in_group(group: str) -> list[str]:
    return [name for name, job in ENDPOINT_JOBS.items() if job.group == group]


def select_jobs(selection: str | None) -> list[str]:
    """``None``/``all`` -> every job; otherwise comma-separated job names and/or group names."""
    if selection is None or selection.strip() in ("", "all"):
        return list(ENDPOINT_JOBS)
    chosen: list[str] = []
    for part in (p.strip() for p in selection.split(",")):
        if not part:
            continue
        if part in GROUPS:
            chosen.extend(jobs_in_group(part))
        elif part in ENDPOINT_JOBS:
            chosen.append(part)
        else:
            raise ValueError(
                f"unknown endpoint or group {part!r}; groups: {', '.join(GROUPS)}; "
                f"endpoints: {', '.join(ENDPOINT_JOBS)}"
            )
    return list(dict.fromkeys(chosen))


def is_due(name: str, poll_at: datetime, settings: Settings) -> bool:
    """Whether the job's cadence has a tick at ``poll_at`` (ticks are aligned to the unix epoch)."""
    return cadence.is_tick(poll_at, cadence.cadence_minutes(ENDPOINT_JOBS[name].group, settings))
