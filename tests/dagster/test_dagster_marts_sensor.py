"""What the marts sensor asks for per load: the load's own plan, else a conservative one."""

from datetime import date

import pytest

from assets.marts_defs import planned_days


def _days(*isos: str) -> set[date]:
    return {date.fromisoformat(iso) for iso in isos}


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        pytest.param(
            {
                "mart_days": {
                    "stream_sessions": [["2026-03-01", "2026-03-01"]],
                    "growth_rankings": [["2026-03-01", "2026-03-02"]],
                },
                "changed_day_first": "2026-02-20",
                "changed_day_last": "2026-03-02",
            },
            _days("2026-03-01", "2026-03-02"),
            id="the-loads-plan-wins-over-its-changed-days",
        ),
        pytest.param(
            {"mart_days": {}, "changed_day_first": "2026-03-02", "changed_day_last": "2026-03-02"},
            set(),
            id="a-load-no-mart-reads-asks-for-nothing",
        ),
        pytest.param(
            {"changed_day_first": "2026-03-02", "changed_day_last": "2026-03-02"},
            _days("2026-02-28", "2026-03-01", "2026-03-02"),
            id="without-a-plan-the-48h-before-too",
        ),
        pytest.param(
            {"poll_at": "2026-03-02T10:05:00+00:00"},
            _days("2026-02-28", "2026-03-01", "2026-03-02"),
            id="an-old-poll-with-only-its-time",
        ),
        pytest.param({"loaded": 3}, set(), id="no-days-no-request"),
    ],
)
def test_planned_days(metadata: dict[str, object], expected: set[date]) -> None:
    assert planned_days(metadata, today=date(2026, 3, 2)) == expected
