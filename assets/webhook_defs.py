"""Webhooks: a sensor that notices sealed landing segments, and the asset that loads them.

The loader keeps its own checkpoint in the warehouse, so a load is idempotent and loads every
sealed segment not yet loaded; the sensor's cursor only stops it from asking twice for the same
segment. The webhook job ends with ``velora/published_snapshot``, like every job.
"""

from datetime import timedelta
from pathlib import Path

import dagster as dg

from assets.checks import table_check
from assets.common import (
    CHANGED_DAY_FIRST,
    CHANGED_DAY_LAST,
    KEY_PREFIX,
    KINDS,
    PUBLISHED_SNAPSHOT_KEY,
    WAREHOUSE_POOL,
    planned_mart_days,
    warehouse_connection,
)
from assets.resources import WarehouseResource, WebhookLandingResource, resolve_settings
from pipeline.schemas.webhooks import WEBHOOK_SCHEMAS
from pipeline.webhooks.jetstream import jetstream_config
from pipeline.webhooks.jetstream_loader import load_from_jetstream, pending_messages
from pipeline.webhooks.loader import load_sealed_segments, pending_segments
from pipeline.webhooks.silence import capture_started_at, covered_by, find_silent_channels

WEBHOOK_GROUP = "webhooks"
WEBHOOK_EVENTS_KEY = dg.AssetKey([KEY_PREFIX, "webhook_events"])
# core.webhook_events and the typed per-event tables, as the webhooks package defines them.
WEBHOOK_TABLES = tuple(WEBHOOK_SCHEMAS)
SILENCE_CHECK = "tracked_channels_not_silent"


@dg.asset(
    key=WEBHOOK_EVENTS_KEY,
    group_name=WEBHOOK_GROUP,
    pool=WAREHOUSE_POOL,
    kinds=KINDS,
    description="Webhook events from sealed landing segments, deduplicated and typed "
    "(core.webhook_events and the per-type tables).",
)
def webhook_events(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    webhook_landing: WebhookLandingResource,
) -> dg.MaterializeResult:
    settings = resolve_settings(warehouse=warehouse)
    stream = jetstream_config(settings)
    if stream is not None:  # receivers publish to JetStream: consume it in micro-batches
        result = load_from_jetstream(stream, settings.warehouse).load
    else:
        landing_dir = webhook_landing.landing_path(settings)
        result = load_sealed_segments(landing_dir, settings.warehouse)
    for error in result.errors[:20]:
        context.log.warning("quarantined: %s", error)
    first, last = result.first_event_at, result.last_event_at
    windows = [(first, last + timedelta(microseconds=1))] if first and last else []
    return dg.MaterializeResult(
        metadata={
            "segments": result.segments,
            "records": result.records,
            "loaded": result.inserted,
            "duplicates": result.duplicates,
            "test_events": result.test_events,
            "quarantined": result.quarantined,
            **{f"loaded_{table}": count for table, count in sorted(result.typed_inserted.items())},
            # the days whose marts these events change (read by velora_marts_sensor)
            **(
                {
                    CHANGED_DAY_FIRST: result.first_event_at.date().isoformat(),
                    CHANGED_DAY_LAST: result.last_event_at.date().isoformat(),
                }
                if result.first_event_at and result.last_event_at
                else {}
            ),
            **planned_mart_days(settings.warehouse, windows),
        }
    )


@dg.asset_check(
    asset=WEBHOOK_EVENTS_KEY,
    name=SILENCE_CHECK,
    pool=WAREHOUSE_POOL,
    description="No tracked channel is live in the API snapshots while sending no webhook events "
    "for VELORA_WEBHOOK_SILENCE_MINUTES (a lost subscription or a broken receiver).",
)
def tracked_channels_not_silent(
    warehouse: WarehouseResource, webhook_landing: WebhookLandingResource
) -> dg.AssetCheckResult:
    settings = resolve_settings(warehouse=warehouse)
    minutes = webhook_landing.silence_window(settings)
    secrets_file = Path(settings.webhook_secret_file)
    capture_since = capture_started_at(secrets_file)
    with warehouse_connection(settings.warehouse) as conn:
        silent = find_silent_channels(
            conn, minutes, capture_since=capture_since, covered_channels=covered_by(secrets_file)
        )
    return dg.AssetCheckResult(
        passed=not silent,
        metadata={
            "silence_minutes": minutes,
            "capture_since": capture_since.isoformat() if capture_since else "unknown",
            "silent_channels": len(silent),
            "channels": ", ".join(c.username or c.channel_id for c in silent[:20]) or "none",
        },
    )


webhook_job = dg.define_asset_job(
    "velora_webhook_job",
    selection=dg.AssetSelection.assets(WEBHOOK_EVENTS_KEY, PUBLISHED_SNAPSHOT_KEY),
    description="Load sealed webhook landing segments into the warehouse, check them, then publish.",
)


@dg.sensor(
    name="velora_webhook_landing_sensor",
    job=webhook_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a webhook load when a new sealed landing segment appears.",
)
def velora_webhook_landing_sensor(
    context: dg.SensorEvaluationContext,
    webhook_landing: WebhookLandingResource,
    warehouse: WarehouseResource,
) -> dg.SensorResult | dg.SkipReason:
    settings = resolve_settings(warehouse=warehouse)
    stream = jetstream_config(settings)
    if stream is not None:  # asks JetStream how much the loader has not acked yet
        waiting = pending_messages(stream)
        if not waiting:
            return dg.SkipReason(f"no unloaded message in JetStream stream {stream.stream}")
        stamp = context.cursor or "0"
        nxt = str(int(stamp) + 1)
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"webhooks@jetstream-{nxt}")], cursor=nxt
        )
    # Lists the landing directory only: the sensor never opens the (locked) warehouse.
    landing_dir = webhook_landing.landing_path(settings)
    newest = newest_unseen_segment(pending_segments(landing_dir), context.cursor)
    if newest is None:
        return dg.SkipReason(f"no new sealed segment in {landing_dir}")
    request = dg.RunRequest(run_key=f"webhooks@{newest}", tags={"velora/segment": newest})
    return dg.SensorResult(run_requests=[request], cursor=newest)


def newest_unseen_segment(pending: list[str], cursor: str | None) -> str | None:
    """The newest pending segment name if it is newer than the cursor (names sort by time)."""
    names = sorted(Path(segment).name for segment in pending)
    if not names or (cursor and names[-1] <= cursor):
        return None
    return names[-1]


def webhook_defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[webhook_events],
        asset_checks=[
            *(table_check(WEBHOOK_EVENTS_KEY, table) for table in WEBHOOK_TABLES),
            tracked_channels_not_silent,
        ],
        jobs=[webhook_job],
        sensors=[velora_webhook_landing_sensor],
    )
