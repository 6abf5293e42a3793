"""Dashboard speed on a long history: every page's queries (p95) and a full page in Chromium.

``python bench/bench_dashboards.py [--creators N] [--days 90,365] [--loads K]``. For each history
length: bulk core history for N creators (bench/mart_history.py), every mart rebuilt, one
snapshot published. Then
- every page runs in AppTest K times with the query cache bypassed, and each query the page
  made is timed (the uncached cost: the first reader after a publish pays it);
- the page is loaded K times in headless Chromium (``streamlit run``) and timed from
  navigation to rendered (title, content, script run finished): the first load after a publish
  (queries uncached) and the later loads (cached).
Targets: query p95 < 300 ms; a full page < 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.mart_history import NOW, load_history  # noqa: E402
from dashboards import headless, queries  # noqa: E402
from dashboards.page_list import PAGES  # noqa: E402
from pipeline.marts.build import rebuild_all  # noqa: E402
from pipeline.warehouse import connect, publish_from  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def build(data_dir: Path, creators: int, days: int) -> float:
    started = time.perf_counter()
    conn = connect(data_dir / "warehouse.duckdb")
    try:
        load_history(conn, creators, days)
        rebuild_all(conn, today=NOW.date())
        publish_from(conn, data_dir / "published")
    finally:
        conn.close()
    return time.perf_counter() - started


def time_queries(data_dir: Path, loads: int) -> dict[str, list[float]]:
    """Per page: the time of every query it ran, over ``loads`` uncached runs."""
    from streamlit.testing.v1 import AppTest

    timings: dict[str, list[float]] = defaultdict(list)
    current: list[str] = [""]

    def timed(snapshot_path: str, published_at: float, sql_name: str, params: Any) -> Any:
        del published_at
        started = time.perf_counter()
        try:
            return queries._run(snapshot_path, sql_name, dict(params))
        finally:
            timings[f"{current[0]} · {sql_name}"].append(time.perf_counter() - started)

    os.environ["VELORA_DATA_DIR"] = str(data_dir)
    real = queries._cached
    queries._cached = timed  # type: ignore[assignment]  # the cache bypassed: every run pays
    try:
        for spec in PAGES:
            current[0] = spec.title
            for _ in range(loads):
                at = AppTest.from_file(str(headless.APP), default_timeout=120)
                at.switch_page(spec.file).run()  # this page only, from the first run
                if at.exception:
                    raise RuntimeError(f"{spec.title}: {at.exception[0].message}")
    finally:
        queries._cached = real  # type: ignore[assignment]
    return timings


def time_browser(
    data_dir: Path, loads: int, log: Path, screenshots: Path | None = None
) -> dict[str, tuple[float, float]]:
    """Per page: (first load after the publish, p95 of the later loads), in seconds; with
    ``screenshots``, each page's last load is saved there as ``<page>.png``."""
    from playwright.sync_api import sync_playwright

    executable = headless.chromium_path()
    if executable is None:
        raise SystemExit("chromium is not installed (apt-get install -y chromium)")
    result = {}
    with headless.serve(data_dir, log) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=headless.CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base_url)  # the frontend's bundle is in the browser cache from here on
        headless.wait_rendered(page, PAGES[0].title, timeout_ms=120_000)
        for spec in PAGES:
            seconds = []
            for _ in range(loads + 1):
                started = time.perf_counter()
                page.goto(f"{base_url}/{spec.url_path}")
                headless.wait_rendered(page, spec.title, timeout_ms=120_000)
                seconds.append(time.perf_counter() - started)
            result[spec.title] = (seconds[0], p95(seconds[1:]))
            if screenshots is not None:
                page.wait_for_timeout(500)  # let the charts finish their first draw
                page.screenshot(path=str(screenshots / f"{spec.url_path or 'overview'}.png"))
        browser.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--creators", type=int, default=2000)
    parser.add_argument("--days", default="90,365")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument(
        "--screenshots",
        type=Path,
        help="save each page of the first history here (docs/screenshots)",
    )
    args = parser.parse_args()
    for days in (int(d) for d in args.days.split(",")):
        with tempfile.TemporaryDirectory(prefix="velora-bench-dash-") as tmp:
            data_dir = Path(tmp)
            built = build(data_dir, args.creators, days)
            snapshot = queries.current_snapshot(data_dir / "published")
            print(f"\n## {days} days x {args.creators} creators: history + marts + publish "
                  f"{built:.0f} s, snapshot {snapshot.path.stat().st_size / 1e6:.0f} MB")  # fmt: skip
            timings = time_queries(data_dir, args.loads)
            worst = max(timings.items(), key=lambda item: p95(item[1]))
            print(
                f"queries: {len(timings)} distinct (page · query), {args.loads} uncached runs each"
            )
            for name, values in sorted(timings.items(), key=lambda item: -p95(item[1]))[:8]:
                print(f"  {name:55s} median {statistics.median(values) * 1000:6.0f} ms  "
                      f"p95 {p95(values) * 1000:6.0f} ms")  # fmt: skip
            print(f"worst query p95: {p95(worst[1]) * 1000:.0f} ms ({worst[0]}); target < 300 ms")
            shots = args.screenshots
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
            pages = time_browser(data_dir, args.loads, data_dir / "streamlit.log", shots)
            args.screenshots = None  # the first history only
            print("browser, navigation -> rendered: first load after publish / p95 of later loads")
            for title, (first, later) in pages.items():
                print(f"  {title:14s} {first:5.2f} s / {later:5.2f} s")
            slowest = max(later for _, later in pages.values())
            print(f"slowest page p95 (cached): {slowest:.2f} s; target < 1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
