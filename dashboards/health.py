"""Freshness of every polled table against the cadence its latest poll was taken at.

Pure: ``freshness(tables, now)`` takes the Data health page's table list (``queries.table_health``)
and says per table how many cadences old its latest row is. The cadence is the one stored with
the latest poll's rows (migration 007), since the pipeline may poll at another cadence than the
schedule's default (``VELORA_LIVE_CADENCE_MINUTES=5``, ``velora seed --cadence``); only a table
that stores none (or an old poll without it) falls back to its group's default
(pipeline/cadence.py GROUPS), and ``cadence_source`` says which. "Now" is the snapshot's publish
time, so an old snapshot reads as old data rather than as a broken pipeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

import pandas as pd

from pipeline import cadence
from pipeline.ingest.jobs import ENDPOINT_JOBS

# A table is "late" after this many missed cadences and "stale" after the second threshold:
# one missed poll is routine (a slow page walk), several mean the schedule is not running.
LATE_AFTER = 2
STALE_AFTER = 6

COLUMNS = ("table", "group", "cadence_minutes", "cadence_source", "latest", "age_minutes", "status")
TABLE_GROUP = {job.core_table: job.group for job in ENDPOINT_JOBS.values()}


def _utc(value: object) -> datetime:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return cast(datetime, stamp.to_pydatetime())


def status(age: timedelta | None, every: timedelta) -> str:
    if age is None:
        return "no data"
    if age <= every * LATE_AFTER:
        return "fresh"
    return "late" if age <= every * STALE_AFTER else "stale"


def freshness(tables: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """``table, group, cadence_minutes, cadence_source, latest, age_minutes, status`` of the
    polled tables (``cadence_source``: ``stored`` with the latest poll, or the group's
    ``default``)."""
    rows = []
    for record in tables.to_dict("records"):
        group = TABLE_GROUP.get(str(record["table"]))
        if group is None:
            continue  # webhook and mart tables have no poll cadence
        stored = record.get("cadence_minutes")
        known = stored is not None and not pd.isna(stored) and int(stored) > 0
        minutes = int(stored) if known else cadence.GROUPS[group].default_minutes  # type: ignore[arg-type]
        every = timedelta(minutes=minutes)
        latest = record["latest"]
        age = None if latest is None or pd.isna(latest) else now - _utc(latest)
        rows.append(
            {
                "table": record["table"],
                "group": group,
                "cadence_minutes": minutes,
                "cadence_source": "stored" if known else "default",
                "latest": latest,
                "age_minutes": None if age is None else round(age.total_seconds() / 60, 1),
                "status": status(age, every),
            }
        )
    return pd.DataFrame(rows, columns=[*COLUMNS])
