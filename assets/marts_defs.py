"""Marts: one daily-partitioned asset per ``pipeline.marts.MARTS`` entry, and what runs them.

Real lineage: each mart depends on the assets that write the core tables it reads, and on the
marts it reads (reaching back ``upstream_lookback_days`` partitions); the published snapshot
depends on every mart. A run builds a range of days in one step per mart (single-run backfill
policy), so a backfill from the UI or ``velora marts build`` is one short transaction a week.
Each asset checks what it wrote (Pandera per table and day, plus the day's reconciliation) as
blocking checks: a failing check stops the marts built on it and the publish of that run.

``velora_marts_sensor`` keeps the marts incremental: it reads the mart partitions each ingest and
webhook materialization reports (``mart_days``: what ``pipeline.marts.plan`` decided the load's
rows change, found by the load itself, since the sensor never opens the warehouse a run may hold)
and requests one run over the days they span; a materialization without that plan falls back to
the conservative ``days_to_rebuild`` of its changed days. A new UTC day is requested even without
new data, so the rankings roll on. One run spans every mart's days: a late event makes it cover
the days from the late one to today for every mart (a superset, never a miss).
"""

import hashlib
import json
import warnings
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from assets.common import (
    CHANGED_DAY_FIRST,
    CHANGED_DAY_LAST,
    KEY_PREFIX,
    KINDS,
    MART_DAYS,
    PUBLISHED_SNAPSHOT_KEY,
    WAREHOUSE_POOL,
    warehouse_connection,
)
from assets.policy import RUN_BY_JOBS_TAG
from assets.resources import WarehouseResource, resolve_settings
from assets.webhook_defs import WEBHOOK_EVENTS_KEY
from pipeline.ingest import ENDPOINT_JOBS
from pipeline.marts import MARTS, Changes, build_days, days_to_rebuild
from pipeline.marts.checks import check_days
from pipeline.marts.plan import day_span, from_metadata, plan
from pipeline.schemas.webhooks import WEBHOOK_SCHEMAS

MARTS_GROUP = "marts"
# Day partitions from the first day anyone could have history for, up to and including today.
MART_PARTITIONS = dg.DailyPartitionsDefinition(start_date="2025-01-01", end_offset=1)
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([KEY_PREFIX, "marts", name])


def _table_writers() -> dict[str, list[dg.AssetKey]]:
    """Core table -> the assets that write it."""
    writers: dict[str, list[dg.AssetKey]] = {}
    for name, job in ENDPOINT_JOBS.items():
        tables = [job.core_table] + (["core.team_members"] if name == "teams" else [])
        for table in tables:
            writers.setdefault(table, []).append(dg.AssetKey([KEY_PREFIX, name]))
    for table in WEBHOOK_SCHEMAS:
        writers.setdefault(table, []).append(WEBHOOK_EVENTS_KEY)
    return writers


def _deps(name: str) -> list[dg.AssetDep]:
    mart = MARTS[name]
    writers = _table_writers()
    owner = {table: m.name for m in MARTS.values() for table in m.tables}
    deps: dict[dg.AssetKey, dg.AssetDep] = {}
    for table in mart.upstream:
        if table in owner:
            key = mart_key(owner[table])
            mapping = dg.TimeWindowPartitionMapping(start_offset=-mart.upstream_lookback_days)
            deps[key] = dg.AssetDep(key, partition_mapping=mapping)
        for key in writers.get(table, []):
            deps.setdefault(key, dg.AssetDep(key))
    return list(deps.values())


def check_name(table: str) -> str:
    return "valid_" + table.replace(".", "_")


def _checks(name: str) -> list[dg.AssetCheckSpec]:
    key = mart_key(name)
    specs = [dg.AssetCheckSpec(check_name(t), asset=key, blocking=True) for t in MARTS[name].tables]
    specs.append(
        dg.AssetCheckSpec(
            "reconciles_with_its_sources",
            asset=key,
            blocking=True,
            description="The day's totals equal the rows they came from.",
        )
    )
    return specs


