"""Cross-cutting policy, applied once over every asset of the root ``Definitions``.

- Freshness: each cadence group gets ``FreshnessPolicy.time_window``; an asset warns after two
  missed polls and fails after three.
- Automation: schedules and the webhook sensor drive the roots. An asset with upstream deps
  is materialised eagerly after its parents, but only once their blocking checks passed — a
  blocking check stops downstream steps only inside its own run, so across runs the condition
  has to say so. An asset tagged ``RUN_BY_JOBS_TAG`` (``velora/published_snapshot``) is a step
  of every job instead, so the automation sensor must not run it a second time.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from assets.common import MAINTENANCE_GROUP, PUBLISH_GROUP
from pipeline import cadence

# Webhook loads follow segment sealing, not a clock; an hour without one is worth a look.
WEBHOOK_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=2), warn_window=timedelta(hours=1)
)
# The marts sensor rebuilds today's partitions within minutes of every load.
MARTS_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(minutes=30), warn_window=timedelta(minutes=20)
)
# Retention runs once a day; two missed days are worth a look, three mean the schedule is off.
# (While retention is off the asset never materialises, and an asset never materialised has
# no freshness to fail.)
MAINTENANCE_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=3), warn_window=timedelta(days=2)
)
AUTOMATION_SENSOR = "velora_automation_sensor"
# Assets that every job selects as a step: never automated, or they would run twice.
RUN_BY_JOBS_TAG = "velora/run_by_jobs"


def freshness_for(group: str | None) -> dg.FreshnessPolicy | None:
    if group == "webhooks":
        return WEBHOOK_FRESHNESS
    if group == "marts":
        return MARTS_FRESHNESS
    if group == MAINTENANCE_GROUP:
        return MAINTENANCE_FRESHNESS
    # Every run ends with the publish step, so the snapshot follows the most frequent cadence.
    base = {name: g.default_minutes for name, g in cadence.GROUPS.items()}
    minutes = min(base.values()) if group == PUBLISH_GROUP else base.get(group or "")
    if minutes is None:
        return None
    return dg.FreshnessPolicy.time_window(
        fail_window=timedelta(minutes=3 * minutes), warn_window=timedelta(minutes=2 * minutes)
    )


def downstream_condition() -> dg.AutomationCondition:
    return dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()


def is_automated(spec: dg.AssetSpec) -> bool:
    return bool(spec.deps) and RUN_BY_JOBS_TAG not in spec.tags


def with_policy(spec: dg.AssetSpec) -> dg.AssetSpec:
    condition = downstream_condition() if is_automated(spec) else spec.automation_condition
    return spec.replace_attributes(
        freshness_policy=freshness_for(spec.group_name), automation_condition=condition
    )


def apply_policy(defs: dg.Definitions) -> dg.Definitions:
    """``defs`` with freshness and automation set on every asset, plus the sensor that runs it."""
    mappable = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition | dg.AssetSpec)]
    others = [a for a in defs.assets or [] if not isinstance(a, dg.AssetsDefinition | dg.AssetSpec)]
    assets = [*dg.map_asset_specs(with_policy, mappable), *others]
    automated = [
        spec.key
        for asset in assets
        for spec in (asset.specs if isinstance(asset, dg.AssetsDefinition) else [asset])
        if isinstance(spec, dg.AssetSpec) and spec.automation_condition is not None
    ]
    sensors = list(defs.sensors or [])
    if automated:
        sensors.append(
            dg.AutomationConditionSensorDefinition(
                AUTOMATION_SENSOR,
                target=dg.AssetSelection.assets(*automated),
                default_status=dg.DefaultSensorStatus.RUNNING,
                minimum_interval_seconds=30,
            )
        )
    # Rebuilt field by field: the public map_asset_specs works on asset lists (the Definitions
    # method of the same name is a preview API in 1.13).
    return dg.Definitions(
        assets=assets,
        asset_checks=defs.asset_checks,
        schedules=defs.schedules,
        sensors=sensors,
        jobs=defs.jobs,
        resources=defs.resources,
        executor=defs.executor,
        loggers=defs.loggers,
        metadata=defs.metadata,
    )
