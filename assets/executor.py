"""The executor every job uses: in-process by default, multiprocess when run config asks.

On the DuckDB file a run is a short serial write to one file, so a subprocess per step (~3 s of
start-up each) would cost more than the work. On a lake several steps may write at once (the
`warehouse` pool's limit, assets/instance.py), and a run can choose, with no code change::

    execution:
      config:
        multiprocess:
          max_concurrent: 4

in the launchpad, a schedule's run config or ``dagster job execute -c``. Dagster's own
``multi_or_in_process_executor`` defaults the other way (multiprocess), so its config is wrapped
with the same two modes and an in-process default.
"""

from __future__ import annotations

import dagster as dg

IN_PROCESS, MULTIPROCESS = "in_process", "multiprocess"

_MODES = dg.Selector(
    {
        IN_PROCESS: dg.in_process_executor.config_schema.as_field(),
        MULTIPROCESS: dg.multiprocess_executor.config_schema.as_field(),
    }
)

velora_executor = dg.multi_or_in_process_executor.configured(
    lambda config: config,
    name="velora_executor",
    config_schema=dg.Field(_MODES, default_value={IN_PROCESS: {}}),
    description="In-process unless run config selects multiprocess (for a lake).",
)
