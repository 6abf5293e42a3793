"""Benchmark: full sweeps at 2,000 and 100,000 creators against a twin in its own process.

Measures, per creator count and endpoint group (live / leaderboards / hourly):
1. requests issued per sweep vs the minimum the data requires (target <= 1.05x), retries, 429s;
2. share of the 800/min rate budget per cadence window, and the steady-state hour
   (12 live + 4 leaderboard + 1 hourly sweeps) in requests/minute;
3. wall time of each group's sweep at the client's default pacing (ceiling 800/min);
4. completeness of the 100,000-creator live directory against ``GET /_twin/truth/live``;
5. peak memory (``ru_maxrss``) of a child process that runs one sweep.

How the minimum is computed (per job, per poll; ``pages(n) = max(1, ceil(n / 100))``):
- ``live_streams``: pages(live streams in ``/_twin/truth/live`` at the poll's twin minute);
- ``top_streams`` / ``growing_streams``: pages(rows loaded for that source at the poll);
- ``featured_streams``: 1 (the endpoint is not paginated);
- each leaderboard job and ``chat_stats``: one request per tracked live channel, i.e.
  min(VELORA_TOP_N_TRACKED, distinct live channels in the truth) (no configured channels here);
- ``categories``: pages(category rows loaded at the poll);
- ``clips``: per tracked channel (``ops.tracked_channels`` at the poll), with ``since`` = its
  newest clip stored before the poll: no ``since`` -> pages(clips of the last 90 days); else
  pages(clips created at or after ``since`` + 1 if an older clip exists, the page that shows
  the walk can stop);
- ``teams``: pages(teams loaded) + sum over teams of pages(members loaded for that team);
- ``channel_profiles``: one per tracked channel; ``tracked_channels``: one per configured channel
  whose user id is unknown (0 here);
- plus one token request per sweep process (counted in the live group).
"Issued" is every request the client sent (``client.stats``: retries and the token included);
the twin's ``GET /_twin/stats`` total must agree.

Each sweep runs in its own child process (``ru_maxrss`` is the sweep's own); the frozen twin
clock is advanced before each sweep so every sweep is a new poll. Consecutive sweeps of one
warehouse are 1 twin-hour apart (every group due); the first sweep of a warehouse is "cold"
(clips are backfilled for 90 days) and reported separately. A child whose predecessor used the
current twin rate window waits for the next window (real sweeps are >= 5 minutes apart).

Run: ``.venv/bin/python bench/bench_sweep_scale.py [--quick]`` (``--quick`` skips the hourly
group at 100,000 creators). Writes ``bench/results/sweep_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.twin_process import running_twin  # noqa: E402

RATE_PER_MINUTE = 800
PAGE_SIZE = 100
CADENCE_MINUTES = {"live": 5, "leaderboards": 15, "hourly": 60}
SWEEPS_PER_HOUR = {group: 60 // minutes for group, minutes in CADENCE_MINUTES.items()}
TWIN_START = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)  # hour-aligned: every group is due
TWIN_WINDOW_SECONDS = 60
RESULTS_PATH = Path(__file__).resolve().parent / "results" / "sweep_scale.json"
CHILD_FLAG = "--child"


def pages(items: int) -> int:
    return max(1, math.ceil(items / PAGE_SIZE))


# ============================================================== child: one sweep, own process


def _child(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text())
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    from pipeline.client import ClientConfig, VeloraClient
    from pipeline.config import Settings
    from pipeline.ingest import ENDPOINT_JOBS, IngestError, IngestResult, run_endpoints
    from pipeline.warehouse import connect

    warehouse = Path(spec["warehouse"])
    poll_at = datetime.fromisoformat(spec["poll_at"])
    settings = Settings(
        api_base_url=spec["base_url"],
        client_id="twin-client",
        client_secret="twin-secret",
        data_dir=warehouse.parent,
        warehouse_path=warehouse,
    )
    conn = connect(warehouse)
    baseline_mb = _maxrss_mb()
    busy_window = spec.get("previous_end_window")
    waited = 0.0
    # The previous sweep's requests count in the twin's current fixed window: start in the next
    # one, as a scheduled sweep (>= 5 minutes after the previous) would.
    while busy_window is not None and int(time.time() // TWIN_WINDOW_SECONDS) <= busy_window:
        pause = (busy_window + 1) * TWIN_WINDOW_SECONDS - time.time() + 0.05
        waited += max(pause, 0.0)
        time.sleep(max(pause, 0.01))
    groups: dict[str, Any] = {}
    began = time.perf_counter()
    with VeloraClient(ClientConfig.from_settings(settings)) as client:
        for group in spec["groups"]:
            names = [n for n, job in ENDPOINT_JOBS.items() if job.group == group]
            before = client.stats.snapshot()
            started = time.perf_counter()
            error = None
            try:
                results: list[IngestResult] = run_endpoints(
                    names,
                    client=client,
                    warehouse_path=warehouse,
                    poll_at=poll_at,
                    settings=settings,
                    conn=conn,
                )
            except IngestError as exc:
                results, error = list(exc.results), str(exc)
            seconds = time.perf_counter() - started
            after = client.stats.snapshot()
            groups[group] = {
                "seconds": round(seconds, 3),
                "client": _stats_delta(before, after),
                "jobs": {
                    r.endpoint: {
                        "requests": r.requests,
                        "loaded": r.loaded,
                        "quarantined": r.quarantined,
                        "failures": len(r.failures),
                    }
                    for r in results
                },
                "error": error,
                "maxrss_mb_after": round(_maxrss_mb(), 1),
            }
        client_total = client.stats.snapshot()
    sweep_seconds = time.perf_counter() - began
    peak_mb = _maxrss_mb()
    # Everything below is analysis: it does not count toward the sweep's time or peak memory.
    truth = httpx.get(f"{spec['base_url']}/_twin/truth/live", timeout=120).json()
    minimums = _minimums(conn, poll_at, spec["groups"], truth, settings)
    for group, data in groups.items():
        jobs = minimums[group]
        for name, minimum in jobs.items():
            data["jobs"].setdefault(name, {"requests": 0})["minimum"] = minimum
        data["minimum"] = sum(j["requests"] for j in jobs.values()) + int(group == "live")
        data["window_peaks"] = _window_peaks(conn, poll_at, list(jobs))
    result = {
        "poll_at": poll_at.isoformat(),
        "groups": groups,
        "sweep_seconds": round(sweep_seconds, 3),
        "window_wait_seconds": round(waited, 2),
        "baseline_mb": round(baseline_mb, 1),
        "peak_mb": round(peak_mb, 1),
        "client_total": client_total,
        "window_peaks": _window_peaks(conn, poll_at, None),
        "live_completeness": _completeness(conn, poll_at, truth) if "live" in groups else None,
        "end_wall": time.time(),
    }
    conn.close()
    Path(spec["out"]).write_text(json.dumps(result, default=str))


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _stats_delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "requests",
        "retries",
        "rate_limited",
        "reauths",
        "token_fetches",
        "transport_errors",
        "throttled_sleep_seconds",
        "backoff_sleep_seconds",
        "duplicates_removed",
        "pages",
    )
    delta = {k: round(after[k] - before[k], 3) for k in keys}
    by_endpoint = Counter(after["requests_by_endpoint"])
    by_endpoint.subtract(before["requests_by_endpoint"])
    delta["requests_by_endpoint"] = {k: v for k, v in by_endpoint.items() if v}
    return delta


def _minimums(
    conn: Any, poll_at: datetime, groups: list[str], truth: dict[str, Any], settings: Any
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per group and job: ``{"requests": minimum, "items": n, "how": formula}``."""

    def one(sql: str, **params: Any) -> int:
        row = conn.execute(sql, {"p": poll_at, **params}).fetchone()
        return int(row[0]) if row else 0

    def source_rows(source: str) -> int:
        return one(
            "SELECT count(*) FROM core.stream_snapshots WHERE snapshot_at = $p AND source = $s",
            s=source,
        )

    out: dict[str, dict[str, dict[str, Any]]] = {}
    live_channels = len({s["userId"] for s in truth["streams"]})
    tracked_live = min(settings.top_n_tracked, live_channels)
    if "live" in groups:
        top, growing = source_rows("top"), source_rows("growing")
        out["live"] = {
            "live_streams": {
                "requests": pages(truth["count"]),
                "items": truth["count"],
                "how": "pages(truth live streams)",
            },
            "top_streams": {"requests": pages(top), "items": top, "how": "pages(top rows)"},
            "growing_streams": {
                "requests": pages(growing),
                "items": growing,
                "how": "pages(growing rows)",
            },
            "featured_streams": {"requests": 1, "items": None, "how": "1 (not paginated)"},
        }
    if "leaderboards" in groups:
        how = f"1 per tracked live channel = min(top_n {settings.top_n_tracked}, {live_channels} live)"
        out["leaderboards"] = {
            name: {"requests": tracked_live, "items": tracked_live, "how": how}
            for name in (
                "volts_leaderboard",
                "gift_leaderboard",
                "points_leaderboard",
                "chat_stats",
            )
        }
    if "hourly" in groups:
        categories = one("SELECT count(*) FROM core.category_snapshots WHERE snapshot_at = $p")
        tracked = one("SELECT count(*) FROM ops.tracked_channels WHERE snapshot_at = $p")
        teams = conn.execute(
            "SELECT t.team, count(m.user_id) FROM core.teams t LEFT JOIN core.team_members m"
            " ON m.team = t.team AND m.snapshot_at = t.snapshot_at"
            " WHERE t.snapshot_at = $p GROUP BY t.team",
            {"p": poll_at},
        ).fetchall()
        clip_pages, clip_items = _clip_minimum(conn, poll_at)
        out["hourly"] = {
            "categories": {
                "requests": pages(categories),
                "items": categories,
                "how": "pages(category rows)",
            },
            "clips": {
                "requests": clip_pages,
                "items": clip_items,
                "how": "per tracked channel: pages(clips >= since (+1 older) | 90-day clips)",
            },
            "teams": {
                "requests": pages(len(teams)) + sum(pages(int(n)) for _, n in teams),
                "items": len(teams) + sum(int(n) for _, n in teams),
                "how": "pages(teams) + sum pages(members per team)",
            },
            "channel_profiles": {
                "requests": tracked,
                "items": tracked,
                "how": "1 per tracked channel",
            },
            "tracked_channels": {
                "requests": len(settings.tracked_channels),
                "items": 0,
                "how": "1 per configured channel with unknown id (none configured)",
            },
        }
    return out


