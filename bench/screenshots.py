"""Screenshots of every dashboard page for docs/: ``python -m bench.screenshots [DATA_DIR]``.

Serves the published snapshot of DATA_DIR (default: ``$VELORA_DATA_DIR`` or ``data/``, what
``make demo`` seeded) and saves ``docs/screenshots/<page>.png`` from headless Chromium.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from dashboards import headless
from dashboards.page_list import PAGES

OUT = headless.REPO / "docs" / "screenshots"


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    data_dir = Path(argv[0] if argv else os.environ.get("VELORA_DATA_DIR", "data")).resolve()
    executable = headless.chromium_path()
    if executable is None:
        print("chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    with headless.serve(data_dir, log) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=headless.CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for spec in PAGES:
            page.goto(f"{base_url}/{spec.url_path}", timeout=headless.PAGE_TIMEOUT_MS)
            headless.wait_rendered(page, spec.title)
            page.wait_for_timeout(500)  # let the charts finish their first draw
            target = OUT / f"{spec.url_path or 'overview'}.png"
            page.screenshot(path=str(target))
            print(f"{spec.title}: {target.relative_to(headless.REPO)}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
