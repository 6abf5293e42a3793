"""Period ratios: each case names the trap it guards."""

from __future__ import annotations

import math

import pytest

from pipeline.marts import ratios


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        pytest.param(10, 4, 2.5, id="plain"),
        pytest.param(10, 0, None, id="zero-denominator-is-unknown-not-zero"),
        pytest.param(None, 4, None, id="missing-numerator"),
        pytest.param(10, math.nan, None, id="nan-denominator-from-an-empty-sum"),
        pytest.param(0, 4, 0.0, id="zero-numerator-is-a-real-zero"),
    ],
)
def test_ratio(numerator: object, denominator: object, expected: float | None) -> None:
    assert ratios.ratio(numerator, denominator) == expected


def test_average_viewers_is_a_ratio_of_sums_not_a_mean_of_days() -> None:
    # day 1: 10 viewer-hours over 10 h covered (1 viewer); day 2: 100 over 1 h (100 viewers)
    assert ratios.average_viewers(10 + 100, 10 + 1) == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([3, 1, 2], 2, id="odd-count"),
        pytest.param([4, 1, 3, 2], 2.5, id="even-count"),
        pytest.param([None, math.nan, 5], 5, id="unknowns-ignored"),
        pytest.param([], None, id="no-peers"),
    ],
)
def test_peer_median(values: list[object], expected: float | None) -> None:
    assert ratios.peer_median(values) == expected
