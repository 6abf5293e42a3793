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

For iterating: ``--data-dir`` keeps the built history (built once, reused while it holds a
published snapshot), ``--pages`` and ``--no-queries`` narrow the run, and ``--baseline REF`` also
serves the app of an older commit on the same snapshot, its loads interleaved with this one's so
both see the same machine load (this is a shared 2-core machine: the load average is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.mart_history import NOW, load_history  # noqa: E402
from dashboards import headless, queries  # noqa: E402
from dashboards.page_list import PAGES, PageSpec  # noqa: E402
from pipeline.marts.build import rebuild_all  # noqa: E402
from pipeline.warehouse import connect, publish_from  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def load_average() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


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


def time_queries(data_dir: Path, loads: int, pages: tuple[PageSpec, ...]) -> dict[str, list[float]]:
    """Per page: the time of every query it ran, over ``loads`` uncached runs."""
    from streamlit.testing.v1 import AppTest

    timings: dict[str, list[float]] = defaultdict(list)
    current: list[str] = [""]

    def timed(
        snapshot_key: str, published_at: float, sql_name: str, params: Any, _source: Any
    ) -> Any:
        del snapshot_key, published_at
        started = time.perf_counter()
        try:
            return queries._run(_source, sql_name, dict(params))
        finally:
            timings[f"{current[0]} · {sql_name}"].append(time.perf_counter() - started)

    os.environ["VELORA_DATA_DIR"] = str(data_dir)
    real = queries._cached
    queries._cached = timed  # type: ignore[assignment]  # the cache bypassed: every run pays
    try:
        for spec in pages:
            current[0] = spec.title
            for _ in range(loads):
                at = AppTest.from_file(str(headless.APP), default_timeout=120)
                at.switch_page(spec.file).run()  # this page only, from the first run
                if at.exception:
                    raise RuntimeError(f"{spec.title}: {at.exception[0].message}")
    finally:
        queries._cached = real  # type: ignore[assignment]
    return timings


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """The app of commit ``ref`` (its dashboards, pipeline and .streamlit) in a temporary dir."""
    archive = subprocess.run(
        ["git", "archive", ref, "dashboards", "pipeline", ".streamlit"],
        cwd=headless.REPO,
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryDirectory(prefix="velora-bench-baseline-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def time_browser(
    data_dir: Path,
    loads: int,
    log: Path,
    pages: tuple[PageSpec, ...],
    screenshots: Path | None = None,
    baseline: Path | None = None,
) -> dict[str, dict[str, tuple[float, float]]]:
    """Per app ("this", and "baseline" with ``baseline``), per page: (first load after the
    publish, p95 of the later loads), in seconds. The apps' loads of a page alternate. With
    ``screenshots``, this app's last load of each page is saved there as ``<page>.png``."""
    from playwright.sync_api import sync_playwright

    executable = headless.chromium_path()
    if executable is None:
        raise SystemExit("chromium is not installed (apt-get install -y chromium)")
    roots = {"this": headless.REPO, **({"baseline": baseline} if baseline else {})}
    result: dict[str, dict[str, tuple[float, float]]] = {name: {} for name in roots}
    with contextlib.ExitStack() as stack:
        urls = {
            name: stack.enter_context(headless.serve(data_dir, log.with_suffix(f".{name}"), root))
            for name, root in roots.items()
        }
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=executable, args=headless.CHROMIUM_ARGS, headless=True
        )
        tabs = {name: browser.new_page(viewport={"width": 1400, "height": 1000}) for name in urls}
        for name, page in tabs.items():
            page.goto(urls[name])  # the frontend's bundle is in the browser cache from here on
            headless.wait_rendered(page, PAGES[0].title, timeout_ms=120_000)
        for spec in pages:
            seconds: dict[str, list[float]] = {name: [] for name in urls}
            for _ in range(loads + 1):
                for name, page in tabs.items():
                    started = time.perf_counter()
                    page.goto(f"{urls[name]}/{spec.url_path}")
                    headless.wait_rendered(page, spec.title, timeout_ms=120_000)
                    seconds[name].append(time.perf_counter() - started)
            for name, values in seconds.items():
                result[name][spec.title] = (values[0], p95(values[1:]))
            if screenshots is not None:
                tabs["this"].wait_for_timeout(500)  # let the charts finish their first draw
                path = screenshots / f"{spec.url_path or 'overview'}.png"
                tabs["this"].screenshot(path=str(path))
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
    parser.add_argument(
        "--pages", help="comma-separated page titles (default: every page), e.g. Monetization"
    )
    parser.add_argument("--no-queries", action="store_true", help="skip the uncached query timing")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="build the history here and reuse it while it holds a snapshot "
        "(<dir>/<days>d-<creators>c); default: a temporary dir per run",
    )
    parser.add_argument(
        "--baseline", help="also time the app of this git ref (e.g. a5d71c2), interleaved"
    )
    args = parser.parse_args()
    wanted = None if args.pages is None else {t.strip() for t in args.pages.split(",")}
    pages = tuple(spec for spec in PAGES if wanted is None or spec.title in wanted)
    if not pages:
        raise SystemExit(f"no page named {args.pages}; pages: {[s.title for s in PAGES]}")
    for days in (int(d) for d in args.days.split(",")):
        with contextlib.ExitStack() as stack:
            if args.data_dir is None:
                data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="velora-")))
            else:
                data_dir = args.data_dir / f"{days}d-{args.creators}c"
                data_dir.mkdir(parents=True, exist_ok=True)
            if (data_dir / "published" / "CURRENT").exists():
                print(f"\n## {days} days x {args.creators} creators: reusing {data_dir}")
            else:
                built = build(data_dir, args.creators, days)
                print(f"\n## {days} days x {args.creators} creators: history + marts + publish "
                      f"{built:.0f} s")  # fmt: skip
            snapshot = queries.current_snapshot(data_dir / "published")
            print(f"snapshot {Path(snapshot.key).stat().st_size / 1e6:.0f} MB; {load_average()}")
            if not args.no_queries:
                report_queries(time_queries(data_dir, args.loads, pages), args.loads)
            shots = args.screenshots
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
            baseline = None if args.baseline is None else stack.enter_context(
                checkout(args.baseline)
            )  # fmt: skip
            started = time.perf_counter()
            apps = time_browser(
                data_dir, args.loads, data_dir / "streamlit.log", pages, shots, baseline
            )
            args.screenshots = None  # the first history only
            print(f"browser ({time.perf_counter() - started:.0f} s, {load_average()} at the end), "
                  "navigation -> rendered: first load after publish / p95 of later loads")  # fmt: skip
            header = "".join(f"  {name:>17s}" for name in apps)
            print(f"  {'':14s}{header}")
            for spec in pages:
                cells = "".join(
                    f"  {apps[name][spec.title][0]:5.2f} s / {apps[name][spec.title][1]:5.2f} s"
                    for name in apps
                )
                print(f"  {spec.title:14s}{cells}")
            for name, result in apps.items():
                slowest = max(later for _, later in result.values())
                print(f"{name}: slowest page p95 (cached): {slowest:.2f} s; target < 1 s")
    return 0


def report_queries(timings: dict[str, list[float]], loads: int) -> None:
    worst = max(timings.items(), key=lambda item: p95(item[1]))
    print(f"queries: {len(timings)} distinct (page · query), {loads} uncached runs each")
    for name, values in sorted(timings.items(), key=lambda item: -p95(item[1]))[:8]:
        print(f"  {name:55s} median {statistics.median(values) * 1000:6.0f} ms  "
              f"p95 {p95(values) * 1000:6.0f} ms")  # fmt: skip
    print(f"worst query p95: {p95(worst[1]) * 1000:.0f} ms ({worst[0]}); target < 300 ms")


if __name__ == "__main__":
    sys.exit(main())
