"""The one root ``Definitions`` (``workspace.yaml`` loads ``assets.definitions``).

Per-area definitions are merged, then policy (freshness, automation) is applied once over all of
them. Loading this module reads no environment variable, opens no file and calls no network:
resources resolve their settings when a run needs them.
"""

from __future__ import annotations

import dagster as dg

from assets.ingest_defs import ingest_defs
from assets.maintenance_defs import maintenance_defs
from assets.marts_defs import marts_defs
from assets.policy import apply_policy
from assets.publish_defs import publish_defs
from assets.resources import resource_defs
from assets.webhook_defs import webhook_defs


def build_defs() -> dg.Definitions:
    # Steps share one process: a run is a short serial write to one DuckDB file, so a
    # subprocess per step (~3 s of start-up each) would cost more than the work itself.
    execution = dg.Definitions(executor=dg.in_process_executor)
    return apply_policy(
        dg.Definitions.merge(
            ingest_defs(),
            webhook_defs(),
            marts_defs(),
            maintenance_defs(),
            publish_defs(),
            resource_defs(),
            execution,
        )
    )


defs = build_defs()
