"""Accuracy of the marts against the twin's ground truth (issue 9 §5).

For each cadence: a frozen-clock twin, a webhook receiver subscribed before seeding, the live
directory ingested by the real client/ingest code (``velora seed``'s stepper), then the marts
built twice: from the polls alone ("without webhooks") and after loading the webhook landing log
("with webhooks", which gives stream.offline ends and every event). Each channel-day and each
session is compared with ``/_twin/truth/viewers``; event counts with ``/_twin/truth/events``.

Writes ``pipeline/marts/accuracy.json`` (rendered into docs/metrics.md by ``velora marts docs``).
Run: ``.venv/bin/python -m bench accuracy`` or ``.venv/bin/python bench/accuracy.py --help``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipeline.config import Settings
from pipeline.harness.demo import WEBHOOK_EVENTS
from pipeline.harness.seed import UNLIMITED_RATE, seed_history
from pipeline.ingest.jobs import select_jobs
from pipeline.marts.build import rebuild_all
from pipeline.serving import serving
from pipeline.twin.launcher import TwinHandle, running_twin
from pipeline.warehouse import connect
from pipeline.webhooks.loader import load_sealed_segments
from pipeline.webhooks.receiver import ReceiverConfig, WebhookReceiver
from pipeline.webhooks.secrets import add_secret

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "pipeline" / "marts" / "accuracy.json"
WINDOW_START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday: measured days start here
WARMUP = timedelta(hours=6)  # seeded before the window, so day one's early streams are known
HEAVY_HOURS = 20.0  # channel-days with at least this many hours watched (issue 9 targets)
EVENTS = WEBHOOK_EVENTS.split(",")  # every event the demo subscribes to
# monetization_daily columns that count each truth event type (sums over the day's channels)
EVENT_COUNTS = {
    "channel.follow": "follows",
    # the twin (like Velora) also sends channel.subscribe for each gifted sub; the mart counts
    # those once, from the gift event, as subs_gifted
    "channel.subscribe": "subs_new + subs_renewed + subs_gifted",
    "channel.subscription.gift": "gift_events",
    "channel.subscription.end": "subs_ended",
    "channel.volts": "volts_events",
    "channel.points.redeem": "points_redemptions",
}


# ---- statistics ------------------------------------------------------------------------------
def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"median": None, "p95": None, "n": 0}
    return {"median": statistics.median(values), "p95": quantile(values, 0.95), "n": len(values)}


def relative_error(estimate: float, truth: float) -> float:
    return abs(estimate - truth) / truth


# ---- the services ------------------------------------------------------------------------------
@contextlib.contextmanager
def running_receiver(config: ReceiverConfig) -> Iterator[str]:
    """The webhook receiver on a free loopback port; yields its URL. Exit seals the log."""
    with serving(WebhookReceiver(config), name="webhook-receiver") as base_url:
        yield f"{base_url}/webhooks/velora"


# ---- truth -------------------------------------------------------------------------------------
def truth_of(twin: TwinHandle, seeded_from: datetime, t0: datetime, t1: datetime) -> dict:
    """Per channel: viewers per minute over the seeded span, via /_twin/truth/viewers; events per
    day of the window [t0, t1), via /_twin/truth/events."""
    minutes: dict[str, list[tuple[datetime, int, int]]] = {}
    for creator in twin.world.creators:
        doc = twin.truth_viewers(creator.id, seeded_from.isoformat(), t1.isoformat())
        points = [
            (
                datetime.fromisoformat(p["at"].replace("Z", "+00:00")),
                int(p["viewers"]),
                int(p["seconds"]),
            )
            for p in doc["points"]
        ]
        if points:
            minutes[creator.id] = points
    days = []
    day = t0
    while day < t1:
        upto = min(day + timedelta(days=1), t1)
        totals = twin.truth_events(day.isoformat(), upto.isoformat())
        days.append({"day": day.date().isoformat(), "events": totals["authorizedTotals"]})
        day += timedelta(days=1)
    return {"minutes": minutes, "event_days": days}


def truth_channel_days(minutes: dict[str, list[tuple[datetime, int, int]]], t0: datetime) -> dict:
    """(channel, day) -> hours watched, airtime hours, peak (minutes in the window only); a
    session's last minute counts for the seconds it was live."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for channel, points in minutes.items():
        for at, viewers, seconds in points:
            if at < t0:
                continue
            cell = out.setdefault(
                (channel, at.date().isoformat()), {"hours": 0.0, "airtime": 0.0, "peak": 0}
            )
            cell["hours"] += viewers * seconds / 3600
            cell["airtime"] += seconds / 3600
            cell["peak"] = max(cell["peak"], viewers)
    return out


