"""The asset graph is a contract: keys, deps, groups, checks, schedules, sensors and pools.

Dashboards, runbooks and alerts refer to these names; a change here must be deliberate.
"""

import dagster as dg
import pytest

from assets.definitions import defs

LIVE = ["live_streams", "top_streams", "growing_streams", "featured_streams"]
LEADERBOARDS = [
    "volts_leaderboard",
    "gift_leaderboard",
    "points_leaderboard",
    "chat_stats",
    "vods",
]
HOURLY = ["categories", "clips", "teams", "channel_profiles", "tracked_channels"]

LOADS = {
    **{f"velora/{name}": "live" for name in LIVE},
    **{f"velora/{name}": "leaderboards" for name in LEADERBOARDS},
    **{f"velora/{name}": "hourly" for name in HOURLY},
    "velora/webhook_events": "webhooks",
}
PUBLISHED = "velora/published_snapshot"
# Retention: a root with no deps (the warehouse pool orders it against the loads) that nothing
# depends on; the published snapshot does not wait for it.
RETENTION = "velora/warehouse_retention"
# Lake maintenance: a root nothing depends on either, in its own pool (it never opens the file,
# and DuckLake takes commits beside it).
LAKE_MAINTENANCE = "velora/lake_maintenance"
PUBLISH_NODE = "velora__published_snapshot"
NON_BLOCKING_NODES = {"velora__webhook_events_tracked_channels_not_silent"}
LIVE_KEYS = {f"velora/{n}" for n in LIVE}
WEBHOOKS = "velora/webhook_events"
# Real lineage: every mart depends on the loads that write what it reads, and on the marts it
# reads; ingest writes no mart.
MART_DEPS = {
    "velora/marts/live_totals": LIVE_KEYS,
    "velora/marts/stream_sessions": LIVE_KEYS | {WEBHOOKS, "velora/vods"},
    "velora/marts/webhook_coverage": {WEBHOOKS},
    "velora/marts/channel_daily": {
        "velora/marts/stream_sessions",
        "velora/marts/webhook_coverage",
        "velora/channel_profiles",
        WEBHOOKS,
    },
    "velora/marts/category_daily": {"velora/marts/stream_sessions"} | LIVE_KEYS,
    "velora/marts/platform_hourly": {"velora/marts/stream_sessions"} | LIVE_KEYS,
    "velora/marts/monetization_daily": {WEBHOOKS},
    "velora/marts/top_supporters": {
        WEBHOOKS,
        "velora/volts_leaderboard",
        "velora/gift_leaderboard",
        "velora/points_leaderboard",
    },
    "velora/marts/revenue_estimate_daily": {WEBHOOKS},
    "velora/marts/growth_rankings": {"velora/marts/channel_daily"},
}
MART_TABLES = {
    "live_totals": ["marts.live_totals"],
    "stream_sessions": ["marts.stream_sessions", "marts.stream_intervals"],
    "webhook_coverage": ["marts.webhook_coverage"],
    "channel_daily": ["marts.channel_daily"],
    "category_daily": ["marts.category_daily", "marts.category_channel_daily"],
    "platform_hourly": ["marts.platform_hourly"],
    "monetization_daily": ["marts.monetization_daily"],
    "top_supporters": ["marts.top_supporters"],
    "revenue_estimate_daily": ["marts.revenue_estimate_daily"],
    "growth_rankings": ["marts.growth_rankings"],
}
EXPECTED_GROUPS = {
    **LOADS,
    **dict.fromkeys(MART_DEPS, "marts"),
    PUBLISHED: "publish",
    RETENTION: "maintenance",
    LAKE_MAINTENANCE: "maintenance",
}
# Every load is a root; the one publish asset depends on every load and every mart.
EXPECTED_DEPS = {
    **{key: set() for key in LOADS},
    **MART_DEPS,
    PUBLISHED: set(LOADS) | set(MART_DEPS),
    RETENTION: set(),
    LAKE_MAINTENANCE: set(),
}
TABLE_OF = {
    **{name: "core.stream_snapshots" for name in LIVE},
    "volts_leaderboard": "core.leaderboard_entries",
    "gift_leaderboard": "core.leaderboard_entries",
    "points_leaderboard": "core.leaderboard_entries",
    "chat_stats": "core.chat_stats",
    "vods": "core.vods",
    "categories": "core.category_snapshots",
    "clips": "core.clips",
    "teams": "core.teams",
    "channel_profiles": "core.channel_profiles",
    "tracked_channels": "ops.tracked_channels",
}
WEBHOOK_TABLES = [
    "core.webhook_events",
    "core.follows",
    "core.subscriptions",
    "core.subscription_ends",
    "core.gifts",
    "core.volts_tips",
    "core.points_redemptions",
    "core.raids",
    "core.stream_status_events",
]
EXPECTED_BLOCKING_CHECKS = {
    f"velora/{name}:valid_{table.replace('.', '_')}" for name, table in TABLE_OF.items()
} | {
    "velora/teams:valid_core_team_members",
    *(
        f"velora/marts/{mart}:{check}"
        for mart, tables in MART_TABLES.items()
        for check in [
            *(f"valid_{t.replace('.', '_')}" for t in tables),
            "reconciles_with_its_sources",
        ]
    ),
    *(f"velora/webhook_events:valid_{table.replace('.', '_')}" for table in WEBHOOK_TABLES),
}
EXPECTED_OTHER_CHECKS = {"velora/webhook_events:tracked_channels_not_silent"}
EXPECTED_SCHEDULES = {
    "velora_live_schedule": ("* * * * *", "velora_live_job"),  # skips to the live cadence
    "velora_leaderboards_schedule": ("*/15 * * * *", "velora_leaderboards_job"),
    "velora_hourly_schedule": ("0 * * * *", "velora_hourly_job"),
    # daily; skips while VELORA_RETENTION_DAYS is unset
    "velora_maintenance_schedule": ("30 3 * * *", "velora_maintenance_job"),
    # hourly; skips while the warehouse is a DuckDB file
    "velora_lake_maintenance_schedule": ("45 * * * *", "velora_lake_maintenance_job"),
}
# No velora_automation_sensor: assets with deps are run by jobs (publish: every job; marts: the
# marts sensor's range runs and backfills).
EXPECTED_SENSORS = {"velora_webhook_landing_sensor", "velora_marts_sensor"}
FAIL_WINDOW_MINUTES = {
    "live": 3,  # three missed 1-minute polls (the default live cadence)
    "leaderboards": 45,
    "hourly": 180,
    "webhooks": 120,
    "marts": 30,
    "publish": 3,  # every run publishes: the most frequent cadence
    "maintenance": 3 * 24 * 60,  # daily retention: three missed days
}


