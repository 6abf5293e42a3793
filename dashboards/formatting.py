"""Numbers for people: ``12.3K`` viewers, ``4h 05m`` of airtime, ``+12.5 %`` against before.

Pure functions; a missing value (None, NaN, NaT) is always shown as ``–``, never as ``0``.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "–"
_SUFFIXES = ((1e9, "B"), (1e6, "M"), (1e3, "K"))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def compact(value: Any) -> str:
    """``950`` → ``950``, ``12_345`` → ``12.3K``, ``1_250_000`` → ``1.3M``; fractions below 1K
    keep one decimal (``0.4`` average viewers is not ``0``)."""
    if _missing(value):
        return MISSING
    number = float(value)
    sign = "-" if number < 0 else ""
    size = abs(number)
    for threshold, suffix in _SUFFIXES:
        # 999_950 would round to "1000.0K": promote it to the next suffix instead.
        if round(size / threshold, 1) >= 1:
            scaled = round(size / threshold, 1)
            if scaled >= 1000 and suffix != "B":
                continue
            text = f"{scaled:,.1f}".removesuffix(".0")
            return f"{sign}{text}{suffix}"
    if size and size < 10 and size != int(size):
        return f"{sign}{size:.1f}"
    return f"{sign}{int(round(size)):,}"


def duration(hours: Any) -> str:
    """Hours as ``4h 05m`` (``45m`` under an hour, ``1,234h 00m`` for a platform's airtime)."""
    if _missing(hours):
        return MISSING
    minutes = int(round(abs(float(hours)) * 60))
    sign = "-" if float(hours) < 0 and minutes else ""
    whole, rest = divmod(minutes, 60)
    return f"{sign}{rest}m" if not whole else f"{sign}{whole:,}h {rest:02d}m"


def money(value: Any, currency: str = "USD") -> str:
    if _missing(value):
        return MISSING
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    amount = f"{float(value):,.2f}"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency}"


def percent(value: Any) -> str:
    """A ratio (``0.125``) as ``12.5 %``."""
    if _missing(value):
        return MISSING
    return f"{float(value) * 100:.1f} %"


def change(current: Any, previous: Any) -> float | None:
    """Relative change of ``current`` against ``previous``; None when there is no baseline."""
    if _missing(current) or _missing(previous) or float(previous) == 0:
        return None
    return float(current) / float(previous) - 1


def delta(current: Any, previous: Any, fmt: Any = compact) -> str | None:
    """The ``st.metric`` delta: ``+1.2K (+12.5 %)``; None without a previous value. A ratio
    shown as a percentage gets no second, relative percentage."""
    if _missing(current) or _missing(previous):
        return None
    difference = float(current) - float(previous)
    text = fmt(difference)
    text = text if text.startswith("-") else f"+{text}"
    ratio = None if fmt is percent else change(current, previous)
    return text if ratio is None else f"{text} ({ratio * 100:+.1f} %)"
