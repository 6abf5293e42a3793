"""Benchmark the Velora client against a local twin: requests issued vs the minimum the data
requires, retries, 429s and wall time, with and without injected faults.

    .venv/bin/python bench/bench_client.py [--creators 2000] [--walks 5] [--out bench/results/client.json]

The minimum for a live walk is ceil(live streams / 100) pages; a per-channel fan-out needs one
request per channel and endpoint; one token fetch per client.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.client import ClientConfig, VeloraClient
from pipeline.twin.launcher import running_twin

FAULTS = {
    "error_rate": 0.1,
    "timeout_rate": 0.03,
    "malformed_rate": 0.05,
    "timeout_delay": 1.0,
    "seed": 11,
}


def _client(base_url: str, **overrides: Any) -> VeloraClient:
    return VeloraClient(
        ClientConfig(
            base_url=base_url, client_id="twin-client", client_secret="twin-secret", **overrides
        )
    )


def bench_live_walks(twin: Any, walks: int, faults: bool) -> dict[str, Any]:
    twin.clear_faults()
    expected = [s["id"] for s in twin.truth_live()["streams"]]
    if faults:
        twin.set_faults(**FAULTS)
    twin.reset_stats()
    overrides = {"timeout": 0.5, "backoff_base": 0.05, "backoff_cap": 0.5} if faults else {}
    started = time.perf_counter()
    correct = 0
    with _client(twin.base_url, **overrides) as client:
        for _ in range(walks):
            result = client.live_streams()
            correct += [s.stream_id for s in result.items] == expected
        stats = client.stats.snapshot()
    elapsed = time.perf_counter() - started
    twin.clear_faults()
    minimum = walks * math.ceil(len(expected) / 100) + 1  # + one token fetch
    return {
        "scenario": f"live walk x{walks}" + (" with faults" if faults else ""),
        "live_streams": len(expected),
        "walks_equal_truth": f"{correct}/{walks}",
        "requests_issued": stats["requests"],
        "requests_minimum": minimum,
        "overhead_ratio": round(stats["requests"] / minimum, 3),
        "retries": stats["retries"],
        "rate_limited_429": stats["rate_limited"],
        "twin_served_429": twin.stats()["served_429"],
        "seconds": round(elapsed, 2),
        "throttled_sleep_seconds": stats["throttled_sleep_seconds"],
    }


def bench_poll(twin: Any, channels: int) -> dict[str, Any]:
    twin.clear_faults()
    twin.reset_stats()
    started = time.perf_counter()
    with _client(twin.base_url) as client:
        live = client.live_streams()
        ids = [s.user_id for s in live.items[:channels] if s.user_id]
        errors = 0
        for call in (
            client.chat_stats,
            client.volts_leaderboard,
            client.gift_leaderboard,
            client.points_leaderboard,
        ):
            errors += len(client.fan_out(call, ids).errors)
        stats = client.stats.snapshot()
    elapsed = time.perf_counter() - started
    minimum = math.ceil(len(live.items) / 100) + 4 * len(ids) + 1
    return {
        "scenario": f"live walk + 4 per-channel endpoints x {len(ids)} channels",
        "requests_issued": stats["requests"],
        "requests_minimum": minimum,
        "per_key_errors": errors,
        "rate_limited_429": stats["rate_limited"],
        "twin_served_429": twin.stats()["served_429"],
        "seconds": round(elapsed, 2),
        "requests_per_second": round(stats["requests"] / elapsed, 1),
        "throttled_sleep_seconds": stats["throttled_sleep_seconds"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the Velora client against a local twin."
    )
    parser.add_argument("--creators", type=int, default=2000)
    parser.add_argument("--walks", type=int, default=5)
    parser.add_argument("--channels", type=int, default=25)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    with running_twin(clock="frozen", creators=args.creators) as twin:
        results = [
            bench_live_walks(twin, args.walks, faults=False),
            bench_live_walks(twin, args.walks, faults=True),
            bench_poll(twin, args.channels),
        ]
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
