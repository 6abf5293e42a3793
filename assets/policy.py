"""Cross-cutting policy, applied once over every asset of the root ``Definitions``.

- Freshness: each cadence group gets ``FreshnessPolicy.time_window``; an asset warns after two
  missed polls and fails after three.
- Automation: schedules and the webhook sensor drive the roots. An asset with upstream deps
  is materialised eagerly after its parents, but only once their blocking checks passed — a
  blocking check stops downstream steps only inside its own run, so across runs the condition
  has to say so.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from assets.cadence import CADENCE_MINUTES

# Webhook loads follow segment sealing, not a clock; an hour without one is worth a look.
WEBHOOK_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=2), warn_window=timedelta(hours=1)
)
AUTOMATION_SENSOR = "velora_automation_sensor"


def freshness_for(group: str | None) -> dg.FreshnessPolicy | None:
    if group in CADENCE_MINUTES:
        minutes = CADENCE_MINUTES[group]
        return dg.FreshnessPolicy.time_window(
            fail_window=timedelta(minutes=3 * minutes), warn_window=timedelta(minutes=2 * minutes)
        )
    if group == "webhooks":
        return WEBHOOK_FRESHNESS
    return None


def downstream_condition() -> dg.AutomationCondition:
    return dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()


def with_policy(spec: dg.AssetSpec) -> dg.AssetSpec:
    return spec.replace_attributes(
        freshness_policy=freshness_for(spec.group_name),
        automation_condition=downstream_condition() if spec.deps else spec.automation_condition,
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
