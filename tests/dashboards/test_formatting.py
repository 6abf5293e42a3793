"""Numbers for people: each case names the rounding or unit quirk it guards."""

from __future__ import annotations

import math

import pytest

from dashboards import formatting


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(950, "950", id="below-1k-as-is"),
        pytest.param(12_345, "12.3K", id="thousands"),
        pytest.param(12_000, "12K", id="no-trailing-zero"),
        pytest.param(999_950, "1M", id="rounds-up-to-next-suffix-not-1000K"),
        pytest.param(1_250_000, "1.2M", id="millions-round-half-even"),
        pytest.param(-4_200, "-4.2K", id="negative"),
        pytest.param(0.4, "0.4", id="small-fraction-not-zero"),
        pytest.param(0, "0", id="zero"),
        pytest.param(None, "–", id="none-is-dash-not-zero"),
        pytest.param(math.nan, "–", id="nan-is-dash"),
    ],
)
def test_compact(value: object, text: str) -> None:
    assert formatting.compact(value) == text


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        pytest.param(4 + 5 / 60, "4h 05m", id="zero-padded-minutes"),
        pytest.param(0.75, "45m", id="under-an-hour"),
        pytest.param(1.9999, "2h 00m", id="rounds-into-the-next-hour"),
        pytest.param(1234, "1,234h 00m", id="platform-airtime-grouped"),
        pytest.param(None, "–", id="missing"),
    ],
)
def test_duration(hours: object, text: str) -> None:
    assert formatting.duration(hours) == text


@pytest.mark.parametrize(
    ("current", "previous", "text"),
    [
        pytest.param(1_200, 1_000, "+200 (+20.0 %)", id="growth"),
        pytest.param(800, 1_000, "-200 (-20.0 %)", id="decline"),
        pytest.param(5, 0, "+5", id="no-ratio-from-zero"),
        pytest.param(5, None, None, id="no-previous-period"),
    ],
)
def test_delta(current: object, previous: object, text: str | None) -> None:
    assert formatting.delta(current, previous) == text


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        pytest.param(1234.5, "USD", "$1,234.50", id="usd-symbol"),
        pytest.param(3, "SEK", "3.00 SEK", id="unknown-currency-code-after"),
    ],
)
def test_money(value: float, currency: str, text: str) -> None:
    assert formatting.money(value, currency) == text
