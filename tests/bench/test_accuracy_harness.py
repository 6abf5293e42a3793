"""The accuracy benchmark runs end to end on a tiny world, so it cannot rot unnoticed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bench import accuracy
from pipeline.marts import accuracy_doc


@pytest.mark.timeout(60)
def test_tiny_accuracy_run_writes_the_report_the_docs_render(tmp_path: Path) -> None:
    # 20 creators, one evening (6 h after a 1 h warm-up), one cadence: the harness in seconds.
    evening = accuracy.WINDOW_START + timedelta(hours=17)
    measured = accuracy.measure(
        20, 0.25, [15], tmp_path / "work", start=evening, warmup=timedelta(hours=1)
    )
    report = accuracy.merged([measured])
    assert [(r["cadence_minutes"], r["webhooks"]) for r in report["results"]] == [
        (15, False),
        (15, True),
    ]
    no_hooks, hooks = report["results"]
    for result in report["results"]:
        metrics = {(row["scope"], row["metric"]) for row in result["rows"]}
        assert {("all", m) for m in accuracy_doc.METRICS} <= metrics
        assert all(row["n"] > 0 and row["median"] is not None for row in result["rows"])
    # Webhooks deliver every event of the authorized channels and the exact session ends.
    assert hooks["events_exact"] and sum(e["truth"] for e in hooks["events"]) > 0
    assert not no_hooks["events_exact"]
    assert any(row["scope"] == "sessions_offline_event" for row in hooks["rows"])
    out = tmp_path / "accuracy.json"
    out.write_text(json.dumps(report, default=str), encoding="utf-8")
    rendered = accuracy_doc.render_markdown(out)
    assert rendered.startswith(accuracy_doc.BEGIN_MARKER)
    assert "15 min, with webhooks" in rendered
