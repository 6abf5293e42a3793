"""Settings come from the environment only when asked, and bad values fail with the variable's name."""

from pathlib import Path

import pytest

from pipeline.config import ConfigError, Settings


def test_defaults_point_at_the_twin_and_local_warehouse():
    settings = Settings.from_env({})
    assert settings.api_base_url == "http://127.0.0.1:8787"
    assert settings.warehouse_path == Path("data/warehouse.duckdb")
    # the twin's built-in app, so the embedded default needs no set-up
    assert (settings.client_id, settings.client_secret) == ("twin-client", "twin-secret")
    assert settings.access_token is None


@pytest.mark.parametrize(
    ("env", "client_id"),
    [
        pytest.param(
            {"VELORA_API_BASE_URL": "https://api.velora.tv"}, None, id="production-no-twin-creds"
        ),
        pytest.param({"VELORA_ACCESS_TOKEN": "tok"}, None, id="fixed-token-wins-over-twin-app"),
        pytest.param(
            {"VELORA_CLIENT_ID": "mine", "VELORA_CLIENT_SECRET": "s"}, "mine", id="own-app-wins"
        ),
    ],
)
def test_twin_credentials_only_fill_a_gap(env, client_id):
    assert Settings.from_env(env).client_id == client_id


def test_data_dir_moves_every_default_path():
    settings = Settings.from_env({"VELORA_DATA_DIR": "/tmp/x"})
    assert settings.warehouse_path == Path("/tmp/x/warehouse.duckdb")
    assert settings.webhook_secret_file == Path("/tmp/x/secrets/webhook_secrets.json")
    assert settings.dagster_home == Path("/tmp/x/dagster_home")


def test_tracked_channels_are_a_trimmed_list():
    settings = Settings.from_env({"VELORA_TRACKED_CHANNELS": " alice, bob ,,"})
    assert settings.tracked_channels == ("alice", "bob")


@pytest.mark.parametrize(
    ("env", "names"),
    [
        pytest.param({"VELORA_TOP_N_TRACKED": "many"}, "VELORA_TOP_N_TRACKED", id="non-integer"),
        pytest.param(
            {"VELORA_LIVE_CADENCE_MINUTES": "0"}, "VELORA_LIVE_CADENCE_MINUTES", id="zero-cadence"
        ),
        pytest.param(
            {"VELORA_API_BASE_URL": "api.velora.tv"}, "VELORA_API_BASE_URL", id="url-without-scheme"
        ),
        pytest.param({"VELORA_CLIENT_ID": "abc"}, "VELORA_CLIENT_SECRET", id="id-without-secret"),
        pytest.param(
            {"VELORA_WEBHOOK_JETSTREAM_URL": "http://127.0.0.1:4222"},
            "VELORA_WEBHOOK_JETSTREAM_URL",
            id="jetstream-url-not-nats",
        ),
        pytest.param(
            {"VELORA_WEBHOOK_JETSTREAM_URL": "nats://a:4222,http://b:4222"},
            "VELORA_WEBHOOK_JETSTREAM_URL",
            id="jetstream-cluster-with-one-url-not-nats",
        ),
        pytest.param(
            {"VELORA_WEBHOOK_JETSTREAM_REPLICAS": "6"},
            "VELORA_WEBHOOK_JETSTREAM_REPLICAS",
            id="more-replicas-than-jetstream-allows",
        ),
        pytest.param(
            {"VELORA_WEBHOOK_JETSTREAM_REPLICAS": "0"},
            "VELORA_WEBHOOK_JETSTREAM_REPLICAS",
            id="no-replica",
        ),
        pytest.param(
            {"VELORA_CLIENT_SECRET": "s", "VELORA_ACCESS_TOKEN": "t"},
            "VELORA_CLIENT_ID",
            id="secret-without-id",
        ),
        pytest.param(
            {"VELORA_WEBHOOK_TOLERANCE_SECONDS": "600"},
            "VELORA_WEBHOOK_TOLERANCE_SECONDS is no longer used",
            id="removed-header-window",
        ),
        pytest.param(
            {"VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS": "-1"},
            "VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS",
            id="negative-event-age",
        ),
        pytest.param(
            {"VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS": "nan"},
            "VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS",
            id="nan-event-age",
        ),
        pytest.param(
            {"VELORA_WEBHOOK_DEDUPE_HOURS": "0"}, "VELORA_WEBHOOK_DEDUPE_HOURS", id="no-dedupe"
        ),
        pytest.param(
            {"VELORA_RETENTION_DAYS": "a week"},
            "VELORA_RETENTION_DAYS",
            id="retention-not-a-number",
        ),
        pytest.param({"VELORA_RETENTION_DAYS": "0"}, "VELORA_RETENTION_DAYS", id="retention-zero"),
        pytest.param(
            {"VELORA_WAREHOUSE_WRITERS": "0"}, "VELORA_WAREHOUSE_WRITERS", id="no-lake-writers"
        ),
        pytest.param(
            {"VELORA_DAGSTER_POSTGRES_URL": "dbname=dagster host=db"},
            "VELORA_DAGSTER_POSTGRES_URL",
            id="dagster-storage-libpq-keywords-not-url",
        ),
        pytest.param(
            {"VELORA_DAGSTER_POSTGRES_URL": "postgresql://dagster@db/dagster"},
            "postgresql\\+psycopg2://",
            id="bare-postgresql-url-means-psycopg3-under-sqlalchemy-2.1",
        ),
        pytest.param(
            {"VELORA_LAKE_SNAPSHOT_RETENTION_HOURS": "-1"},
            "VELORA_LAKE_SNAPSHOT_RETENTION_HOURS",
            id="negative-snapshot-retention",
        ),
        pytest.param(
            {"VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS": "72", "VELORA_WEBHOOK_DEDUPE_HOURS": "48"},
            "must not exceed",
            id="event-window-outlasts-dedupe-memory",
        ),
    ],
)
def test_bad_values_name_the_variable(env, names):
    with pytest.raises(ConfigError, match=names):
        Settings.from_env(env)


