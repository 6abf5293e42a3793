"""Runtime settings, read from ``VELORA_*`` environment variables only when asked.

Nothing here runs at import time: call :meth:`Settings.from_env` where the value is needed.
Every variable is listed with a comment in ``.env.example``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.cadence import GROUPS
from pipeline.warehouse.lake import LakeConfig, S3Access
from pipeline.warehouse.lake_maintenance import DEFAULT_RETENTION_HOURS

DEFAULT_TWIN_URL = "http://127.0.0.1:8787"
# The twin's built-in app. Used only when the API is the default twin and no credentials are set,
# so the embedded default works out of the box and real credentials always win.
TWIN_CLIENT_ID = "twin-client"
TWIN_CLIENT_SECRET = "twin-secret"
# Dagster's run and event storage on PostgreSQL; the instance's dagster.yaml names this variable
# (assets/instance.py), so Dagster reads the URL from the environment, never from the file.
POSTGRES_URL_VARIABLE = "VELORA_DAGSTER_POSTGRES_URL"
POSTGRES_URL_SCHEME = "postgresql+psycopg2://"


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


def _number(
    env: Mapping[str, str], name: str, default: float, minimum: float, kind: type[int] | type[float]
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from None
    if not minimum <= value < float("inf"):  # also refuses nan
        raise ConfigError(f"{name} must be at least {minimum:g} and finite, got {raw!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    return int(_number(env, name, default, minimum, int))


def _hours(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, 0, float)


def _jetstream_url(env: Mapping[str, str]) -> str | None:
    url = env.get("VELORA_WEBHOOK_JETSTREAM_URL", "").strip()
    # a cluster is several seed servers, comma-separated; a client learns the rest from them
    for server in url.split(",") if url else ():
        if not server.strip().startswith(("nats://", "tls://")):
            raise ConfigError(
                f"VELORA_WEBHOOK_JETSTREAM_URL={url!r} must be nats:// or tls:// URLs, "
                "comma-separated (empty: the local landing log)"
            )
    return url or None


def _replicas(env: Mapping[str, str]) -> int:
    replicas = _int(env, "VELORA_WEBHOOK_JETSTREAM_REPLICAS", 1, minimum=1)
    if replicas > 5:  # JetStream's own ceiling
        raise ConfigError(f"VELORA_WEBHOOK_JETSTREAM_REPLICAS must be 1 to 5, got {replicas}")
    return replicas


def _lake(env: Mapping[str, str], data_dir: Path) -> LakeConfig | None:
    backend = env.get("VELORA_WAREHOUSE_BACKEND", "").strip().lower() or "duckdb"
    if backend == "duckdb":
        return None
    if backend != "ducklake":
        raise ConfigError(f"VELORA_WAREHOUSE_BACKEND must be duckdb or ducklake, got {backend!r}")
    catalog = env.get("VELORA_LAKE_CATALOG", "").strip()
    if not catalog:
        raise ConfigError(
            "VELORA_WAREHOUSE_BACKEND=ducklake needs VELORA_LAKE_CATALOG, e.g. "
            "'postgres:dbname=velora host=db.internal user=velora' (docs/scaling.md)"
        )
    if catalog.startswith("ducklake:"):
        catalog = catalog.removeprefix("ducklake:")
    data_path = env.get("VELORA_LAKE_DATA_PATH", "").strip() or str(data_dir / "lake") + "/"
    return LakeConfig(catalog=catalog, data_path=data_path, s3=_s3_access(env, data_path))


def _s3_access(env: Mapping[str, str], data_path: str) -> S3Access | None:
    if not data_path.startswith("s3://"):
        return None
    key_id = env.get("AWS_ACCESS_KEY_ID", "").strip()
    secret = env.get("AWS_SECRET_ACCESS_KEY", "").strip()
    if not key_id or not secret:
        raise ConfigError(
            f"VELORA_LAKE_DATA_PATH={data_path} needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(and AWS_ENDPOINT_URL for an S3-compatible store)"
        )
    return S3Access(
        key_id=key_id,
        secret=secret,
        region=env.get("AWS_REGION", "").strip() or "us-east-1",
        endpoint=env.get("AWS_ENDPOINT_URL", "").strip() or None,
    )


def _dagster_postgres_url(env: Mapping[str, str]) -> str | None:
    url = env.get(POSTGRES_URL_VARIABLE, "").strip()
    # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3, which dagster-postgres 0.29 cannot
    # use (its NOTIFY binds a parameter, a syntax error under psycopg 3's server-side binding)
    if url and not url.startswith(POSTGRES_URL_SCHEME):
        raise ConfigError(
            f"{POSTGRES_URL_VARIABLE} must start with {POSTGRES_URL_SCHEME} (dagster-postgres "
            "needs the psycopg2 driver; empty: sqlite under DAGSTER_HOME)"
        )
    return url or None


def _optional_int(env: Mapping[str, str], name: str, minimum: int) -> int | None:
    """A whole number, or None when the variable is unset or empty (the feature is off)."""
    return _int(env, name, 0, minimum) if env.get(name, "").strip() else None


def _csv(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    api_base_url: str = DEFAULT_TWIN_URL
    client_id: str | None = None
    client_secret: str | None = None
    access_token: str | None = None
    data_dir: Path = Path("data")
    warehouse_path: Path = Path("data/warehouse.duckdb")
    lake: LakeConfig | None = None  # VELORA_WAREHOUSE_BACKEND=ducklake: the warehouse is a lake
    # The Dagster `warehouse` pool's limit on a lake (the DuckDB file always has 1)
    warehouse_writers: int = 4
    # Lake maintenance expires snapshots older than this (the reach of time travel)
    lake_snapshot_retention_hours: float = DEFAULT_RETENTION_HOURS
    tracked_channels: tuple[str, ...] = ()
    top_n_tracked: int = 50
    # One field per pipeline.cadence group (its settings_field), defaulting to the group's tick.
    live_cadence_minutes: int = GROUPS["live"].default_minutes
    leaderboard_cadence_minutes: int = GROUPS["leaderboards"].default_minutes
    hourly_cadence_minutes: int = GROUPS["hourly"].default_minutes
    # Retention (docs/warehouse.md § Volume): days of live bodies and full samples kept; None
    # keeps everything (the default, so nothing is pruned unless asked for).
    retention_days: int | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8788
    webhook_secret_file: Path = Path("data/secrets/webhook_secrets.json")
    webhook_secret: str | None = None
    webhook_max_event_age_hours: float = 24.0  # 0: no window on the signed body timestamp
    webhook_dedupe_hours: float = 48.0
    webhook_silence_minutes: int = 30
    # NATS JetStream instead of the local landing log (docs/scaling.md); None: the landing log
    webhook_jetstream_url: str | None = None
    webhook_jetstream_stream: str = "VELORA_WEBHOOKS"
    webhook_jetstream_ack_wait_seconds: float = 30.0
    webhook_jetstream_replicas: int = 1
    dagster_home: Path = Path("data/dagster_home")
    dagster_port: int = 3000
    # None: sqlite under DAGSTER_HOME. Not in repr: the URL may carry a password.
    dagster_postgres_url: str | None = field(default=None, repr=False)
    streamlit_port: int = 8501

    @property
    def warehouse(self) -> Path | LakeConfig:
        """What ``pipeline.warehouse.connect`` opens: the lake when configured, else the file."""
        return self.lake if self.lake is not None else self.warehouse_path

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def read_source(self) -> Path | LakeConfig:
        """What readers open (``pipeline.warehouse.reading``): the lake itself when configured,
        else the published snapshots of the file."""
        return self.lake if self.lake is not None else self.published_dir

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("VELORA_DATA_DIR", "").strip() or "data")
        base_url = (env.get("VELORA_API_BASE_URL", "").strip() or DEFAULT_TWIN_URL).rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"VELORA_API_BASE_URL must start with http:// or https://, got {base_url!r}"
            )
        client_id = env.get("VELORA_CLIENT_ID", "").strip() or None
        client_secret = env.get("VELORA_CLIENT_SECRET", "").strip() or None
        access_token = env.get("VELORA_ACCESS_TOKEN", "").strip() or None
        # A client id alone is fine next to a fixed token: it names the app whose webhooks a
        # broadcaster's token manages.
        if client_secret and not client_id or client_id and not client_secret and not access_token:
            raise ConfigError(
                "set both VELORA_CLIENT_ID and VELORA_CLIENT_SECRET, or neither "
                "(VELORA_CLIENT_ID alone only with VELORA_ACCESS_TOKEN)"
            )
        if env.get("VELORA_WEBHOOK_TOLERANCE_SECONDS", "").strip():
            raise ConfigError(
                "VELORA_WEBHOOK_TOLERANCE_SECONDS is no longer used: X-Velora-Timestamp is not "
                "signed, so a window on it stops no replay but refuses Velora's late retries. "
                "Unset it; replays are refused by VELORA_WEBHOOK_DEDUPE_HOURS and "
                "VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS (docs/webhooks.md)"
            )
        max_event_age = _hours(env, "VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS", 24.0)
        dedupe_hours = _hours(env, "VELORA_WEBHOOK_DEDUPE_HOURS", 48.0)
        if dedupe_hours <= 0:
            raise ConfigError("VELORA_WEBHOOK_DEDUPE_HOURS must be more than 0")
        if max_event_age > dedupe_hours:
            raise ConfigError(
                f"VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS ({max_event_age:g}) must not exceed "
                f"VELORA_WEBHOOK_DEDUPE_HOURS ({dedupe_hours:g}): a replay older than the "
                "dedupe memory but inside the age window would be landed again"
            )
        if base_url == DEFAULT_TWIN_URL and not client_id and not access_token:
            client_id, client_secret = TWIN_CLIENT_ID, TWIN_CLIENT_SECRET
        return cls(
            api_base_url=base_url,
            client_id=client_id,
            client_secret=client_secret,
            access_token=access_token,
            data_dir=data_dir,
            warehouse_path=Path(
                env.get("VELORA_WAREHOUSE", "").strip() or data_dir / "warehouse.duckdb"
            ),
            lake=_lake(env, data_dir),
            warehouse_writers=_int(env, "VELORA_WAREHOUSE_WRITERS", 4, minimum=1),
            lake_snapshot_retention_hours=_hours(
                env, "VELORA_LAKE_SNAPSHOT_RETENTION_HOURS", DEFAULT_RETENTION_HOURS
            ),
            tracked_channels=_csv(env, "VELORA_TRACKED_CHANNELS"),
            top_n_tracked=_int(env, "VELORA_TOP_N_TRACKED", 50),
            **{
                g.settings_field: _int(env, g.variable, g.default_minutes, minimum=1)
                for g in GROUPS.values()
            },
            retention_days=_optional_int(env, "VELORA_RETENTION_DAYS", minimum=1),
            webhook_host=env.get("VELORA_WEBHOOK_HOST", "").strip() or "127.0.0.1",
            webhook_port=_int(env, "VELORA_WEBHOOK_PORT", 8788, minimum=1),
            webhook_secret_file=Path(
                env.get("VELORA_WEBHOOK_SECRET_FILE", "").strip()
                or data_dir / "secrets" / "webhook_secrets.json"
            ),
            webhook_secret=env.get("VELORA_WEBHOOK_SECRET", "").strip() or None,
            webhook_max_event_age_hours=max_event_age,
            webhook_dedupe_hours=dedupe_hours,
            webhook_silence_minutes=_int(env, "VELORA_WEBHOOK_SILENCE_MINUTES", 30, minimum=1),
            webhook_jetstream_url=_jetstream_url(env),
            webhook_jetstream_stream=env.get("VELORA_WEBHOOK_JETSTREAM_STREAM", "").strip()
            or "VELORA_WEBHOOKS",
            webhook_jetstream_ack_wait_seconds=_number(
                env, "VELORA_WEBHOOK_JETSTREAM_ACK_WAIT_SECONDS", 30.0, 1, float
            ),
            webhook_jetstream_replicas=_replicas(env),
            dagster_home=Path(env.get("DAGSTER_HOME", "").strip() or data_dir / "dagster_home"),
            dagster_port=_int(env, "DAGSTER_PORT", 3000, minimum=1),
            dagster_postgres_url=_dagster_postgres_url(env),
            streamlit_port=_int(env, "STREAMLIT_PORT", 8501, minimum=1),
        )
