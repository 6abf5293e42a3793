"""Marts: the numbers users came for, derived from core by UTC-day partitions.

``MARTS`` (the registry: grain, partition, upstream tables, SQL steps), ``build_days`` /
``rebuild_all`` (replace day partitions), ``revenue`` (the estimate's assumptions) and
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
        core_day_range,
        rebuild_all,
        refresh,
    )
    from pipeline.marts.registry import MART_TABLES, MARTS, Mart, days_to_rebuild

# Imported on first use: the registry pulls in polars and pandera (~1 s), and every `velora`
# command imports this package to register `velora marts` / `velora rebuild`.
_HOMES = {
    **dict.fromkeys(
        ("BuildResult", "build_days", "build_mart", "core_day_range", "rebuild_all", "refresh"),
        "pipeline.marts.build",
    ),
    **dict.fromkeys(("MARTS", "MART_TABLES", "Mart", "days_to_rebuild"), "pipeline.marts.registry"),
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
