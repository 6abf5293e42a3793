"""API ingest: one thin asset per ``ENDPOINT_JOBS`` entry, its table check, and a schedule per group.

The asset body is the whole contract: build a client, ``run_endpoint`` (fetch -> validate ->
write, idempotent per ``poll_at``), report the counts. Publishing is not an ingest step: each
group's job ends with ``velora/published_snapshot`` (``assets/publish_defs.py``).
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from assets.cadence import CRON, POLL_AT_TAG, poll_at_for_run
from assets.checks import table_check
from assets.common import (
    CHANGED_DAY_FIRST,
    CHANGED_DAY_LAST,
    KEY_PREFIX,
    KINDS,
    PUBLISHED_SNAPSHOT_KEY,
    WAREHOUSE_POOL,
    planned_mart_days,
)
from assets.resources import VeloraApiResource, WarehouseResource, resolve_settings
from pipeline import cadence
from pipeline.config import Settings
from pipeline.ingest import ENDPOINT_JOBS, run_endpoint
from pipeline.ingest.results import IngestError, IngestResult
from pipeline.marts import MARTS

# Core tables some mart reads: only loads of these can change a mart.
MART_INPUTS = frozenset(table for mart in MARTS.values() for table in mart.upstream)

GROUPS = tuple(CRON)


# Tables an endpoint writes besides its ``core_table`` (each gets its own blocking check).
EXTRA_TABLES: dict[str, tuple[str, ...]] = {"teams": ("core.team_members",)}


def tables_of(name: str) -> tuple[str, ...]:
    return (ENDPOINT_JOBS[name].core_table, *EXTRA_TABLES.get(name, ()))


def ingest_metadata(result: IngestResult) -> dict[str, int | str]:
    day = result.poll_at.date().isoformat()
    return {
        "poll_at": result.poll_at.isoformat(),
        CHANGED_DAY_FIRST: day,  # the day of core it changed: velora_marts_sensor rebuilds it
        CHANGED_DAY_LAST: day,
        "loaded": result.loaded,
        "duplicates": result.duplicates,
        "quarantined": result.quarantined,
        "requests": result.requests,
        "raw_rows": result.raw_rows,
        "failures": len(result.failures),
    }


def endpoint_asset(name: str) -> dg.AssetsDefinition:
    job = ENDPOINT_JOBS[name]

    @dg.asset(
        name=name,
        key_prefix=KEY_PREFIX,
        group_name=job.group,
        pool=WAREHOUSE_POOL,
        kinds=KINDS,
        description=f"Poll of {name}: {job.description}.",
        metadata={"tables": ", ".join(tables_of(name)), "cadence_group": job.group},
    )
    def _asset(
        context: dg.AssetExecutionContext,
        velora_api: VeloraApiResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        settings = resolve_settings(api=velora_api, warehouse=warehouse)
        poll_at = poll_at_for_run(context.run.tags, cadence.cadence_minutes(job.group, settings))
        try:
            with velora_api.get_client(settings) as client:
                result = run_endpoint(
                    name,
                    client=client,
                    warehouse_path=settings.warehouse,
                    poll_at=poll_at,
                    settings=settings,
                )
        except IngestError as exc:
            # What was fetched is stored and loaded; the step fails, so this run does not publish.
            done = "; ".join(r.summary() for r in exc.results) or "nothing"
            raise dg.Failure(
                str(exc), metadata={"poll_at": poll_at.isoformat(), "done": done}
            ) from exc
        for failure in result.failures[:20]:
            context.log.warning("%s: %s", name, failure)
        # every row of a poll has the poll's time: the window is that instant
        reads = MART_INPUTS.intersection(tables_of(name))
        windows = [(result.poll_at, result.poll_at + timedelta(microseconds=1))] if reads else []
        planned = planned_mart_days(settings.warehouse, windows)
        return dg.MaterializeResult(metadata={**ingest_metadata(result), **planned})

    return _asset


def group_schedule(group: str) -> dg.ScheduleDefinition:
    job = dg.define_asset_job(
        f"velora_{group}_job",
        # Publishing is the run's last step: it waits for the group's loads and blocking checks.
        selection=dg.AssetSelection.groups(group)
        | dg.AssetSelection.assets(PUBLISHED_SNAPSHOT_KEY),
        description=f"Poll the {group} endpoint group, check its tables, then publish.",
    )

    @dg.schedule(
        name=f"velora_{group}_schedule",
        cron_schedule=CRON[group],
        job=job,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        # The environment is read here, per tick, never while the definitions load.
        minutes = cadence.cadence_minutes(group, Settings.from_env())
        tick = context.scheduled_execution_time or datetime.now(UTC)
        if not cadence.is_tick(tick, minutes):
            return dg.SkipReason(f"{group} cadence is {minutes} min; {tick:%H:%M} is not a poll")
        poll_at = cadence.poll_tick(tick, minutes).isoformat()
        return dg.RunRequest(run_key=f"{group}@{poll_at}", tags={POLL_AT_TAG: poll_at})

    return _schedule


def ingest_defs() -> dg.Definitions:
    assets = [endpoint_asset(name) for name in ENDPOINT_JOBS]
    checks = [
        table_check(asset.key, table) for asset in assets for table in tables_of(asset.key.path[-1])
    ]
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        schedules=[group_schedule(group) for group in GROUPS],
    )