def truth_sessions(minutes: dict[str, list[tuple[datetime, int, int]]]) -> dict[str, list]:
    """Per channel: (start, exact end) of each run of consecutive live minutes."""
    out: dict[str, list[tuple[datetime, datetime]]] = {}
    for channel, points in minutes.items():
        runs: list[tuple[datetime, datetime]] = []
        for at, _, seconds in points:
            end = at + timedelta(seconds=seconds)
            if runs and runs[-1][1] == at:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((at, end))
        out[channel] = runs
    return out


# ---- comparison --------------------------------------------------------------------------------
def compare(
    db: Path,
    truth: dict[str, Any],
    span: tuple[datetime, datetime, datetime],
    cadence: int,
    webhooks: bool,
) -> dict[str, Any]:
    """Errors of one warehouse's marts; ``span`` = (seeded from, window start, window end)."""
    seeded_from, t0, t1 = span
    conn = duckdb.connect(str(db), read_only=True)
    try:
        daily = {
            (ch, day.isoformat()): (hw, air, avg, peak, low)
            for ch, day, hw, air, avg, peak, low in conn.execute(
                "SELECT channel_id, day, hours_watched, airtime_hours, average_viewers, "
                "peak_viewers, low_confidence FROM marts.channel_daily "
                "WHERE day >= $lo AND day <= $last",
                {"lo": t0.date(), "last": (t1 - timedelta(microseconds=1)).date()},
            ).fetchall()
        }
        sessions = conn.execute(
            "SELECT channel_id, started_at, coalesce(ended_at, last_sample_at), end_source, "
            "hours_live FROM marts.stream_sessions"
        ).fetchall()
        monetization = {
            day.isoformat(): dict(zip(EVENT_COUNTS, counts, strict=True))
            for day, *counts in conn.execute(
                "SELECT day, "  # noqa: S608 - the sums are the EVENT_COUNTS constants
                + ", ".join(f"coalesce(sum({expr}), 0)" for expr in EVENT_COUNTS.values())
                + " FROM marts.monetization_daily GROUP BY day"
            ).fetchall()
        }
    finally:
        conn.close()
    rows: list[dict[str, Any]] = []
    errors: dict[tuple[str, str], list[float]] = defaultdict(list)
    peak_bias: list[float] = []
    for key, cell in truth_channel_days(truth["minutes"], t0).items():
        hw, air, avg, peak, low = daily.get(key, (0.0, 0.0, 0.0, 0, True))
        true_avg = cell["hours"] / cell["airtime"]
        scopes = ["all"] + (["ge20h"] if cell["hours"] >= HEAVY_HOURS else [])
        scopes += ["low_confidence"] if low else ["confident"]
        for scope in scopes:
            if cell["hours"] > 0:
                errors[(scope, "hours_watched")].append(relative_error(hw or 0.0, cell["hours"]))
            if true_avg > 0:
                errors[(scope, "average_viewers")].append(relative_error(avg or 0.0, true_avg))
            errors[(scope, "airtime")].append(relative_error(air or 0.0, cell["airtime"]))
        if cell["peak"] > 0:
            peak_bias.append(((peak or 0) - cell["peak"]) / cell["peak"])
    for (scope, metric), values in sorted(errors.items()):
        rows.append({"scope": scope, "metric": metric, **summary(values)})
    # Sessions wholly inside the seeded span, matched to the truth run they start in.
    runs = truth_sessions(truth["minutes"])
    by_source: dict[str, list[float]] = defaultdict(list)
    end_offsets: dict[str, list[float]] = defaultdict(list)
    for channel, started, ended, source, hours_live in sessions:
        run = next(
            (r for r in runs.get(channel, []) if r[0] <= started < r[1]),
            None,
        )
        if run is None or run[0] < seeded_from or run[1] >= t1 or source == "ongoing":
            continue
        true_hours = (run[1] - run[0]).total_seconds() / 3600
        by_source[source].append(relative_error(hours_live, true_hours))
        end_offsets[source].append((ended - run[1]).total_seconds())
    for source, values in sorted(by_source.items()):
        offsets = end_offsets[source]
        rows.append({"scope": f"sessions_{source}", "metric": "airtime", **summary(values)})
        rows.append(
            {
                "scope": f"sessions_{source}",
                "metric": "end_offset_seconds",
                "median": statistics.median(offsets),
                "p95": quantile([abs(o) for o in offsets], 0.95),
                "n": len(offsets),
            }
        )
    events = []
    for entry in truth["event_days"]:
        counted = monetization.get(entry["day"], dict.fromkeys(EVENT_COUNTS, 0))
        for kind in EVENT_COUNTS:
            events.append(
                {
                    "day": entry["day"],
                    "type": kind,
                    "truth": entry["events"].get(kind, 0),
                    "mart": int(counted[kind]),
                }
            )
    return {
        "cadence_minutes": cadence,
        "webhooks": webhooks,
        "rows": rows,
        "sampled_peak_bias": {
            "median": statistics.median(peak_bias) if peak_bias else None,
            "p05": quantile(peak_bias, 0.05) if peak_bias else None,
            "n": len(peak_bias),
        },
        "events_exact": all(e["truth"] == e["mart"] for e in events),
        "events": events,
    }


