"""Maintenance: the daily retention run (``pipeline.marts.retention.prune``), only when it is on.

``velora/warehouse_retention`` drops the bodies of live responses and thins the samples of days
older than ``VELORA_RETENTION_DAYS`` whose marts are built (docs/warehouse.md § Volume). Its
schedule reads the setting per tick and skips while it is unset (the default: keep everything);
a materialization launched by hand with retention off changes nothing and says so. The asset has
no deps (it reads what the loads and marts wrote, and is ordered against them by the
``warehouse`` pool, not by lineage) and its job does not publish: the marts it leaves untouched
are what readers see, and the next run of any other job publishes the thinner core.

``velora/lake_maintenance`` keeps a DuckLake's file count and commit time flat
(``pipeline.warehouse.lake_maintenance.maintain``): hourly, in its own pool ``lake_maintenance``
(limit 1), beside the writers, since DuckLake takes concurrent commits. Its schedule skips while
the warehouse is a DuckDB file; a run launched by hand there does nothing and says so.
"""

from datetime import timedelta

import dagster as dg

from assets.common import (
    KEY_PREFIX,
    KINDS,
    LAKE_MAINTENANCE_POOL,
    MAINTENANCE_GROUP,
    WAREHOUSE_POOL,
    warehouse_connection,
)
from assets.resources import WarehouseResource, resolve_settings
from pipeline.config import Settings
from pipeline.ingest.jobs import jobs_in_group

RETENTION_KEY = dg.AssetKey([KEY_PREFIX, "warehouse_retention"])
# 03:30 UTC: after midnight's marts runs have built yesterday, before the day's traffic peaks.
RETENTION_CRON = "30 3 * * *"
OFF = "retention is off (VELORA_RETENTION_DAYS is unset)"
LAKE_MAINTENANCE_KEY = dg.AssetKey([KEY_PREFIX, "lake_maintenance"])
# Hourly, off the hour: the hourly and quarter-hour loads start at :00, :15, :30.
LAKE_MAINTENANCE_CRON = "45 * * * *"
NOT_A_LAKE = "the warehouse is a DuckDB file (VELORA_WAREHOUSE_BACKEND=duckdb): no lake to maintain"


@dg.asset(
    key=RETENTION_KEY,
    group_name=MAINTENANCE_GROUP,
    pool=WAREHOUSE_POOL,
    kinds=KINDS,
    description="Drops the bodies of live responses and thins core.stream_snapshots to the "
    "5-minute grid on days older than VELORA_RETENTION_DAYS whose marts are built; the marts "
    "are left as built. Does nothing while the setting is unset.",
)
def warehouse_retention(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipeline.marts.retention import prune

    settings = resolve_settings(warehouse=warehouse)
    if settings.retention_days is None:
        context.log.info(OFF)
        return dg.MaterializeResult(metadata={"retention": "off"})
    with warehouse_connection(settings.warehouse) as conn:
        try:
            planned, result = prune(conn, settings.retention_days, endpoints=jobs_in_group("live"))
        except ValueError as exc:  # a retention shorter than the marts may still re-read
            raise dg.Failure(str(exc)) from exc
    if planned.unbuilt:
        context.log.warning(
            "%d old day(s) have no recorded mart build and were left whole: %s..%s",
            len(planned.unbuilt), planned.unbuilt[0], planned.unbuilt[-1],
        )  # fmt: skip
    return dg.MaterializeResult(
        metadata={
            "retention": f"{settings.retention_days} days",
            "horizon": planned.horizon.isoformat(),
            "days_pruned": len(result.days),
            "days_unbuilt": len(planned.unbuilt),
            "bodies_dropped": result.total("bodies_dropped"),
            "samples_dropped": result.total("samples_dropped"),
            "samples_regridded": result.total("samples_regridded"),
        }
    )


retention_job = dg.define_asset_job(
    "velora_maintenance_job",
    selection=dg.AssetSelection.assets(RETENTION_KEY),
    description="Retention: prune old live bodies and samples (docs/warehouse.md § Volume).",
)


@dg.schedule(
    name="velora_maintenance_schedule",
    cron_schedule=RETENTION_CRON,
    job=retention_job,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def retention_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    # The environment is read here, per tick, never while the definitions load.
    if Settings.from_env().retention_days is None:
        return dg.SkipReason(OFF)
    tick = context.scheduled_execution_time
    return dg.RunRequest(run_key=f"retention:{tick:%Y-%m-%d}" if tick else None)


@dg.asset(
    key=LAKE_MAINTENANCE_KEY,
    group_name=MAINTENANCE_GROUP,
    pool=LAKE_MAINTENANCE_POOL,
    kinds=KINDS,
    description="DuckLake only: flushes inlined rows, merges small files, expires snapshots older "
    "than VELORA_LAKE_SNAPSHOT_RETENTION_HOURS and deletes the files they freed. Does nothing "
    "on the DuckDB file.",
)
def lake_maintenance(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipeline.warehouse.lake_maintenance import maintain

    settings = resolve_settings(warehouse=warehouse)
    window = timedelta(hours=settings.lake_snapshot_retention_hours)
    report = maintain(settings.warehouse, older_than=window)
    if report.note:
        context.log.info(report.note)
        return dg.MaterializeResult(metadata={"lake_maintenance": report.note})
    return dg.MaterializeResult(
        metadata={
            "snapshot_retention_hours": settings.lake_snapshot_retention_hours,
            "files_before": report.files_before,
            "files_after": report.files_after,
            "rows_flushed": report.rows_flushed,
            "files_merged": report.files_merged,
            "snapshots_expired": report.snapshots_expired,
            "files_deleted": report.files_deleted,
            "seconds": report.seconds,
        }
    )


lake_maintenance_job = dg.define_asset_job(
    "velora_lake_maintenance_job",
    selection=dg.AssetSelection.assets(LAKE_MAINTENANCE_KEY),
    description="DuckLake compaction and snapshot expiry (docs/scaling.md § Maintenance).",
)


@dg.schedule(
    name="velora_lake_maintenance_schedule",
    cron_schedule=LAKE_MAINTENANCE_CRON,
    job=lake_maintenance_job,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def lake_maintenance_schedule(
    context: dg.ScheduleEvaluationContext,
) -> dg.RunRequest | dg.SkipReason:
    if Settings.from_env().lake is None:  # read per tick, never while the definitions load
        return dg.SkipReason(NOT_A_LAKE)
    tick = context.scheduled_execution_time
    return dg.RunRequest(run_key=f"lake-maintenance:{tick:%Y-%m-%dT%H:%M}" if tick else None)


def maintenance_defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[warehouse_retention, lake_maintenance],
        jobs=[retention_job, lake_maintenance_job],
        schedules=[retention_schedule, lake_maintenance_schedule],
    )
