"""The filters every page shares, and their round trip through the URL's query parameters.

Pure (no Streamlit): ``Filters.from_params(st.query_params, latest_day)`` reads a shared link,
``filters.to_params()`` writes it back, so a bookmarked URL reproduces the exact view. Days are
calendar days in ``timezone``; ``bounds()`` turns them into the UTC instants the marts' 15-minute
intervals (and hours) are cut at, so a day in Asia/Kathmandu (+05:45) is exact, not UTC-shaped.
Bad values in a link (an unknown zone, reversed dates) fall back to the defaults, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

PRESETS = (7, 14, 30, 90)
CUSTOM = "custom"
DEFAULT_DAYS = 7
DEFAULT_TIMEZONE = "UTC"
MAX_CUSTOM_DAYS = 366 * 2  # bounds a typo such as from=1026-01-01


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@cache  # available_timezones() walks the tz database on disk: 50-100 ms on every page run
def timezone_choices() -> tuple[str, ...]:
    """UTC first, then every IANA zone name, sorted."""
    return (DEFAULT_TIMEZONE, *sorted(available_timezones() - {DEFAULT_TIMEZONE}))


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Filters:
    first_day: date  # inclusive, a calendar day in ``timezone``
    last_day: date  # inclusive
    preset: str  # "7" / "14" / "30" / "90" / "custom"
    compare: bool  # also show the previous period of the same length
    timezone: str = DEFAULT_TIMEZONE

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> Filters:
        """The period of the same length that ends the day before this one starts."""
        return replace(
            self,
            first_day=self.first_day - timedelta(days=self.days),
            last_day=self.first_day - timedelta(days=1),
        )

    def bounds(self) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC: local midnight of the first day to that after the last."""
        zone = _zone(self.timezone) or UTC
        start = datetime.combine(self.first_day, time(0), tzinfo=zone)
        end = datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def query_args(self) -> dict[str, object]:
        """The named parameters every period query of dashboards/sql takes."""
        start, end = self.bounds()
        return {"start_at": start, "end_at": end, "tz": self.timezone}

    def to_params(self) -> dict[str, str]:
        params = {
            "range": self.preset,
            "tz": self.timezone,
            "compare": "1" if self.compare else "0",
        }
        if self.preset == CUSTOM:
            params["from"] = self.first_day.isoformat()
            params["to"] = self.last_day.isoformat()
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, str], latest_day: date) -> Filters:
        """The filters a URL asks for; presets end on ``latest_day`` (the data's last day)."""
        zone = params.get("tz") or DEFAULT_TIMEZONE
        if _zone(zone) is None:
            zone = DEFAULT_TIMEZONE
        compare = params.get("compare", "1") not in ("0", "false", "no")
        preset = params.get("range") or str(DEFAULT_DAYS)
        if preset == CUSTOM:
            first, last = _day(params.get("from")), _day(params.get("to"))
            if first is not None and last is not None:
                first, last = min(first, last), max(first, last)  # a reversed link still works
                first = max(first, last - timedelta(days=MAX_CUSTOM_DAYS - 1))
                return cls(first, last, CUSTOM, compare, zone)
            preset = str(DEFAULT_DAYS)
        days = int(preset) if preset.isdigit() and int(preset) in PRESETS else DEFAULT_DAYS
        return cls(latest_day - timedelta(days=days - 1), latest_day, str(days), compare, zone)

    def label(self) -> str:
        span = f"{self.first_day:%b %d} – {self.last_day:%b %d, %Y}"
        return f"{span} ({self.days} days, {self.timezone})"
