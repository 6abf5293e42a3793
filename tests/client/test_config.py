"""ClientConfig validation: bad values are named in a clear error."""

from __future__ import annotations

import pytest

from pipeline.client import ClientConfig, ClientConfigError
from pipeline.config import Settings


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        pytest.param({"base_url": "127.0.0.1:8787"}, "base_url", id="base-url-without-scheme"),
        pytest.param(
            {"base_url": "http://x", "client_id": "a"}, "client_secret", id="id-without-secret"
        ),
        pytest.param({"base_url": "http://x", "timeout": 0}, "timeout", id="zero-timeout"),
        pytest.param(
            {"base_url": "http://x", "max_retries": -1}, "max_retries", id="negative-retries"
        ),
        pytest.param(
            {"base_url": "http://x", "max_concurrency": 0}, "max_concurrency", id="zero-concurrency"
        ),
        pytest.param(
            {"base_url": "http://x", "page_size": 500}, "page_size", id="page-size-over-100"
        ),
        pytest.param(
            {"base_url": "http://x", "token_refresh_fraction": 1.5},
            "token_refresh_fraction",
            id="refresh-fraction-over-1",
        ),
    ],
)
def test_bad_config_names_the_field(kwargs, needle) -> None:
    with pytest.raises(ClientConfigError, match=needle):
        ClientConfig(**kwargs)


def test_from_settings_and_secret_free_repr() -> None:
    settings = Settings.from_env(
        {
            "VELORA_API_BASE_URL": "http://127.0.0.1:9999/",
            "VELORA_CLIENT_ID": "cid",
            "VELORA_CLIENT_SECRET": "csecret-123",
        }
    )
    config = ClientConfig.from_settings(settings, max_concurrency=2)
    assert (config.base_url, config.client_id, config.client_secret, config.max_concurrency) == (
        "http://127.0.0.1:9999",
        "cid",
        "csecret-123",
        2,
    )
    assert "csecret-123" not in repr(config)