def test_a_broadcaster_token_may_name_its_app_without_the_app_secret():
    # Managing the app's webhooks with a broadcaster's user token needs the client id (it is in
    # the path) but not the client secret.
    settings = Settings.from_env({"VELORA_CLIENT_ID": "app", "VELORA_ACCESS_TOKEN": "user-token"})
    assert (settings.client_id, settings.client_secret) == ("app", None)


def test_webhook_replay_windows_default_to_a_day_and_two():
    settings = Settings.from_env({})
    assert (settings.webhook_max_event_age_hours, settings.webhook_dedupe_hours) == (24.0, 48.0)
    off = Settings.from_env({"VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS": "0"})
    assert off.webhook_max_event_age_hours == 0


def test_trailing_slash_is_dropped_from_base_url():
    assert Settings.from_env({"VELORA_API_BASE_URL": "https://api.velora.tv/"}).api_base_url == (
        "https://api.velora.tv"
    )


@pytest.mark.parametrize(
    ("env", "days"),
    [
        pytest.param({}, None, id="unset-keeps-everything"),
        pytest.param({"VELORA_RETENTION_DAYS": " "}, None, id="blank-is-unset"),
        pytest.param({"VELORA_RETENTION_DAYS": "30"}, 30, id="days"),
    ],
)
def test_retention_is_off_unless_set(env, days):
    assert Settings.from_env(env).retention_days == days


def test_orchestration_defaults_are_sqlite_and_four_lake_writers():
    settings = Settings.from_env({})
    assert (settings.dagster_postgres_url, settings.warehouse_writers) == (None, 4)
    url = "postgresql+psycopg2://dagster:hunter2@db:5432/dagster"
    configured = Settings.from_env({"VELORA_DAGSTER_POSTGRES_URL": url})
    assert configured.dagster_postgres_url == url
    assert "hunter2" not in repr(configured)  # the URL's password stays out of logs


@pytest.mark.parametrize(
    ("env", "hours"),
    [
        pytest.param({}, 24.0, id="default-a-day-of-time-travel"),
        pytest.param({"VELORA_LAKE_SNAPSHOT_RETENTION_HOURS": "0"}, 0.0, id="zero-keeps-latest"),
        pytest.param({"VELORA_LAKE_SNAPSHOT_RETENTION_HOURS": "1.5"}, 1.5, id="fractional"),
    ],
)
def test_lake_snapshot_retention(env, hours):
    assert Settings.from_env(env).lake_snapshot_retention_hours == hours


@pytest.mark.parametrize(
    ("url", "servers"),
    [
        pytest.param("nats://n:4222", ["nats://n:4222"], id="one-server"),
        # a cluster's seed servers, spaces after commas tolerated
        pytest.param(
            "nats://a:4222, nats://b:4222,tls://c:4222",
            ["nats://a:4222", "nats://b:4222", "tls://c:4222"],
            id="cluster-seeds",
        ),
    ],
)
def test_jetstream_servers_and_replicas(url, servers):
    from pipeline.webhooks.jetstream import jetstream_config

    settings = Settings.from_env(
        {"VELORA_WEBHOOK_JETSTREAM_URL": url, "VELORA_WEBHOOK_JETSTREAM_REPLICAS": "3"}
    )
    config = jetstream_config(settings)
    assert config is not None
    assert (config.servers, config.replicas) == (servers, 3)
