"""Pages keep loading while the pipeline rebuilds its marts and publishes: no lock errors.

The writer is a separate process, as the pipeline is: it rebuilds every mart of the read-write
warehouse and publishes a new snapshot, over and over, while this process renders pages. A
reader that held the warehouse, or a snapshot the writer replaces, would fail here.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from dash_warehouse import DAY2, build_published
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
PAGES = (None, "app_pages/creator.py", "app_pages/monetization.py", "app_pages/live_now.py")
WRITER = """
import sys
from datetime import date
from pathlib import Path
from pipeline.marts.build import rebuild_all
from pipeline.warehouse import connect, publish_from
data_dir, today, rounds = Path(sys.argv[1]), date.fromisoformat(sys.argv[2]), int(sys.argv[3])
for n in range(rounds):
    conn = connect(data_dir / "warehouse.duckdb")
    try:
        rebuild_all(conn, today=today)
        publish_from(conn, data_dir / "published")
    finally:
        conn.close()
    print(n, flush=True)
"""


def test_pages_load_during_mart_builds_and_publishes(
    tmp_path: Path, data_dir_env: Callable[[Path], None]
) -> None:
    build_published(tmp_path)
    data_dir_env(tmp_path)
    today = (DAY2.date()).isoformat()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), today, "6"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    renders = 0
    try:
        while writer.poll() is None or renders < len(PAGES):
            at = AppTest.from_file(str(APP), default_timeout=30).run()
            page = PAGES[renders % len(PAGES)]
            if page is not None:
                at.switch_page(page).run()
            assert not at.exception, [e.message for e in at.exception]
            assert not at.error, [e.value for e in at.error]
            assert "warehouse-" in at.sidebar.caption[0].value  # a snapshot, never "none"
            renders += 1
            time.sleep(0.05)
    finally:
        stdout, stderr = writer.communicate(timeout=120)
    assert writer.returncode == 0, stderr
    assert stdout.split() == [str(n) for n in range(6)]  # every build and publish went through
    published = sorted(p.name for p in (tmp_path / "published").glob("warehouse-*.duckdb"))
    assert "warehouse-7.duckdb" in published  # the fixture's snapshot + 6 publishes
    assert renders >= len(PAGES)
