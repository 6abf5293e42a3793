"""Ratios of summed mart columns over a period, as the definitions registry defines them.

A ratio of sums is not the mean of the daily ratios (a 10-minute day must not weigh as much as a
10-hour one), so pages sum the mart columns over their period and call these. A zero or missing
denominator is "unknown" (None), never 0.
"""

from __future__ import annotations

import math
from typing import Any


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def ratio(numerator: Any, denominator: Any) -> float | None:
    top, bottom = _number(numerator), _number(denominator)
    if top is None or bottom is None or bottom == 0:
        return None
    return top / bottom


def average_viewers(hours_watched: Any, covered_hours: Any) -> float | None:
    """``average_viewers``: hours watched ÷ the airtime the polls cover (time-weighted)."""
    return ratio(hours_watched, covered_hours)


def follows_per_hour_watched(followers_gained: Any, hours_watched: Any) -> float | None:
    """``follows_per_hour_watched``: followers gained ÷ hours watched."""
    return ratio(followers_gained, hours_watched)


def peer_median(values: list[Any]) -> float | None:
    """The median of the known values (a category's channels), None when none is known."""
    known = sorted(v for v in (_number(x) for x in values) if v is not None)
    if not known:
        return None
    middle = len(known) // 2
    return known[middle] if len(known) % 2 else (known[middle - 1] + known[middle]) / 2
