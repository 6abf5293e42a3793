"""Dagster resources: where the Velora API and the warehouse are, resolved only at run time.

Every field defaults to ``None``, meaning "ask ``pipeline.config.Settings.from_env()`` when a run
needs it" — the project's one reader of ``VELORA_*`` variables, so defaults (the twin at
``http://127.0.0.1:8787`` and its credentials, ``data/warehouse.duckdb``) live in one place.
We do not bind ``dg.EnvVar(...)`` here: in Dagster 1.13 an unset ``EnvVar`` is a config error at
run launch (it has no default, even on an optional field), and binding it only for variables that
are set would read the environment at import time. A value set explicitly (in code, a test, or the
launchpad's resource config) wins over the environment.
"""

import dataclasses
from pathlib import Path

import dagster as dg

from pipeline.client import ClientConfig, VeloraClient
from pipeline.config import Settings


class VeloraApiResource(dg.ConfigurableResource):
    """The Velora REST API (the twin by default); ``None`` fields come from the environment."""

    base_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    access_token: str | None = None

    def overrides(self) -> dict[str, str]:
        given = {
            "api_base_url": self.base_url.rstrip("/") if self.base_url else None,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "access_token": self.access_token,
        }
        return {name: value for name, value in given.items() if value}

    def client_config(self, settings: Settings) -> ClientConfig:
        return ClientConfig(
            base_url=settings.api_base_url,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            access_token=settings.access_token,
        )

    def get_client(self, settings: Settings | None = None) -> VeloraClient:
        """A new client; use it as a context manager so its connections are closed."""
        return VeloraClient(self.client_config(settings or resolve_settings(api=self)))


class WarehouseResource(dg.ConfigurableResource):
    """The read-write DuckDB warehouse and the data directory beside it."""

    path: str | None = None
    data_dir: str | None = None

    def overrides(self) -> dict[str, Path]:
        given = {
            "warehouse_path": Path(self.path) if self.path else None,
            "data_dir": Path(self.data_dir) if self.data_dir else None,
        }
        return {name: value for name, value in given.items() if value is not None}


class WebhookLandingResource(dg.ConfigurableResource):
    """Where the receiver's landing log is, and how long a live channel may stay silent."""

    landing_dir: str | None = None
    silence_minutes: int | None = None

    def landing_path(self, settings: Settings) -> Path:
        return Path(self.landing_dir) if self.landing_dir else settings.landing_dir

    def silence_window(self, settings: Settings) -> int:
        return self.silence_minutes or settings.webhook_silence_minutes


def resolve_settings(
    *, api: VeloraApiResource | None = None, warehouse: WarehouseResource | None = None
) -> Settings:
    """``Settings.from_env()`` with whatever the resources set explicitly laid on top."""
    settings = Settings.from_env()
    changes: dict[str, object] = {}
    if warehouse is not None:
        changes.update(warehouse.overrides())
        derived = settings.warehouse_path == settings.data_dir / "warehouse.duckdb"
        if warehouse.data_dir and not warehouse.path and derived:
            # A data dir moves a warehouse that was only derived from it, as VELORA_DATA_DIR does.
            changes["warehouse_path"] = Path(warehouse.data_dir) / "warehouse.duckdb"
    if api is not None:
        changes.update(api.overrides())
    return dataclasses.replace(settings, **changes) if changes else settings  # type: ignore[arg-type]


def resource_defs() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "velora_api": VeloraApiResource(),
            "warehouse": WarehouseResource(),
            "webhook_landing": WebhookLandingResource(),
        }
    )
