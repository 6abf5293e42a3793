"""The dashboard served for real and read in headless Chromium: ``streamlit run`` on a free
loopback port, pages loaded with Playwright. The browser test, ``bench/screenshots.py`` and the
page benchmark share it; the app itself never imports it.
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
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboards" / "streamlit_app.py"
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


class DashboardFailed(RuntimeError):
    """Streamlit exited or never became healthy; the message holds its log."""


def chromium_path() -> str | None:
    """Debian's chromium (``make`` installs it when missing), or None."""
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DashboardFailed(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/_stcore/health", timeout=2).text.strip() == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise DashboardFailed(f"streamlit not healthy after {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


@contextmanager
def serve(data_dir: Path, log: Path, root: Path = REPO) -> Iterator[str]:
    """``streamlit run`` on the data dir's published snapshot; yields the base URL, stops after.
    ``root`` is the checkout whose app is served (the page benchmark serves an older commit's
    beside this one); its packages come first on the path, before the installed project."""
    port = _free_port()
    path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "VELORA_DATA_DIR": str(data_dir), "PYTHONPATH": path}
    app = root / APP.relative_to(REPO)
    argv = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false"]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            argv,
            cwd=root,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so stopping it also stops anything it started
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base_url, log)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# Rendered = the page's title, some content, the script run finished (the frontend's own
# ``data-test-script-state``, which Streamlit's e2e tests wait on) and every visible chart and
# table drawn (a canvas or svg inside). Checked on every animation frame: Playwright's ``expect``
# backs off to one poll per 500 ms, which overstated a 1 s page by up to half a second per check.
_RENDERED_JS = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const shown = (el) => el.checkVisibility();  // false in a closed expander or a hidden tab
  const all = (selector) => [...document.querySelectorAll(selector)].filter(shown);
  if (!all('h1').some((h) => h.innerText.trim() === title)) return false;
  if (document.querySelector(
      '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]'))
    return false;
  const charts = all('[data-testid="stVegaLiteChart"]');
  const tables = all('[data-testid="stDataFrame"]');
  if (!charts.length && !tables.length && !all('[data-testid="stMetricValue"]').length)
    return false;
  return charts.every((c) => c.querySelector('canvas, svg'))
    && tables.every((t) => t.querySelector('canvas'));
}"""


def wait_rendered(page: Page, title: str, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Title, some content (a metric, table or chart), the script run finished, every visible
    chart and table drawn, no exception."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    try:
        page.wait_for_function(_RENDERED_JS, arg=title, polling="raf", timeout=timeout_ms)
    except PlaywrightTimeout:
        # Say which part is missing: these fail with Playwright's descriptive messages.
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=1)
        content = page.locator(
            '[data-testid="stMetricValue"], [data-testid="stDataFrame"], '
            '[data-testid="stVegaLiteChart"]'
        )
        expect(content.first).to_be_visible(timeout=1)
        raise
    if page.locator('[data-testid="stException"]').count():
        raise AssertionError(f"{title}: the page shows an exception")
