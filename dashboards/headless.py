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
def serve(data_dir: Path, log: Path) -> Iterator[str]:
    """``streamlit run`` on the data dir's published snapshot; yields the base URL, stops after."""
    port = _free_port()
    env = {**os.environ, "VELORA_DATA_DIR": str(data_dir)}
    argv = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false"]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            argv,
            cwd=REPO,
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


def wait_rendered(page: Page, title: str, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Title, some content (a metric, table or chart), the script run finished, no exception."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=timeout_ms)
    content = page.locator(
        '[data-testid="stMetricValue"], [data-testid="stDataFrame"], [data-testid="stVegaLiteChart"]'
    )
    expect(content.first).to_be_visible(timeout=timeout_ms)
    running = page.locator(
        '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]'
    )
    expect(running).to_have_count(0, timeout=timeout_ms)
    if page.locator('[data-testid="stException"]').count():
        raise AssertionError(f"{title}: the page shows an exception")
