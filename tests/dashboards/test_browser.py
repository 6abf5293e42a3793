"""The real thing: ``streamlit run`` on a free loopback port, loaded in headless Chromium.

Catches what AppTest cannot: the frontend failing to render a chart or an element, or a page
that only breaks in a real session. Needs Debian's chromium (``make test`` installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboards import headless
from dashboards.page_list import PAGES

pytestmark = pytest.mark.browser
TIMEOUT = headless.PAGE_TIMEOUT_MS


@pytest.fixture
def dashboard_url(demo_data_dir: Path, tmp_path: Path) -> Iterator[str]:
    with headless.serve(demo_data_dir, tmp_path / "streamlit.log") as base_url:
        yield base_url


def test_every_page_renders_in_chromium(dashboard_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = headless.chromium_path()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; `make` installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=headless.CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # Every page through its URL: its title, content, no exception; each drawn chart
            # has its canvas or svg.
            for spec in PAGES:
                page.goto(f"{dashboard_url}/{spec.url_path}", timeout=TIMEOUT)
                headless.wait_rendered(page, spec.title)
                charts = page.locator('[data-testid="stVegaLiteChart"]')
                if charts.count():
                    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT)
                page.screenshot(path=str(tmp_path / f"{spec.url_path or 'index'}.png"))

            # Live now's numbers reached the browser, and the sidebar names the snapshot.
            page.goto(f"{dashboard_url}/live_now", timeout=TIMEOUT)
            viewers = page.locator('[data-testid="stMetric"]', has_text="Total viewers")
            expect(viewers.locator('[data-testid="stMetricValue"]')).to_have_text(
                "210", timeout=TIMEOUT
            )
            expect(page.get_by_text("warehouse-1.duckdb")).to_be_visible()

            # A shared link reproduces its view: the channel, the range and the timezone.
            page.goto(f"{dashboard_url}/creator?channel=bob&range=14&tz=Asia/Tokyo")
            headless.wait_rendered(page, "Creator")
            expect(page.get_by_text("(14 days, Asia/Tokyo)")).to_be_visible()
            expect(page.get_by_text("15h 25m").first).to_be_visible()  # bob's hours watched

            # Downloads are built only on the click (deferred): the file still arrives, whole.
            page.goto(f"{dashboard_url}/growth", timeout=TIMEOUT)
            headless.wait_rendered(page, "Growth")
            with page.expect_download(timeout=TIMEOUT) as download:
                page.get_by_test_id("stDownloadButton").first.locator("button").click()
            lines = Path(download.value.path()).read_text().splitlines()
            assert download.value.suggested_filename == "growth_7d_hours_watched.csv"
            assert lines[0].startswith("rank,rank_change,username,")
            assert len(lines) > 1
        finally:
            browser.close()
    print(f"screenshots in {tmp_path}")
