"""Names and helpers every area of the Dagster layer shares."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime

import dagster as dg
import duckdb

from pipeline.warehouse import Warehouse, connect

KEY_PREFIX = "velora"
# Every step that opens the warehouse runs in this pool. The instance limits it to 1 on the DuckDB
# file (one read-write process per file) and to VELORA_WAREHOUSE_WRITERS on a lake
# (assets/instance.py).
WAREHOUSE_POOL = "warehouse"
KINDS = {"duckdb", "python"}
# Lake maintenance (compaction, snapshot expiry) runs beside the writers: DuckLake takes concurrent
# commits, so it needs no warehouse slot, only never two of itself (the default limit is 1).
LAKE_MAINTENANCE_POOL = "lake_maintenance"

# Housekeeping of the warehouse (daily retention, hourly lake maintenance):
# assets/maintenance_defs.py.
MAINTENANCE_GROUP = "maintenance"

# The one asset that publishes the read-only snapshot; every job selects it as its last step.
PUBLISH_GROUP = "publish"
PUBLISHED_SNAPSHOT_KEY = dg.AssetKey([KEY_PREFIX, "published_snapshot"])
# Metadata of a load: the UTC days of core it changed, and per mart the day partitions that
# pipeline.marts.plan decided those rows change (the marts sensor rebuilds those).
CHANGED_DAY_FIRST, CHANGED_DAY_LAST = "changed_day_first", "changed_day_last"
MART_DAYS = "mart_days"


def warehouse_connection(path: Warehouse) -> closing[duckdb.DuckDBPyConnection]:
    """A read-write connection that is closed on exit, so the file lock is released promptly."""
    return closing(connect(path))


def planned_mart_days(
    path: Warehouse, windows: Sequence[tuple[datetime, datetime]]
) -> dict[str, dg.JsonMetadataValue]:
    """``{MART_DAYS: ...}``: the mart partitions that core rows whose times fall in ``windows``
    change, found right after the load, while marts.stream_sessions still shows them unbuilt."""
    from pipeline.marts import find_changes
    from pipeline.marts.plan import plan, to_metadata

    if not windows:
        return {MART_DAYS: dg.MetadataValue.json({})}
    # never before the data's own days (a replayed or simulated clock may run ahead)
    today = max(datetime.now(UTC).date(), *(hi.date() for _, hi in windows))
    with warehouse_connection(path) as conn:
        planned = plan(find_changes(conn, windows), today)
    return {MART_DAYS: dg.MetadataValue.json(to_metadata(planned))}