# ---- one cadence -------------------------------------------------------------------------------
def run_cadence(
    cadence: int,
    creators: int,
    span: tuple[datetime, datetime, datetime],
    work: Path,
    truth: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, float]]:
    seeded_from, t0, t1 = span
    data = work / f"c{cadence}"
    data.mkdir(parents=True)
    settings = Settings(data_dir=data, warehouse_path=data / "polls.duckdb")
    secrets = data / "secrets.json"
    receiver = ReceiverConfig(
        landing_dir=data / "landing",
        secret_file=secrets,
        secrets_check_interval=0,
        max_event_age_seconds=0,  # twin bodies carry simulated times, months from the wall clock
    )
    timings: dict[str, float] = {}
    began = time.perf_counter()
    with (
        running_twin(
            clock="frozen",
            start=seeded_from,
            creators=creators,
            rate_limit=UNLIMITED_RATE,
            subscriber_rate_limit=UNLIMITED_RATE,
            allow_http_webhooks=True,
        ) as twin,
        running_receiver(receiver) as url,
    ):
        hook = twin.create_webhook(url, list(EVENTS))
        add_secret(secrets, hook["secret"], webhook_id=hook["id"], now=datetime.now(UTC))
        seed_history(
            days=(t1 - seeded_from) / timedelta(days=1),
            settings=settings,
            names=select_jobs("live,vods"),  # VODs give exact ends without webhooks
            creators=creators,
            cadence_minutes=cadence,
            base_url=twin.base_url,
            now=t1,
            publish=False,
        )
        twin.flush_webhooks()
        timings["seed_seconds"] = time.perf_counter() - began
        if truth is None:
            truth_began = time.perf_counter()
            truth = truth_of(twin, seeded_from, t0, t1)
            timings["truth_seconds"] = time.perf_counter() - truth_began
    # Without webhooks: the marts the seed built from the polls alone.
    with_hooks = data / "webhooks.duckdb"
    shutil.copyfile(settings.warehouse_path, with_hooks)
    build_began = time.perf_counter()
    conn = connect(with_hooks)
    try:
        load_sealed_segments(data / "landing", with_hooks, conn=conn)
        rebuild_all(conn, today=t1.date())
    finally:
        conn.close()
    timings["webhook_build_seconds"] = time.perf_counter() - build_began
    results = [
        compare(settings.warehouse_path, truth, span, cadence, webhooks=False),
        compare(with_hooks, truth, span, cadence, webhooks=True),
    ]
    timings["total_seconds"] = time.perf_counter() - began
    return results, truth, timings