def _clip_minimum(conn: Any, poll_at: datetime) -> tuple[int, int]:
    """Pages and clips the clips job needs for the tracked channels of this poll (see module doc)."""
    rows = conn.execute(
        """
        WITH tracked AS (
            SELECT DISTINCT lower(username) AS username
            FROM ops.tracked_channels WHERE snapshot_at = $p
        ),
        since AS (
            SELECT lower(creator_username) AS username, max(created_at) AS since
            FROM core.clips WHERE first_seen_at < $p GROUP BY 1
        ),
        clips AS (
            SELECT lower(creator_username) AS username, created_at
            FROM core.clips WHERE created_at >= $p - INTERVAL 90 DAY
        )
        SELECT t.username, s.since,
               count(c.created_at) FILTER (WHERE s.since IS NULL OR c.created_at >= s.since),
               count(c.created_at) FILTER (WHERE s.since IS NOT NULL AND c.created_at < s.since)
        FROM tracked t
        LEFT JOIN since s USING (username)
        LEFT JOIN clips c USING (username)
        GROUP BY t.username, s.since
        """,
        {"p": poll_at},
    ).fetchall()
    total_pages = total_items = 0
    for _, since, needed, older in rows:
        items = int(needed) + (1 if since is not None and older else 0)
        total_pages += pages(items)
        total_items += int(needed)
    return total_pages, total_items