@pytest.fixture(scope="module")
def repo():
    return defs.get_repository_def()


def _name(key: dg.AssetKey | dg.AssetCheckKey) -> str:
    return key.to_user_string()


def test_asset_keys_groups_and_deps(repo):
    graph = repo.asset_graph
    got_groups = {_name(k): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    got_deps = {
        _name(k): {_name(p) for p in graph.get(k).parent_keys} for k in graph.get_all_asset_keys()
    }
    assert got_groups == EXPECTED_GROUPS
    assert got_deps == EXPECTED_DEPS


def test_checks_and_which_block(repo):
    graph = repo.asset_graph
    checks = {_name(key): graph.get(key) for key in graph.asset_check_keys}
    assert set(checks) == EXPECTED_BLOCKING_CHECKS | EXPECTED_OTHER_CHECKS
    assert {k for k, node in checks.items() if node.blocking} == EXPECTED_BLOCKING_CHECKS


def test_every_warehouse_step_is_in_the_warehouse_pool(repo):
    pools = {_name(key): a.op.pool for key, a in repo.assets_defs_by_key.items()}
    pools |= {_name(key): c.node_def.pool for key, c in repo.asset_checks_defs_by_key.items()}
    # lake maintenance alone has its own pool, limited to 1 by the instance's default_limit
    assert pools.pop(LAKE_MAINTENANCE) == "lake_maintenance"
    assert pools and set(pools.values()) == {"warehouse"}


def test_schedules_and_sensors(repo):
    schedules = {
        s.name: (s.cron_schedule, s.job_name, s.default_status, s.execution_timezone)
        for s in repo.schedule_defs
    }
    assert schedules == {
        name: (cron, job, dg.DefaultScheduleStatus.RUNNING, "UTC")
        for name, (cron, job) in EXPECTED_SCHEDULES.items()
    }
    sensors = {s.name: s.default_status for s in repo.sensor_defs}
    assert sensors == {name: dg.DefaultSensorStatus.RUNNING for name in EXPECTED_SENSORS}
    assert repo.get_sensor_def("velora_webhook_landing_sensor").job_name == "velora_webhook_job"


@pytest.mark.parametrize(
    ("job_name", "group"),
    [
        ("velora_live_job", "live"),
        ("velora_leaderboards_job", "leaderboards"),
        ("velora_hourly_job", "hourly"),
        ("velora_webhook_job", "webhooks"),
    ],
)
def test_each_job_runs_its_group_with_checks_then_publishes(repo, job_name, group):
    job = repo.get_job(job_name)
    layer = job.asset_layer
    selected = {_name(k) for k in layer.selected_asset_keys}
    assert selected == {k for k, g in LOADS.items() if g == group} | {PUBLISHED}
    checks = {_name(k) for k in layer.asset_graph.asset_check_keys}
    expected = {
        c for c in EXPECTED_BLOCKING_CHECKS | EXPECTED_OTHER_CHECKS if c.split(":")[0] in selected
    }
    assert checks == expected
    # In the run, publishing waits for every load step and every blocking check step; upstream
    # assets outside the run (the other groups) are not waited on.
    structure = job.graph.dependency_structure
    upstream = {o.node_name for o in structure.all_upstream_outputs_from_node(PUBLISH_NODE)}
    blocking = [c for c in expected if c in EXPECTED_BLOCKING_CHECKS]
    assert len(upstream) == len(selected) - 1 + len(blocking)
    assert upstream == {n.name for n in job.graph.nodes} - {PUBLISH_NODE, *NON_BLOCKING_NODES}


def test_freshness_per_cadence_and_no_automation_anywhere(repo):
    graph = repo.asset_graph
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        policy = node.freshness_policy
        assert policy is not None, _name(key)
        fail_minutes = policy.fail_window.to_timedelta().total_seconds() / 60
        assert fail_minutes == FAIL_WINDOW_MINUTES[node.group_name], _name(key)
        # Schedules and the landing sensor drive the loads; every job runs the publish step.
        assert node.automation_condition is None, _name(key)


def test_kinds_and_resources(repo):
    for key, assets_def in repo.assets_defs_by_key.items():
        assert {"duckdb", "python"} <= set(assets_def.specs_by_key[key].kinds), _name(key)
    assert {"velora_api", "warehouse", "webhook_landing"} <= set(repo.get_top_level_resources())


@pytest.mark.parametrize(
    ("run_config", "mode"),
    [
        # a subprocess per step costs ~3 s of start-up each, more than a step's own work on the file
        pytest.param({}, "in_process", id="default-one-process-per-run"),
        # on a lake several steps may write at once: run config alone picks the mode
        pytest.param(
            {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}},
            "multiprocess",
            id="run-config-selects-multiprocess",
        ),
    ],
)
def test_runs_choose_their_executor_by_run_config(run_config, mode):
    from assets.definitions import defs

    for job in defs.resolve_all_job_defs():
        assert job.executor_def.name == "velora_executor", job.name
        resolved = dg.validate_run_config(job, run_config)["execution"]["velora_executor"]
        assert list(resolved) == [mode], job.name