def measure(
    creators: int,
    days: float,
    cadences: Sequence[int],
    work: Path,
    *,
    start: datetime = WINDOW_START,
    warmup: timedelta = WARMUP,
) -> dict[str, Any]:
    """Every cadence on its own twin and warehouses under ``work``; the report accuracy.json holds."""
    span = (start - warmup, start, start + timedelta(days=days))
    truth: dict[str, Any] | None = None
    results: list[dict[str, Any]] = []
    timings: dict[str, dict[str, float]] = {}
    for cadence in cadences:
        done, truth, spent = run_cadence(cadence, creators, span, work, truth)
        results.extend(done)
        timings[str(cadence)] = spent
        print(f"  cadence {cadence} min: {spent}", flush=True)
    return {
        "config": {
            "creators": creators,
            "days": days,
            "cadences": list(cadences),
            "window_start": start.isoformat(),
            "warmup_hours": warmup / timedelta(hours=1),
            "heavy_hours": HEAVY_HOURS,
        },
        "timings": timings,
        "results": results,
    }


def merged(reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One accuracy.json from several runs (e.g. 1 min on a shorter span): a later run's result
    for the same (cadence, webhooks) replaces an earlier one; each result names its run."""
    runs: list[dict[str, Any]] = []
    results: dict[tuple[int, bool], dict[str, Any]] = {}
    for report in reports:
        for run in report.get("runs") or [{**report["config"], "timings": report["timings"]}]:
            runs.append(run)
            for result in report["results"]:
                if result["cadence_minutes"] in run["cadences"]:
                    key = (result["cadence_minutes"], result["webhooks"])
                    results[key] = {**result, "run": len(runs) - 1}
    for index, run in enumerate(runs):  # each run lists the cadences it still contributes
        run["cadences"] = sorted({c for (c, _), r in results.items() if r["run"] == index})
    return {"runs": runs, "results": [results[key] for key in sorted(results)]}


def print_report(report: dict[str, Any]) -> None:
    for result in report["results"]:
        for row in result["rows"]:
            if row["scope"] in ("all", "ge20h", "confident") or row["scope"].startswith("sessions"):
                print(
                    f"{result['cadence_minutes']:>3} min webhooks={result['webhooks']!s:5} "
                    f"{row['scope']:<24} {row['metric']:<18} median {row['median']:.5f} "
                    f"p95 {row['p95']:.5f} n {row['n']}"
                )
        print(f"    peak bias {result['sampled_peak_bias']}  events exact {result['events_exact']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creators", type=int, default=2000)
    parser.add_argument("--days", type=float, default=3.0)
    parser.add_argument("--cadences", default="1,5,15", help="comma-separated minutes")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--merge", type=Path, nargs="+", help="measure nothing: merge these reports into --out"
    )
    args = parser.parse_args(argv)
    if args.merge:
        report = merged([json.loads(path.read_text(encoding="utf-8")) for path in args.merge])
    else:
        cadences = [int(c) for c in args.cadences.split(",")]
        began = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="velora-accuracy-") as tmp:
            one = measure(args.creators, args.days, cadences, Path(tmp))
        one["config"]["wall_seconds"] = round(time.perf_counter() - began, 1)
        report = merged([one])
    args.out.write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    print_report(report)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
