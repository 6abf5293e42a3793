"""Names and helpers every area of the Dagster layer shares."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.warehouse import connect

KEY_PREFIX = "velora"
# Every step that opens data/warehouse.duckdb runs in this pool; the instance limits it to 1
# (assets/dagster.yaml), because DuckDB allows one read-write process per file.
WAREHOUSE_POOL = "warehouse"
KINDS = {"duckdb", "python"}

# The one asset that publishes the read-only snapshot; every job selects it as its last step.
PUBLISH_GROUP = "publish"
PUBLISHED_SNAPSHOT_KEY = dg.AssetKey([KEY_PREFIX, "published_snapshot"])
# Metadata of a load: the UTC days of core it changed (the marts sensor rebuilds those).
CHANGED_DAY_FIRST, CHANGED_DAY_LAST = "changed_day_first", "changed_day_last"


def warehouse_connection(path: Path) -> closing[duckdb.DuckDBPyConnection]:
    """A read-write connection that is closed on exit, so the file lock is released promptly."""
    return closing(connect(path))
