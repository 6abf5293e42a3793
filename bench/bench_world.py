"""Speed of the twin world (medians). Run: .venv/bin/python bench/bench_world.py [--quick]

Targets: live_streams(t) at successive 5-minute steps, 2,000 creators well under 5 ms amortised
and 100,000 creators under 300 ms; events_between(t, t + 5 min) for 2,000 creators under 10 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.twin.world import World, WorldConfig  # noqa: E402

START = datetime(2026, 2, 2, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)


def timed(label: str, calls: int, fn: Callable[[int], object]) -> float:
    samples = []
    for i in range(calls):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(samples)
    mean = statistics.fmean(samples)
    print(f"{label:58s} median {median:8.2f} ms  mean {mean:8.2f} ms  max {max(samples):8.1f} ms")
    return median


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer steps")
    args = parser.parse_args()
    steps = 96 if args.quick else 288  # 8 h or one day of 5-minute ticks

    t0 = time.perf_counter()
    small = World(WorldConfig(seed=42, creators=2000))
    print(f"World(2,000 creators) built in {(time.perf_counter() - t0) * 1000:.0f} ms")
    timed(
        "live_streams(t), 2k creators, 5-min steps",
        steps,
        lambda i: small.live_streams(START + i * STEP),
    )
    timed(
        "events_between(t, t+5min), 2k creators",
        steps,
        lambda i: small.events_between(START + i * STEP, START + (i + 1) * STEP),
    )
    auth = small.authorized_creator_ids
    timed(
        "events_between(t, t+5min), 100 authorized creators",
        steps,
        lambda i: small.events_between(START + i * STEP, START + (i + 1) * STEP, auth),
    )
    timed(
        "event_totals(epoch, t), 2k creators",
        20,
        lambda i: small.event_totals(small.epoch, START + i * STEP),
    )
    top = auth[0]
    timed(
        "follower_count(top creator, t)",
        steps,
        lambda i: small.follower_count(top, START + i * STEP),
    )
    timed("viewers_at(top creator, t)", steps, lambda i: small.viewers_at(top, START + i * STEP))
    timed(
        "volts_leaderboard(top, t, 'all'), 15-min steps",
        20,
        lambda i: small.volts_leaderboard(top, START + i * 3 * STEP),
    )
    timed("chat_stats(top, t)", 50, lambda i: small.chat_stats(top, START + i * STEP))

    t0 = time.perf_counter()
    big = World(WorldConfig(seed=42, creators=100_000))
    print(f"World(100,000 creators) built in {(time.perf_counter() - t0) * 1000:.0f} ms")
    big_steps = 24 if args.quick else 72
    timed(
        "live_streams(t), 100k creators, 5-min steps",
        big_steps,
        lambda i: big.live_streams(START + timedelta(hours=20) + i * STEP),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
