"""Slow integration: against a twin limited to 30 requests/min, the default pacing spends the
window, waits for the reset and carries on — without a single 429. Takes up to ~75 s (the twin's
windows are 60 s of wall clock), hence the ``slow`` marker (deselect with ``-m "not slow"``)."""

from __future__ import annotations

import pytest

from pipeline.client import ClientConfig, VeloraClient

twin_launcher = pytest.importorskip("pipeline.twin.launcher")

LIMIT = 30


@pytest.mark.slow
def test_default_pacing_crosses_a_window_without_429() -> None:
    with twin_launcher.running_twin(clock="frozen", creators=200, rate_limit=LIMIT) as twin:
        config = ClientConfig(
            base_url=twin.base_url, client_id="twin-client", client_secret="twin-secret"
        )
        with VeloraClient(config) as client:
            windows: set[str] = set()
            for _ in range(LIMIT - 2):  # more than one window allows after the safety margin
                response = client.featured_streams().responses[0]
                windows.add(response.headers["x-ratelimit-reset"])
        stats = twin.stats()
    assert stats["served_429"] == 0 and client.stats.rate_limited == 0
    assert len(windows) >= 2  # really spanned two rate windows
    assert client.stats.throttled_sleep_seconds > 0
