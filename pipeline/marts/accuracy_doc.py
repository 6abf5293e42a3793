"""The measured-accuracy block of docs/metrics.md, rendered from ``accuracy.json``.

``bench/accuracy.py`` measures the marts against the twin's ground truth and writes the JSON next
to this module; ``velora marts docs`` renders it, so the published table is always the last
measurement committed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ACCURACY_JSON = Path(__file__).with_name("accuracy.json")
BEGIN_MARKER = "<!-- accuracy:begin -->"
END_MARKER = "<!-- accuracy:end -->"
METRICS = ("hours_watched", "average_viewers", "airtime")
SCOPES = (
    ("all", "every channel-day"),
    ("ge20h", "channel-days with ≥ 20 h watched"),
    ("confident", "channel-days not flagged low confidence"),
    ("low_confidence", "low-confidence (tiny) channel-days"),
)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.2f} %"


def _cell(row: dict[str, Any] | None) -> str:
    if row is None or not row["n"]:
        return "–"
    return f"{_pct(row['median'])} / {_pct(row['p95'])}"


def _rows(result: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["scope"], r["metric"]): r for r in result["rows"]}


def _label(result: dict[str, Any]) -> str:
    return f"{result['cadence_minutes']} min, {'with' if result['webhooks'] else 'no'} webhooks"


def accuracy_rows(path: Path = ACCURACY_JSON) -> list[dict[str, Any]] | None:
    """Every measured error as a flat row (relative errors in percent), or None if unmeasured."""
    if not path.exists():
        return None
    report = json.loads(path.read_text(encoding="utf-8"))
    return [
        {
            "cadence_minutes": result["cadence_minutes"],
            "webhooks": bool(result["webhooks"]),
            "scope": row["scope"],
            "metric": row["metric"],
            "median_pct": None if row["median"] is None else row["median"] * 100,
            "p95_pct": None if row["p95"] is None else row["p95"] * 100,
            "n": row["n"],
        }
        for result in report["results"]
        for row in result["rows"]
        if row["metric"] in METRICS
    ]


def render_markdown(path: Path = ACCURACY_JSON) -> str:
    if not path.exists():
        return (
            f"{BEGIN_MARKER}\nNot measured yet: run `make bench` (bench/accuracy.py).\n{END_MARKER}"
        )
    report = json.loads(path.read_text(encoding="utf-8"))
    results = report["results"]
    lines = [
        BEGIN_MARKER,
        "Measured by `bench/accuracy.py` against the twin's ground truth (rendered from "
        "pipeline/marts/accuracy.json). Each cell is the median / p95 relative error against "
        "`/_twin/truth/viewers`, per channel-day (UTC). Runs:",
        "",
    ]
    for run in report["runs"]:
        lines.append(
            f"- {', '.join(str(c) for c in run['cadences'])} min: {run['creators']:,} creators, "
            f"{run['days']:g} simulated day(s) from {run['window_start'][:10]} "
            f"({run['warmup_hours']:g} h seeded before), {run.get('wall_seconds', '?')} s of wall "
            "time."
        )
    for scope, title in SCOPES:
        lines += ["", f"**{title.capitalize()}**", ""]
        lines += [
            "| cadence | " + " | ".join(METRICS) + " | n |",
            "|---" * (len(METRICS) + 2) + "|",
        ]
        for result in results:
            rows = _rows(result)
            n = rows.get((scope, METRICS[0]), {"n": 0})["n"]
            cells = " | ".join(_cell(rows.get((scope, m))) for m in METRICS)
            lines.append(f"| {_label(result)} | {cells} | {n} |")
    lines += [
        "",
        "**Sessions, sampled peak and events**",
        "",
        "| cadence | airtime, end from offline event | airtime, end from VOD | "
        "airtime, estimated end | estimated end − true end (median s) | "
        "sampled peak bias (median / p05) | event counts exact |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        rows = _rows(result)
        offset = rows.get(("sessions_estimated", "end_offset_seconds"))
        bias = result["sampled_peak_bias"]
        end_offset = "–" if offset is None else f"{offset['median']:+.0f}"
        lines.append(
            f"| {_label(result)} | {_cell(rows.get(('sessions_offline_event', 'airtime')))} | "
            f"{_cell(rows.get(('sessions_vod', 'airtime')))} | "
            f"{_cell(rows.get(('sessions_estimated', 'airtime')))} | "
            f"{end_offset} | "
            f"{_pct(bias['median'])} / {_pct(bias['p05'])} | "
            f"{'yes' if result['events_exact'] else 'no'} |"
        )
    lines += [
        "",
        "Event counts (follows, subs, gifts, sub ends, Volts, points) are compared per day with "
        "`/_twin/truth/events` over the channels that authorized the app; without webhooks the "
        "marts have no events, so they are not exact by construction.",
        END_MARKER,
    ]
    return "\n".join(lines)