def mart_asset(name: str) -> dg.AssetsDefinition:
    mart = MARTS[name]

    @dg.asset(
        key=mart_key(name),
        deps=_deps(name),
        partitions_def=MART_PARTITIONS,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=MARTS_GROUP,
        pool=WAREHOUSE_POOL,
        kinds=KINDS,
        tags={RUN_BY_JOBS_TAG: "true"},  # run by the marts sensor and backfills, not automation
        check_specs=_checks(name),
        description=f"{mart.description} ({', '.join(mart.tables)}; one partition per UTC day).",
        metadata={"tables": ", ".join(mart.tables), "grain": ", ".join(mart.grain)},
    )
    def _asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        window = context.partition_time_window
        start, end = window.start.date(), window.end.date()
        settings = resolve_settings(warehouse=warehouse)
        with warehouse_connection(settings.warehouse) as conn:
            results = build_days(conn, [name], start, end)
            reports = check_days(conn, name, start, end)
        rows = {table: sum(r.rows.get(table, 0) for r in results) for table in mart.tables}
        return dg.MaterializeResult(
            metadata={
                "days": f"{start}..{end - timedelta(days=1)}",
                **{f"rows_{t}": n for t, n in rows.items()},
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="reconciles_with_its_sources"
                    if check == "reconcile"
                    else check_name(check),
                    passed=report.passed,
                    metadata={
                        "rows": report.rows,
                        "failures": report.failures,
                        "summary": report.summary,
                    },
                )
                for check, report in reports.items()
            ],
        )

    return _asset


with warnings.catch_warnings():
    # backfill_policy is "beta" in Dagster 1.13; single-run ranges are what keep a backfill to
    # one transaction per mart and week, so we rely on it knowingly.
    warnings.simplefilter("ignore", dg.BetaWarning)
    MART_ASSETS = [mart_asset(name) for name in MARTS]

marts_job = dg.define_asset_job(
    "velora_marts_job",
    selection=dg.AssetSelection.assets(*(mart_key(n) for n in MARTS), PUBLISHED_SNAPSHOT_KEY),
    description="Rebuild the marts' day partitions new data fell in, check them, then publish.",
)


def changed_days(metadata: dict[str, object]) -> tuple[date, date] | None:
    """The days of core a materialization changed, from its metadata (poll_at for API polls)."""
    first, last = metadata.get(CHANGED_DAY_FIRST), metadata.get(CHANGED_DAY_LAST)
    if first is None and "poll_at" in metadata:
        first = last = str(metadata["poll_at"])[:10]
    if first is None or last is None:
        return None
    return date.fromisoformat(str(first)[:10]), date.fromisoformat(str(last)[:10])


def _value(entry: object) -> object:
    return getattr(entry, "value", entry)


def planned_days(metadata: dict[str, object], today: date) -> set[date]:
    """The mart days one load's materialization asks for: its reported plan, else the
    conservative plan of the days it changed."""
    reported = metadata.get(MART_DAYS)
    if isinstance(reported, dict):
        return set().union(*from_metadata(reported).values())
    span = changed_days(metadata)
    if span is None:
        return set()
    days: set[date] = set()
    for start, end in days_to_rebuild(*span, today).values():
        days |= day_span(start, end - timedelta(days=1))
    return days


@dg.sensor(
    name="velora_marts_sensor",
    job=marts_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a marts run over the partitions that new API polls or webhook events "
    "change (as each load planned them), and over each new UTC day.",
)
def velora_marts_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    cursor = json.loads(context.cursor) if context.cursor else {}
    seen: dict[str, int] = cursor.get("after", {})
    today = datetime.now(UTC).date()
    days: set[date] = set()
    monitored = [dg.AssetKey([KEY_PREFIX, n]) for n in ENDPOINT_JOBS] + [WEBHOOK_EVENTS_KEY]
    for key in monitored:
        records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, after_storage_id=seen.get(key.to_user_string())),
            limit=1000,
            ascending=True,
        ).records
        for record in records:
            materialization = record.asset_materialization
            metadata = {
                k: _value(v)
                for k, v in (materialization.metadata if materialization else {}).items()
            }
            days |= planned_days(metadata, today)
            seen[key.to_user_string()] = record.storage_id
    if cursor.get("day") != today.isoformat():
        # a new day: growth rankings roll on even without new data
        for spans in plan(Changes(days=frozenset({today})), today).values():
            days |= {start for start, _ in spans}
    new_cursor = json.dumps({"after": seen, "day": today.isoformat()})
    if not days:
        return dg.SensorResult(
            skip_reason=dg.SkipReason("no new data since the last marts run"), cursor=new_cursor
        )
    start = max(min(days), MART_PARTITIONS.start.date())
    last = max(days)
    digest = hashlib.sha256(new_cursor.encode()).hexdigest()[:12]
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"marts:{start}..{last}@{digest}",
                tags={RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: last.isoformat()},
            )
        ],
        cursor=new_cursor,
    )


def marts_defs() -> dg.Definitions:
    return dg.Definitions(assets=MART_ASSETS, jobs=[marts_job], sensors=[velora_marts_sensor])
