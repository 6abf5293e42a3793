"""Publishing: one asset that writes the read-only snapshot once, at the end of every run.

``velora/published_snapshot`` depends on every ingest asset and on ``velora/webhook_events``, and
every job selects it. Inside a run it waits for the selected upstream assets and their blocking
checks (deps outside the run are not waited on), so a failed check or a failed load means no
publish in that run; the next clean run publishes everything, because the data is already loaded.
"""

import dagster as dg

from assets.common import KEY_PREFIX, KINDS, PUBLISH_GROUP, PUBLISHED_SNAPSHOT_KEY, WAREHOUSE_POOL
from assets.marts_defs import mart_key
from assets.policy import RUN_BY_JOBS_TAG
from assets.resources import WarehouseResource, resolve_settings
from assets.webhook_defs import WEBHOOK_EVENTS_KEY
from pipeline.ingest import ENDPOINT_JOBS
from pipeline.marts import MARTS
from pipeline.warehouse import Warehouse, connect, publish

PUBLISHED_FROM = (
    *(dg.AssetKey([KEY_PREFIX, name]) for name in ENDPOINT_JOBS),
    WEBHOOK_EVENTS_KEY,
    *(mart_key(name) for name in MARTS),
)
SNAPSHOT_TABLES = (
    "SELECT schema_name, table_name FROM duckdb_tables() "
    "WHERE database_name = current_database() ORDER BY ALL"
)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def snapshot_row_counts(snapshot: Warehouse) -> dict[str, int]:
    """``{"schema.table": rows}`` of every table readers see: a published snapshot, or the lake
    (opened read-only)."""
    conn = connect(snapshot, read_only=True)
    try:
        counts = {}
        for schema, table in conn.execute(SNAPSHOT_TABLES).fetchall():
            # identifiers come from the snapshot's own catalog and are quoted
            row = conn.execute(f"SELECT count(*) FROM {_quote(schema)}.{_quote(table)}").fetchone()  # noqa: S608
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
        return counts
    finally:
        conn.close()


@dg.asset(
    key=PUBLISHED_SNAPSHOT_KEY,
    deps=PUBLISHED_FROM,
    group_name=PUBLISH_GROUP,
    pool=WAREHOUSE_POOL,
    kinds=KINDS,
    tags={RUN_BY_JOBS_TAG: "true"},
    description="The read-only snapshot readers use (data/published/warehouse-<n>.duckdb + "
    "CURRENT), written once at the end of every run whose loads and blocking checks passed.",
)
def published_snapshot(warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = resolve_settings(warehouse=warehouse)
    snapshot = publish(settings.warehouse, settings.published_dir)
    counts = snapshot_row_counts(settings.warehouse if snapshot is None else snapshot)
    return dg.MaterializeResult(
        metadata={
            "snapshot": "the lake (readers see every commit)"
            if snapshot is None
            else snapshot.name,
            "tables": len(counts),
            "total_rows": sum(counts.values()),
            **{f"rows_{table}": rows for table, rows in counts.items()},
        }
    )


def publish_defs() -> dg.Definitions:
    return dg.Definitions(assets=[published_snapshot])
