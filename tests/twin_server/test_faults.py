"""Fault injection: configured rates, determinism per fault seed, storms, malformed bodies."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pipeline.twin.launcher import TwinHandle


def _kinds(twin: TwinHandle, n: int) -> list[str]:
    kinds = []
    for i in range(n):
        response = twin.client.get("/api/badges/catalog", params={"i": i})
        if response.status_code >= 500:
            kind = "html" if response.headers["content-type"].startswith("text/html") else "json5xx"
            if kind == "json5xx":
                assert response.json()["error"] in (
                    "internal_error",
                    "bad_gateway",
                    "service_unavailable",
                )
            kinds.append(kind)
            continue
        assert response.status_code == 200
        try:
            json.loads(response.content)
            kinds.append("ok")
        except ValueError:
            kinds.append("malformed")
    return kinds


@pytest.fixture()
def clean(twin: TwinHandle):
    yield twin
    twin.clear_faults()


def test_error_and_malformed_rates_are_roughly_as_configured(clean: TwinHandle) -> None:
    clean.set_faults(error_rate=0.2, malformed_rate=0.1, seed=3)
    counts = Counter(_kinds(clean, 400))
    errors = counts["html"] + counts["json5xx"]
    assert 50 <= errors <= 110, counts  # 80 expected
    assert 20 <= counts["malformed"] <= 65, counts  # 40 expected
    assert counts["html"] > 0 and counts["json5xx"] > 0
    injected = clean.set_faults()  # reset, read counts first
    assert injected["config"]["error_rate"] == 0


def test_same_fault_seed_gives_the_same_faults(clean: TwinHandle) -> None:
    clean.set_faults(error_rate=0.3, malformed_rate=0.1, seed=11)
    first = _kinds(clean, 60)
    clean.set_faults(error_rate=0.3, malformed_rate=0.1, seed=11)
    second = _kinds(clean, 60)
    clean.set_faults(error_rate=0.3, malformed_rate=0.1, seed=12)
    other = _kinds(clean, 60)
    assert first == second
    assert first != other


def test_storm_returns_429_then_clears(clean: TwinHandle) -> None:
    clean.set_faults(storm_seconds=30)
    response = clean.client.get("/api/streams/live")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 30
    assert response.json()["error"] == "rate_limit_exceeded"
    assert clean.client.get("/_twin/clock").status_code == 200, "faults never touch /_twin"
    assert clean.stats()["storm_429"] >= 1
    clean.clear_faults()
    assert clean.client.get("/api/streams/live").status_code == 200


def test_slow_responses_still_answer(clean: TwinHandle) -> None:
    clean.set_faults(slow_rate=1.0, slow_delay=0.05)
    assert clean.client.get("/api/badges/catalog").status_code == 200
    assert clean.client.get("/_twin/faults").json()["injected"] == {"slow": 1}


def test_timeouts_hold_the_response_past_the_client_timeout(clean: TwinHandle) -> None:
    import httpx

    clean.set_faults(timeout_rate=1.0, timeout_delay=1.0)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{clean.base_url}/api/badges/catalog", timeout=0.2)


def test_bad_fault_settings_are_400(clean: TwinHandle) -> None:
    response = clean.client.post("/_twin/faults", json={"error_rate": 2})
    assert response.status_code == 400
    assert clean.client.post("/_twin/faults", json={"bogus": 1}).status_code == 400
