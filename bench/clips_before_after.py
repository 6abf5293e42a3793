"""Clip pages before/after, side by side in one process (not part of ``make bench``).

The old route listed a channel's whole 90-day window and sliced it for every page; the new one
builds only the page's sessions. Both worlds answer the 20 biggest authorized channels at
2026-12-01: first pages, then every page of each channel (a client's first poll)::

    mkdir -p /tmp/velora-before && git archive 4b0890a | tar -x -C /tmp/velora-before
    .venv/bin/python bench/clips_before_after.py /tmp/velora-before
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

T = datetime(2026, 12, 1, tzinfo=UTC)
Page = Callable[[str, int, int], tuple[list[Any], bool]]


def world_from(source: str) -> Any:
    """A 2,000-creator world built by the ``pipeline`` package found under ``source``."""
    for name in [m for m in sys.modules if m == "pipeline" or m.startswith("pipeline.")]:
        del sys.modules[name]
    sys.path.insert(0, source)
    try:
        from pipeline.twin.world import World, WorldConfig  # noqa: PLC0415

        return World(WorldConfig(seed=42, creators=2000))
    finally:
        sys.path.remove(source)


def run(label: str, channels: list[str], page: Page) -> tuple[float, float]:
    began = time.perf_counter()
    for c in channels:
        page(c, 0, 100)
    first = time.perf_counter() - began
    began, pages = time.perf_counter(), 0
    for c in channels:
        offset, more = 0, True
        while more:
            _, more = page(c, offset, 100)
            offset, pages = offset + 100, pages + 1
    walk = time.perf_counter() - began
    print(f"{label:28s} first pages {first * 1000:7.0f} ms   every page ({pages}) {walk:6.2f} s")
    return first, walk


def main() -> int:
    old = world_from(sys.argv[1])
    new = world_from(str(Path(__file__).resolve().parents[1]))
    channels = list(new.authorized_creator_ids[:20])
    for w in (old, new):  # both read the same session tables: build them first
        for c in channels:
            w._creator_sessions(w.creator_index(c), 240, 336)

    def old_page(c: str, offset: int, limit: int) -> tuple[list[Any], bool]:
        items = sorted(old.clips(c, T), key=lambda x: (x.created_at, x.id), reverse=True)
        return items[offset : offset + limit], offset + limit < len(items)

    a = run("before (list, then slice)", channels, old_page)
    b = run("after (clips_page)", channels, lambda c, o, n: new.clips_page(c, T, o, n))
    print(f"after / before: first pages {b[0] / a[0]:.3f}, every page {b[1] / a[1]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
