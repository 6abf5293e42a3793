"""Marts: the numbers users came for, derived from core by UTC-day partitions.

``MARTS`` (the registry: grain, partition, upstream tables, SQL steps), ``build_days`` /
``rebuild_all`` (replace day partitions), ``revenue`` (the estimate's assumptions) and
``metrics`` (the same definitions as pure functions, for tests and single-session use).
Definitions with their measured error: docs/metrics.md.
"""

from pipeline.marts.build import (
    BuildResult,
    build_days,
    build_mart,
    core_day_range,
    rebuild_all,
    refresh,
)
from pipeline.marts.registry import MART_TABLES, MARTS, Mart, days_to_rebuild

__all__ = [
    "MARTS",
    "MART_TABLES",
    "BuildResult",
    "Mart",
    "build_days",
    "build_mart",
    "core_day_range",
    "days_to_rebuild",
    "rebuild_all",
    "refresh",
]
