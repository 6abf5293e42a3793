"""Every dashboard page through ``AppTest``: empty states without data, exact numbers with data.

Expected numbers come from the hand-built warehouse in ``conftest.py``; each is derived in the
comment beside it, so a wrong query (double-counted sources, test events, gifted subs counted
twice, a plain mean instead of a time-weighted average) fails here.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pandas as pd
import pyarrow as pa
import pytest
from conftest import build_published
from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart as VegaLiteChartProto
from streamlit.testing.v1 import AppTest

from pipeline.warehouse import connect, publish_from

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
PAGES = {
    "Live now": None,  # the default page
    "Channel growth": "app_pages/channel_growth.py",
    "Monetization": "app_pages/monetization.py",
    "Categories": "app_pages/categories.py",
    "Data health": "app_pages/data_health.py",
}


def open_page(title: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    page = PAGES[title]
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == title
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def chart_frames(at: AppTest) -> list[pd.DataFrame]:
    """The data behind every chart on the page (st.line_chart/bar_chart are Vega-Lite + Arrow)."""
    frames = []
    for chart in at.get("vega_lite_chart"):
        proto = cast(VegaLiteChartProto, chart.proto)
        for dataset in proto.datasets:
            frames.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pandas())
    return frames


def info_text(at: AppTest) -> str:
    return "\n".join(str(info.value) for info in at.info)


def no_snapshot(data_dir: Path) -> None:
    data_dir.mkdir(exist_ok=True)


def snapshot_without_tables(data_dir: Path) -> None:
    build_published(data_dir, migrate=False)


def snapshot_with_empty_tables(data_dir: Path) -> None:
    build_published(data_dir, fill=False)


@pytest.mark.parametrize("title", list(PAGES))
@pytest.mark.parametrize(
    "make_data_dir",
    [
        pytest.param(no_snapshot, id="no-published-snapshot"),
        pytest.param(snapshot_without_tables, id="tables-missing"),
        pytest.param(snapshot_with_empty_tables, id="tables-empty"),
    ],
)
def test_page_without_data_shows_how_to_get_data(
    title: str,
    make_data_dir: Callable[[Path], None],
    tmp_path: Path,
    data_dir_env: Callable[[Path], None],
) -> None:
    make_data_dir(tmp_path)
    data_dir_env(tmp_path)
    at = open_page(title)
    assert "make demo" in info_text(at)
    assert "velora seed --days 1" in info_text(at)
    assert not at.error
    assert not at.dataframe or title == "Data health"  # health lists the (empty) tables
    if make_data_dir is snapshot_without_tables and title != "Data health":
        assert "The published snapshot has no table `" in info_text(at)  # names the table


def test_sidebar_names_the_snapshot(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Live now")
    assert "warehouse-1.duckdb" in at.sidebar.caption[0].value


def test_live_now(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Live now")
    metrics = metric_values(at)
    # Last live poll 10:30: alice 160 + carol 50; the poll before (10:10) had 140 + 40 = 180.
    assert metrics["Live channels"] == "2"
    assert metrics["Total viewers"] == "210"
    assert metrics["Last poll (UTC)"] == "Nov 27, 10:30"
    viewers = next(m for m in at.metric if m.label == "Total viewers")
    assert viewers.proto.delta == "30"
    live = at.dataframe[0].value
    # Only source='live' rows of the latest poll: alice's duplicate 'top' row is not a channel.
    assert list(live["username"]) == ["alice", "carol"]
    assert list(live["viewer_count"]) == [160, 50]
    assert not info_text(at)
    channels_chart, viewers_chart = chart_frames(at)
    assert list(channels_chart["live_channels"]) == [1, 1, 2, 3, 2, 2]
    assert list(viewers_chart["total_viewers"]) == [10, 20, 150, 210, 180, 210]


def test_channel_growth_default_channel(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Channel growth")
    assert at.selectbox[0].value == "u1"  # alice: most followers
    metrics = metric_values(at)
    assert metrics["Followers"] == "1,055"
    # Session s1 (day 2): 09:58 edge 2 min x 100 = 200; 10:00-10:05 (100+120)/2 x 5 = 550;
    # 10:05-10:10 650; 10:10-10:30 is a 20-minute gap (> 15): 0; 10:30-10:32 offline edge
    # 2 x 160 = 320 -> 1720 viewer-minutes over 34 minutes live.
    # Session s0 (day 1): 19:55 edge 5 x 10 = 50; 20:00-20:05 75 -> 125 over 10 minutes (its
    # only offline event is a test event, so it ends at the last sample).
    # Total 1845 viewer-minutes over 44 minutes live, of which the polls cover s1 2 + 10 + 2
    # and s0 5 + 5 = 24 minutes: the average is 1845 / 24 = 76.9 (not 1845 / 44 = 41.9, which
    # would count the 20 unobserved minutes as zero viewers).
    assert metrics["Average viewers"] == "77"
    assert metrics["Peak viewers"] == "160"
    assert metrics["Sessions"] == "2"
    assert "left out of the average rather than counted as zero viewers" in at.caption[0].value
    followers_chart, viewers_chart = chart_frames(at)
    assert list(followers_chart["follower_count"]) == [1000, 1040, 1055]
    assert list(viewers_chart["viewers"]) == [10, 20, 100, 120, 140, 160]  # 'top' row not added
    # Separate line segments: session s0, s1 up to the 20-minute gap, s1 after it.
    assert list(viewers_chart["segment"]) == [1, 1, 2, 2, 2, 3]
    sessions = at.dataframe[0].value
    assert list(sessions["hours_watched"]) == [round(1720 / 60, 2), round(125 / 60, 2)]
    assert list(sessions["hours_live"]) == [round(34 / 60, 2), round(10 / 60, 2)]
    assert list(sessions["gaps_skipped"]) == [1, 0]
    assert list(sessions["end_from"]) == ["stream.offline", "last sample"]


def test_channel_growth_switch_channel(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Channel growth")
    at.selectbox[0].set_value("u2").run()
    metrics = metric_values(at)
    # bob: 09:50 edge 10 min x 50 = 500; 10:00-10:05 (50+60)/2 x 5 = 275 -> 775 over 15 min.
    assert metrics["Followers"] == "500"
    assert metrics["Hours watched"] == f"{775 / 60:,.1f} h"
    assert metrics["Average viewers"] == "52"
    assert metrics["Peak viewers"] == "60"
    assert metrics["Sessions"] == "1"
    assert at.query_params["channel"] == "bob"  # a shareable link to this channel


def test_channel_growth_link_selects_channel(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params["channel"] = "carol"
    at.switch_page(PAGES["Channel growth"]).run()
    assert not at.exception
    assert at.selectbox[0].value == "u3"
    # carol has no profile yet: followers explain themselves, viewers still show.
    assert "No follower counts" in info_text(at)
    assert metric_values(at)["Peak viewers"] == "50"


def test_monetization(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Monetization")
    assert at.selectbox[0].value == "u1"
    # alice: test events (follow f5, gift g2 of 5) excluded; gift recipients' subscribe events
    # (sub3, sub4) not counted again; bob's follow is bob's.
    assert metric_values(at) == {
        "Follows": "4",
        "Paid subs": "2",
        "Gifted subs": "2",
        "Volts": "350",
        "Points redemptions": "2",
        "Raids": "1",
    }
    daily = at.dataframe[0].value.set_index("day")
    day2 = daily.iloc[0]  # newest first
    assert str(daily.index[0]).startswith("2026-11-27")
    assert (day2["follows"], day2["paid_subs"], day2["gifted_subs"], day2["volts"]) == (
        2,
        1,
        2,
        250,
    )
    assert (day2["points_spent"], day2["raid_viewers"]) == (800, 40)
    at.selectbox[0].set_value("u2").run()
    assert metric_values(at)["Follows"] == "1"
    assert metric_values(at)["Paid subs"] == "0"


def test_categories(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Categories")
    # Latest category poll (11:00): 350+250+120+60+40+10 viewers, 12+8+5+3+2+1 streams.
    assert metric_values(at) == {"Categories": "6", "Viewers": "830", "Streams": "31"}
    table = at.dataframe[0].value
    assert list(table["category_name"]) == [
        "Just Chatting",
        "FPS",
        "Music",
        "Art",
        "IRL",
        "Cooking",
    ]
    (history,) = chart_frames(at)
    assert sorted(set(history["Category"])) == ["Art", "FPS", "IRL", "Just Chatting", "Music"]
    assert len(history) == 10  # top 5 x 2 polls; Cooking is 6th


def test_data_health(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Data health")
    metrics = metric_values(at)
    assert metrics["Tables present"] == "19 of 19"
    assert metrics["Latest data (UTC)"] == "Nov 27, 11:00"
    assert metrics["Quarantined polled rows"] == "3"
    assert metrics["Quarantined webhook deliveries"] == "1"
    tables = at.dataframe[0].value.set_index("table")
    assert tables.loc["core.stream_snapshots", "rows"] == 12  # 11 live rows + 1 top row
    assert tables.loc["core.webhook_events", "rows"] == 19
    assert tables.loc["core.subscription_ends", "status"] == "empty"
    quarantine = at.dataframe[1].value
    assert list(quarantine["rows"]) == [2, 1]


def test_new_snapshot_is_read_without_restart_and_no_connection_stays_open(
    tmp_path: Path, data_dir_env: Callable[[Path], None]
) -> None:
    first = build_published(tmp_path)
    data_dir_env(tmp_path)
    at = open_page("Live now")
    assert metric_values(at)["Total viewers"] == "210"

    # Nothing of the snapshot stays open between reruns: another process can take the
    # read-write lock that any open reader (even read-only) would block.
    locker = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; duckdb.connect(sys.argv[1]).close()",
            str(first),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert locker.returncode == 0, locker.stderr

    # The pipeline publishes a new poll: the same session shows it on the next rerun.
    conn = connect(tmp_path / "warehouse.duckdb")
    try:
        conn.execute("INSERT INTO marts.live_totals VALUES ('2026-11-27 10:35:00+00', 4, 400)")
        publish_from(conn, tmp_path / "published")
    finally:
        conn.close()
    at.run()
    assert metric_values(at)["Live channels"] == "4"
    assert metric_values(at)["Total viewers"] == "400"
    assert "warehouse-2.duckdb" in at.sidebar.caption[0].value
