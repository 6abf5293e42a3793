"""Marts: the numbers users came for, derived from core by UTC-day partitions.

``MARTS`` (the registry: grain, partition, upstream tables, SQL steps), ``plan`` (which
partitions a change rebuilds), ``build_days`` / ``refresh_windows`` / ``rebuild_all`` (replace
day partitions), ``revenue`` (the estimate's assumptions) and
``metrics`` (the same definitions as pure functions, for tests and single-session use).
Definitions with their measured error: docs/metrics.md.
"""

from pipeline.marts.build import (
    BuildResult,
    build_days,
    build_mart,
    build_plan,
    core_day_range,
    rebuild_all,
    refresh,
    refresh_windows,
)
from pipeline.marts.changes import find_changes
from pipeline.marts.plan import Changes, days_to_rebuild, plan
from pipeline.marts.registry import MART_TABLES, MARTS, Mart

__all__ = [
    "MARTS",
    "MART_TABLES",
    "BuildResult",
    "Changes",
    "Mart",
    "build_days",
    "build_mart",
    "build_plan",
    "core_day_range",
    "days_to_rebuild",
    "find_changes",
    "plan",
    "rebuild_all",
    "refresh",
    "refresh_windows",
]
