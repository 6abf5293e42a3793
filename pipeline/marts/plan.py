"""Which day partitions of which marts a change rebuilds. Pure: no I/O.

``Changes`` is what new core data touches, as found by pipeline/marts/sql/changes.sql (run by
``pipeline.marts.changes.find_changes``): the days its rows fall in, the owning days of the
sessions it changes, the days of new follower totals, and days a mart must rewrite whatever
the lookbacks (a channel's first webhook event changes all its past channel-days). ``plan``
turns that into day ranges per mart: a mart's own days, then, in registry order, every day of an
upstream mart it reads pushed forward by the reader's ``upstream_lookback_days``; nothing after
``today``. So an hourly update rebuilds today alone, whatever the history, and a late event
rebuilds its own days and the ones that read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from pipeline.marts.registry import MARTS, PROFILE_DAYS, SESSION_SPAN_DAYS

DayRanges = tuple[tuple[date, date], ...]  # [start, end) ranges, ascending, never touching


@dataclass(frozen=True)
class Changes:
    days: frozenset[date] = frozenset()  # days core rows of the change fall in (each row's time)
    session_days: frozenset[date] = frozenset()  # owning days of sessions it changes, old and new
    profile_days: frozenset[date] = frozenset()  # days with new follower totals
    rewrite: Mapping[str, frozenset[date]] = field(default_factory=dict)  # mart -> extra days

    def __or__(self, other: Changes) -> Changes:
        rewrite = {
            name: self.rewrite.get(name, frozenset()) | other.rewrite.get(name, frozenset())
            for name in {*self.rewrite, *other.rewrite}
        }
        return Changes(
            self.days | other.days,
            self.session_days | other.session_days,
            self.profile_days | other.profile_days,
            rewrite,
        )


def day_span(first: date, last: date) -> frozenset[date]:
    """The days ``first..last`` (inclusive)."""
    return frozenset(first + timedelta(days=n) for n in range((last - first).days + 1))


def _spread(days: Iterable[date], ahead: int) -> set[date]:
    return {day + timedelta(days=n) for day in days for n in range(ahead + 1)}


def ranges(days: Iterable[date]) -> DayRanges:
    """Sorted days as maximal ``[start, end)`` runs of consecutive days."""
    out: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if out and out[-1][1] == day:
            out[-1] = (out[-1][0], day + timedelta(days=1))
        else:
            out.append((day, day + timedelta(days=1)))
    return tuple(out)


def plan(changes: Changes, today: date) -> dict[str, DayRanges]:
    """Per mart (registry order), the day ranges to rebuild; marts with nothing to do are left out."""
    owner = {table: mart.name for mart in MARTS.values() for table in mart.tables}
    days: dict[str, set[date]] = {}
    for mart in MARTS.values():
        own: set[date] = set(changes.rewrite.get(mart.name, ()))
        if mart.changed_by == "sessions":
            own |= changes.session_days
        elif any(table.startswith("core.") for table in mart.upstream):
            own |= changes.days
        if "core.channel_profiles" in mart.upstream:  # a total is the base of later deltas
            own |= _spread(changes.profile_days, PROFILE_DAYS)
        for table in mart.upstream:
            if table in owner and MARTS[owner[table]].readers_follow_days:
                own |= _spread(days[owner[table]], mart.upstream_lookback_days)
        days[mart.name] = {day for day in own if day <= today}
    return {name: ranges(d) for name, d in days.items() if d}


def conservative(first: date, last: date) -> Changes:
    """What data that arrived on the days ``first..last`` may change when nothing more is known of
    it: rows up to 48 h older (sessions are read that far past their day), any of them a total."""
    days = day_span(first - timedelta(days=SESSION_SPAN_DAYS), last)
    return Changes(days=days, session_days=days, profile_days=days)


def days_to_rebuild(first: date, last: date, today: date) -> dict[str, tuple[date, date]]:
    """Per mart, one range ``[start, end)`` covering the conservative plan of ``first..last``
    (for callers that know only the days of their data, such as old materializations)."""
    return {
        name: (spans[0][0], spans[-1][1])
        for name, spans in plan(conservative(first, last), today).items()
    }


def to_metadata(planned: Mapping[str, DayRanges]) -> dict[str, list[list[str]]]:
    """A plan as JSON: per mart, ``[first, last]`` day pairs (inclusive), as loads report it."""
    return {
        name: [[start.isoformat(), (end - timedelta(days=1)).isoformat()] for start, end in spans]
        for name, spans in planned.items()
    }


def from_metadata(value: Mapping[str, Iterable[Iterable[str]]]) -> dict[str, set[date]]:
    """The days per mart of a plan ``to_metadata`` wrote."""
    out: dict[str, set[date]] = {}
    for name, spans in value.items():
        for first, last in (tuple(span) for span in spans):
            out.setdefault(name, set()).update(
                day_span(date.fromisoformat(first), date.fromisoformat(last))
            )
    return out
