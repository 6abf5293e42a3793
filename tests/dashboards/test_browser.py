"""The real thing: ``streamlit run`` on a free loopback port, loaded in headless Chromium.

Catches what AppTest cannot: the frontend failing to render a chart or an element, or a page
that only breaks in a real session. Needs /usr/bin/chromium (``apt-get install -y chromium``;
the Makefile's browser target installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboards" / "streamlit_app.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 30_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/_stcore/health", timeout=2).text.strip() == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit not healthy after {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture
def dashboard_url(demo_data_dir: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "streamlit.log"
    env = {**os.environ, "VELORA_DATA_DIR": str(demo_data_dir)}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so stopping it also stops anything it started
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(process, base_url, log)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until_rendered(page: Page, title: str) -> None:
    """Title, some content (a metric, table or chart), the run finished, and no exception."""
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(
        timeout=PAGE_TIMEOUT_MS
    )
    content = page.locator(
        '[data-testid="stMetricValue"], [data-testid="stDataFrame"], [data-testid="stVegaLiteChart"]'
    )
    expect(content.first).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    running = page.locator(
        '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]'
    )
    expect(running).to_have_count(0, timeout=PAGE_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0, title


def chromium_path() -> str:
    if CHROMIUM.exists():
        return str(CHROMIUM)
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; `make` installs it)")
    return found


def test_every_page_renders_in_chromium(dashboard_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(dashboard_url, timeout=PAGE_TIMEOUT_MS)  # the default page
            wait_until_rendered(page, "Overview")
            page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

            page.goto(f"{dashboard_url}/live_now", timeout=PAGE_TIMEOUT_MS)
            expect(page.get_by_role("heading", name="Live now", exact=True)).to_be_visible(
                timeout=PAGE_TIMEOUT_MS
            )
            viewers = page.locator('[data-testid="stMetric"]', has_text="Total viewers")
            expect(viewers.locator('[data-testid="stMetricValue"]')).to_have_text(
                "210", timeout=PAGE_TIMEOUT_MS
            )
            charts = page.locator('[data-testid="stVegaLiteChart"]')
            expect(charts.first).to_be_visible(timeout=PAGE_TIMEOUT_MS)
            expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=PAGE_TIMEOUT_MS)
            expect(page.get_by_text("warehouse-1.duckdb")).to_be_visible()
            page.screenshot(path=str(tmp_path / "live_now.png"), full_page=True)

            # The other pages, through their URLs: each renders its title and no exception.
            for url_path, title in (
                ("growth", "Growth"),
                ("monetization", "Monetization"),
                ("creator", "Creator"),
                ("stream", "Stream"),
                ("categories", "Categories"),
                ("schedule", "Schedule"),
                ("data_health", "Data health"),
            ):
                page.goto(f"{dashboard_url}/{url_path}", timeout=PAGE_TIMEOUT_MS)
                wait_until_rendered(page, title)
                page.screenshot(
                    path=str(tmp_path / f"{url_path.split('?')[0]}.png"), full_page=True
                )

            # The shared link reproduced its view: the channel, the range and the timezone.
            page.goto(f"{dashboard_url}/creator?channel=bob&range=14&tz=Asia/Tokyo")
            wait_until_rendered(page, "Creator")
            expect(page.get_by_text("(14 days, Asia/Tokyo)")).to_be_visible()
            expect(page.get_by_text("15h 25m").first).to_be_visible()  # bob's hours watched
        finally:
            browser.close()
    print(f"screenshots in {tmp_path}")