def _window_peaks(conn: Any, poll_at: datetime, jobs: list[str] | None) -> dict[str, Any]:
    """Most responses received in any sliding 60 s, and in any of the twin's fixed windows."""
    sql = "SELECT epoch(fetched_at) FROM raw.api_responses WHERE poll_at = $p"
    params: dict[str, Any] = {"p": poll_at}
    if jobs is not None:
        sql += " AND list_contains($jobs, endpoint)"
        params["jobs"] = jobs
    times = sorted(float(r[0]) for r in conn.execute(sql, params).fetchall())
    sliding = start = 0
    for end, t in enumerate(times):
        while t - times[start] >= 60:
            start += 1
        sliding = max(sliding, end - start + 1)
    fixed = Counter(int(t // TWIN_WINDOW_SECONDS) for t in times)
    span = times[-1] - times[0] if times else 0.0
    return {
        "responses": len(times),
        "max_in_sliding_60s": sliding,
        "max_in_twin_window": max(fixed.values(), default=0),
        "span_seconds": round(span, 2),
    }


def _completeness(conn: Any, poll_at: datetime, truth: dict[str, Any]) -> dict[str, Any]:
    loaded = conn.execute(
        "SELECT stream_id, viewer_count FROM core.stream_snapshots"
        " WHERE source = 'live' AND snapshot_at = $p",
        {"p": poll_at},
    ).fetchall()
    loaded_ids = Counter(str(r[0]) for r in loaded)
    truth_viewers = {s["id"]: s["viewerCount"] for s in truth["streams"]}
    loaded_viewers = {str(r[0]): r[1] for r in loaded}
    return {
        "truth_at": truth["at"],
        "truth_streams": len(truth_viewers),
        "loaded_rows": len(loaded),
        "missing": len(truth_viewers.keys() - loaded_ids.keys()),
        "extra": len(loaded_ids.keys() - truth_viewers.keys()),
        "duplicates": sum(n - 1 for n in loaded_ids.values()),
        "viewer_count_mismatches": sum(
            1 for k, v in loaded_viewers.items() if k in truth_viewers and truth_viewers[k] != v
        ),
    }


# ============================================================== parent: twin, sweeps, report


def _sweep(
    base_url: str,
    warehouse: Path,
    poll_at: datetime,
    groups: list[str],
    *,
    kind: str,
    previous_end: float | None,
    timeout: float,
) -> dict[str, Any]:
    admin = httpx.Client(base_url=base_url, timeout=120)
    with admin:
        admin.post("/_twin/clock/advance", json={"to": poll_at.isoformat()}).raise_for_status()
        admin.delete("/_twin/stats").raise_for_status()
        out = warehouse.parent / f"sweep-{poll_at:%Y%m%dT%H%M}.json"
        spec = warehouse.parent / f"spec-{poll_at:%Y%m%dT%H%M}.json"
        spec.write_text(
            json.dumps(
                {
                    "warehouse": str(warehouse),
                    "base_url": base_url,
                    "poll_at": poll_at.isoformat(),
                    "groups": groups,
                    "out": str(out),
                    "previous_end_window": None
                    if previous_end is None
                    else int(previous_end // TWIN_WINDOW_SECONDS),
                }
            )
        )
        print(f"  sweep {kind:>6} {','.join(groups)} at {poll_at:%H:%M} ...", end="", flush=True)
        began = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, __file__, CHILD_FLAG, str(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(
                f"sweep child failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
            )
        result = json.loads(out.read_text())
        twin_stats = admin.get("/_twin/stats").json()
    result["kind"] = kind
    result["child_seconds"] = round(time.perf_counter() - began, 2)
    result["twin_stats"] = {
        k: twin_stats[k] for k in ("total", "by_status", "served_429", "rate_limited_429")
    }
    result["warnings"] = [ln for ln in proc.stderr.splitlines() if "WARNING" in ln][:20]
    total = result["client_total"]["requests"]
    print(
        f" {result['sweep_seconds']:.1f} s, {total} requests (twin saw {twin_stats['total']}),"
        f" peak {result['peak_mb']:.0f} MB"
        + (
            f", waited {result['window_wait_seconds']:.0f} s for a fresh window"
            if previous_end
            else ""
        ),
        flush=True,
    )
    return result


def _bench_size(creators: int, quick: bool, root: Path) -> dict[str, Any]:
    """Sweeps for one world size; each (kind, groups, offset) runs as its own child process."""
    every = ["live", "leaderboards", "hourly"]
    if creators <= 10_000:
        plan = [("cold", every, timedelta(0))] + [
            ("steady", every, timedelta(hours=h)) for h in (1, 2, 3)
        ]
        timeout = 900.0
    else:
        first = every if not quick else ["live", "leaderboards"]
        plan = [
            ("cold", first, timedelta(0)),
            ("live", ["live"], timedelta(minutes=5)),
            ("live", ["live"], timedelta(minutes=10)),
        ]
        if not quick:
            plan.append(("steady", every, timedelta(hours=1)))
        timeout = 1800.0
    directory = root / f"creators-{creators}"
    directory.mkdir()
    warehouse = directory / "warehouse.duckdb"
    print(f"{creators:,} creators: starting the twin ...", flush=True)
    started = time.perf_counter()
    sweeps: list[dict[str, Any]] = []
    with running_twin(
        start=TWIN_START,
        rate_limit=RATE_PER_MINUTE,
        creators=creators,
        log_path=directory / "twin.log",
    ) as base_url:
        print(f"  twin ready in {time.perf_counter() - started:.1f} s at {base_url}", flush=True)
        previous_end: float | None = None
        for kind, groups, offset in plan:
            result = _sweep(
                base_url,
                warehouse,
                TWIN_START + offset,
                groups,
                kind=kind,
                previous_end=previous_end,
                timeout=timeout,
            )
            sweeps.append(result)
            previous_end = result["end_wall"]
    return {"creators": creators, "sweeps": sweeps}


# -------------------------------------------------------------- summary


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _summarise(size: dict[str, Any]) -> dict[str, Any]:
    sweeps = size["sweeps"]
    groups: dict[str, Any] = {}
    for group in CADENCE_MINUTES:
        ran = [s for s in sweeps if group in s["groups"]]
        if not ran:
            continue
        # Steady state excludes the cold sweep's hourly group (it backfills 90 days of clips).
        steady = [s for s in ran if not (group == "hourly" and s["kind"] == "cold")] or ran
        data = [s["groups"][group] for s in steady]
        issued = [d["client"]["requests"] for d in data]
        minimum = [d["minimum"] for d in data]
        budget = RATE_PER_MINUTE * CADENCE_MINUTES[group]
        groups[group] = {
            "sweeps": len(data),
            "sweeps_used": [s["kind"] + "@" + s["poll_at"] for s in steady],
            "requests_issued_median": _median(issued),
            "requests_minimum_median": _median(minimum),
            "ratio_max": max(i / m for i, m in zip(issued, minimum, strict=True)),
            "retries": sum(d["client"]["retries"] for d in data),
            "rate_limited_429": sum(d["client"]["rate_limited"] for d in data),
            "budget_share_of_cadence_window": _median(issued) / budget,
            "seconds_median": _median([d["seconds"] for d in data]),
            "seconds_min": min(d["seconds"] for d in data),
            "seconds_max": max(d["seconds"] for d in data),
            "max_in_sliding_60s": max(d["window_peaks"]["max_in_sliding_60s"] for d in data),
            "per_job_minimum": {name: job.get("minimum") for name, job in data[-1]["jobs"].items()},
            "per_job_issued": {name: job["requests"] for name, job in data[-1]["jobs"].items()},
        }
    cold_hourly = [
        s["groups"]["hourly"] for s in sweeps if s["kind"] == "cold" and "hourly" in s["groups"]
    ]
    if cold_hourly:
        d = cold_hourly[0]
        groups["hourly_cold"] = {
            "requests_issued": d["client"]["requests"],
            "requests_minimum": d["minimum"],
            "seconds": d["seconds"],
        }
    hour = None
    if all(g in groups for g in CADENCE_MINUTES):
        per_hour = sum(
            SWEEPS_PER_HOUR[g] * groups[g]["requests_issued_median"] for g in CADENCE_MINUTES
        )
        top_of_hour = sum(groups[g]["requests_issued_median"] for g in CADENCE_MINUTES)
        hour = {
            "requests_per_hour": per_hour,
            "requests_per_minute": per_hour / 60,
            "share_of_800_per_min": per_hour / 60 / RATE_PER_MINUTE,
            "top_of_hour_tick_requests": top_of_hour,
            "top_of_hour_share_of_5min_budget": top_of_hour / (RATE_PER_MINUTE * 5),
        }
    full = [s for s in sweeps if len(s["groups"]) == len(CADENCE_MINUTES)]
    return {
        "creators": size["creators"],
        "groups": groups,
        "steady_hour": hour,
        "full_sweep_peak_mb": [s["peak_mb"] for s in full],
        "any_sweep_peak_mb": max(s["peak_mb"] for s in sweeps),
        "baseline_mb": _median([s["baseline_mb"] for s in sweeps]),
        "full_sweep_seconds": [s["sweep_seconds"] for s in full],
        "client_vs_twin_total": [
            (s["client_total"]["requests"], s["twin_stats"]["total"]) for s in sweeps
        ],
        "twin_served_429": sum(s["twin_stats"]["served_429"] for s in sweeps),
        "live_completeness": [s["live_completeness"] for s in sweeps if s["live_completeness"]],
        "ingest_errors": [
            f"{s['poll_at']} {g}: {d['error']}"
            for s in sweeps
            for g, d in s["groups"].items()
            if d["error"]
        ],
    }


def _table(summaries: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    lines = [
        "### Requests, budget and wall time per group sweep (default pacing, ceiling 800/min)",
        "",
        "| creators | group | sweeps | issued (median) | minimum | worst ratio | retries | 429 "
        "| % of 800/min x cadence | wall s median [min-max] | max req in 60 s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        for group, g in s["groups"].items():
            if group == "hourly_cold":
                lines.append(
                    f"| {s['creators']:,} | hourly (cold: 90-day clip backfill) | 1 "
                    f"| {g['requests_issued']} | {g['requests_minimum']} "
                    f"| {g['requests_issued'] / g['requests_minimum']:.3f} | | | "
                    f"| {g['seconds']:.1f} | |"
                )
                continue
            lines.append(
                f"| {s['creators']:,} | {group} (/{CADENCE_MINUTES[group]} min) | {g['sweeps']} "
                f"| {g['requests_issued_median']:g} | {g['requests_minimum_median']:g} "
                f"| {g['ratio_max']:.3f} | {g['retries']} | {g['rate_limited_429']} "
                f"| {100 * g['budget_share_of_cadence_window']:.2f}% "
                f"| {g['seconds_median']:.1f} [{g['seconds_min']:.1f}-{g['seconds_max']:.1f}] "
                f"| {g['max_in_sliding_60s']} |"
            )
    lines += [
        "",
        "### Steady-state hour (12 live + 4 leaderboard + 1 hourly sweeps) and memory",
        "",
        "| creators | requests/hour | requests/min | % of 800/min | top-of-hour tick (all groups) "
        "| full-sweep peak RSS MB | full sweep s | client = twin count | twin 429s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        h = s["steady_hour"]
        hour = (
            f"{h['requests_per_hour']:g} | {h['requests_per_minute']:.1f} "
            f"| {100 * h['share_of_800_per_min']:.2f}% | {h['top_of_hour_tick_requests']:g} req "
            f"= {100 * h['top_of_hour_share_of_5min_budget']:.1f}% of a 5-min budget"
            if h
            else "n/a | n/a | n/a | n/a"
        )
        peaks = ", ".join(f"{p:.0f}" for p in s["full_sweep_peak_mb"]) or "n/a"
        secs = ", ".join(f"{p:.0f}" for p in s["full_sweep_seconds"]) or "n/a"
        agree = all(c == t for c, t in s["client_vs_twin_total"])
        lines.append(
            f"| {s['creators']:,} | {hour} | {peaks} (max any sweep {s['any_sweep_peak_mb']:.0f}) "
            f"| {secs} | {'yes' if agree else s['client_vs_twin_total']} | {s['twin_served_429']} |"
        )
    lines += [
        "",
        "### Live directory completeness (loaded live snapshot vs /_twin/truth/live)",
        "",
        "| creators | poll (truth minute) | truth streams | loaded rows | missing | extra "
        "| duplicates | viewer mismatches |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        for c in s["live_completeness"]:
            lines.append(
                f"| {s['creators']:,} | {c['truth_at']} | {c['truth_streams']} | {c['loaded_rows']} "
                f"| {c['missing']} | {c['extra']} | {c['duplicates']} "
                f"| {c['viewer_count_mismatches']} |"
            )
    lines += [
        "",
        f"Machine: {machine['cores']} cores, Python {machine['python']}, {machine['platform']}, "
        f"load average at start {machine['loadavg_start']}, at end {machine['loadavg_end']}.",
        "Minimum = sum of per-job minima (see the module docstring) + 1 token request per sweep "
        "process (live group); issued = every request the client sent, retries and token included.",
    ]
    return "\n".join(lines)


def _on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwind through the finally blocks: twin stopped, temp removed


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == CHILD_FLAG:
        _child(Path(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description="Full sweeps at 2,000 and 100,000 creators.")
    parser.add_argument(
        "--quick", action="store_true", help="skip the hourly group at 100,000 creators"
    )
    parser.add_argument(
        "--sizes", default="2000,100000", help="comma-separated creator counts (default both)"
    )
    args = parser.parse_args()
    try:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        parser.error(f"--sizes must be comma-separated whole numbers, got {args.sizes!r}")
    signal.signal(signal.SIGTERM, _on_sigterm)
    machine: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }
    began = time.perf_counter()
    raw: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="velora-bench-sweep-scale-") as tmp:
        for creators in sizes:
            raw.append(_bench_size(creators, args.quick, Path(tmp)))
    machine["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    summaries = [_summarise(size) for size in raw]
    table = _table(summaries, machine)
    print()
    print(table)
    for s in summaries:
        for error in s["ingest_errors"]:
            print(f"INGEST ERROR at {s['creators']:,} creators: {error}")
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(
        json.dumps(
            {
                "machine": machine,
                "quick": args.quick,
                "total_seconds": round(time.perf_counter() - began, 1),
                "summary": summaries,
                "sweeps": raw,
                "table_markdown": table,
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"\nwrote {RESULTS_PATH} ({time.perf_counter() - began:.0f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
