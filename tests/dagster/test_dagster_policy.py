"""Cross-cutting policy: freshness per cadence group, eager-after-checks for downstream assets."""

from typing import Any

import dagster as dg

from assets.policy import AUTOMATION_SENSOR, RUN_BY_JOBS_TAG, apply_policy


@dg.asset(group_name="live")
def root() -> None: ...


@dg.asset(group_name="hourly", deps=[root])
def child() -> None: ...


@dg.asset(group_name="elsewhere")
def unrelated() -> None: ...


@dg.asset(group_name="publish", deps=[root, child], tags={RUN_BY_JOBS_TAG: "true"})
def published() -> None: ...


def test_downstream_assets_wait_for_blocking_checks_across_runs():
    defs = apply_policy(dg.Definitions(assets=[root, child, unrelated]))
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    assert graph.get(root.key).automation_condition is None
    condition = graph.get(child.key).automation_condition
    assert condition is not None
    assert {c.get_label() for c in condition.children} == {
        "eager",
        "all_deps_blocking_checks_passed",
    }
    sensor = repo.get_sensor_def(AUTOMATION_SENSOR)
    assert isinstance(sensor, dg.AutomationConditionSensorDefinition)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_freshness_windows_follow_the_cadence_group():
    graph = apply_policy(dg.Definitions(assets=[root, child, unrelated])).get_repository_def()
    windows: dict[str, Any] = {
        key.to_user_string(): graph.asset_graph.get(key).freshness_policy
        for key in (root.key, child.key, unrelated.key)
    }
    # the live default is 1 minute: warn after two missed polls, fail after three
    assert windows["root"].fail_window.to_timedelta().total_seconds() == 3 * 60
    assert windows["root"].warn_window.to_timedelta().total_seconds() == 2 * 60
    assert windows["child"].fail_window.to_timedelta().total_seconds() == 180 * 60
    assert windows["unrelated"] is None


def test_no_automation_sensor_without_automated_assets():
    repo = apply_policy(dg.Definitions(assets=[root])).get_repository_def()
    assert [s.name for s in repo.sensor_defs] == []


def test_asset_every_job_runs_is_not_automated_too():
    # It is a step of every job: the automation sensor would publish a second time.
    repo = apply_policy(dg.Definitions(assets=[root, child, published])).get_repository_def()
    graph = repo.asset_graph
    assert graph.get(published.key).automation_condition is None
    assert graph.get(child.key).automation_condition is not None
    sensor = repo.get_sensor_def(AUTOMATION_SENSOR)
    assert isinstance(sensor, dg.AutomationConditionSensorDefinition)
    assert sensor.asset_selection.resolve(graph) == {child.key}


def test_no_automation_sensor_when_only_job_run_assets_have_deps():
    repo = apply_policy(dg.Definitions(assets=[root, published])).get_repository_def()
    assert repo.asset_graph.get(published.key).automation_condition is None
    assert [s.name for s in repo.sensor_defs] == []


def test_published_snapshot_follows_the_most_frequent_cadence():
    repo = apply_policy(dg.Definitions(assets=[root, published])).get_repository_def()
    policy: Any = repo.asset_graph.get(published.key).freshness_policy
    assert policy.fail_window.to_timedelta().total_seconds() == 3 * 60
