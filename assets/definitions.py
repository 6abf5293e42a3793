"""The one root ``Definitions`` (``workspace.yaml`` loads ``assets.definitions``).

Per-area definitions are merged, then policy (freshness, automation) is applied once over all of
them. Loading this module reads no environment variable, opens no file and calls no network:
resources resolve their settings when a run needs them.
"""

from __future__ import annotations

import dagster as dg

from assets.executor import velora_executor
from assets.ingest_defs import ingest_defs
from assets.maintenance_defs import maintenance_defs
from assets.marts_defs import marts_defs
from assets.policy import apply_policy
from assets.publish_defs import publish_defs
from assets.resources import resource_defs
from assets.webhook_defs import webhook_defs


def build_defs() -> dg.Definitions:
    # In-process by default (one DuckDB file); run config may choose multiprocess on a lake.
    execution = dg.Definitions(executor=velora_executor)
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
