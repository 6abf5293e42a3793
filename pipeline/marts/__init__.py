"""Marts: the numbers users came for, derived from core by UTC-day partitions.

``MARTS`` (the registry: grain, partition, upstream tables, SQL steps), ``plan`` (which
partitions a change rebuilds), ``build_days`` / ``refresh_windows`` / ``rebuild_all`` (replace
day partitions), ``revenue`` (the estimate's assumptions) and
``metrics`` (the same definitions as pure functions, for tests and single-session use).
Definitions with their measured error: docs/metrics.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from pipeline.marts.plan import Changes, days_to_rebuild
    from pipeline.marts.registry import MART_TABLES, MARTS, Mart

# Imported on first use: the registry pulls in polars and pandera (~1 s), and every `velora`
# command imports this package to register `velora marts` / `velora rebuild`.
_HOMES = {
    **dict.fromkeys(
        (
            "BuildResult",
            "build_days",
            "build_mart",
            "build_plan",
            "core_day_range",
            "rebuild_all",
            "refresh",
            "refresh_windows",
        ),
        "pipeline.marts.build",
    ),
    "find_changes": "pipeline.marts.changes",
    # (the planner itself is pipeline.marts.plan.plan: a package attribute named like its module
    # would be replaced by the module as soon as anything imports it)
    **dict.fromkeys(("Changes", "days_to_rebuild"), "pipeline.marts.plan"),
    **dict.fromkeys(("MARTS", "MART_TABLES", "Mart"), "pipeline.marts.registry"),
}

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
    "rebuild_all",
    "refresh",
    "refresh_windows",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
