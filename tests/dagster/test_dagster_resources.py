"""Resources resolve settings at run time: the environment, with explicit fields laid on top."""

import os
from pathlib import Path

import dagster as dg
import pytest

from assets.resources import VeloraApiResource, WarehouseResource, resolve_settings
from pipeline.config import DEFAULT_TWIN_URL, TWIN_CLIENT_ID, TWIN_CLIENT_SECRET


@pytest.fixture(autouse=True)
def _no_velora_env(monkeypatch):
    for name in [n for n in os.environ if n.startswith("VELORA_")]:
        monkeypatch.delenv(name)


def test_unset_environment_means_the_twin_and_its_credentials():
    settings = resolve_settings(api=VeloraApiResource(), warehouse=WarehouseResource())
    assert settings.api_base_url == DEFAULT_TWIN_URL
    assert (settings.client_id, settings.client_secret) == (TWIN_CLIENT_ID, TWIN_CLIENT_SECRET)
    assert settings.warehouse_path == Path("data/warehouse.duckdb")


def test_environment_is_read_when_the_run_needs_it(monkeypatch):
    api = VeloraApiResource()  # built before the variables exist, as at definitions load time
    monkeypatch.setenv("VELORA_API_BASE_URL", "https://api.velora.tv/")
    monkeypatch.setenv("VELORA_CLIENT_ID", "real-id")
    monkeypatch.setenv("VELORA_CLIENT_SECRET", "real-secret")
    settings = resolve_settings(api=api)
    assert settings.api_base_url == "https://api.velora.tv"
    assert (settings.client_id, settings.client_secret) == ("real-id", "real-secret")


def test_explicit_fields_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("VELORA_API_BASE_URL", "https://api.velora.tv")
    monkeypatch.setenv("VELORA_CLIENT_ID", "env-id")
    monkeypatch.setenv("VELORA_CLIENT_SECRET", "env-secret")
    api = VeloraApiResource(base_url="http://127.0.0.1:9999/", client_id="a", client_secret="b")
    settings = resolve_settings(api=api, warehouse=WarehouseResource(data_dir=str(tmp_path)))
    assert settings.api_base_url == "http://127.0.0.1:9999"
    assert (settings.client_id, settings.client_secret) == ("a", "b")
    assert settings.warehouse_path == tmp_path / "warehouse.duckdb"  # derived from the data dir


class _Probe(dg.ConfigurableResource):
    client_id: str | None = None


def test_unset_envvar_fails_the_run_so_resources_do_not_bind_envvar():
    """Why fields default to None instead of ``dg.EnvVar``: in this Dagster an unset EnvVar is a
    config error even on an optional field, with no default; the twin fallback would be lost."""

    @dg.asset
    def probe(resource: _Probe) -> None: ...

    unset = "VELORA_TEST_NEVER_SET"
    with pytest.raises(dg.DagsterInvalidConfigError, match=unset):
        dg.materialize([probe], resources={"resource": _Probe(client_id=dg.EnvVar(unset))})
