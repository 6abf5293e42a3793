"""Every dashboard page through ``AppTest``: empty states without data, exact numbers with data.

Expected numbers come from the hand-built warehouse in ``dash_warehouse.py`` (polled every 5
minutes), run through the real marts build. The viewing figures every page shows, derived once:

- alice s0 (Nov 26, started 19:55, no real offline event): edge 19:55-20:00 at the first sample
  5 x 10 = 50 viewer-minutes; 20:00-20:05 (10+20)/2 x 5 = 75; the end is estimated half a cadence
  after the last sample (20:07:30): 2.5 x 20 = 50. 175 viewer-minutes over 12.5 minutes.
- alice s1 (Nov 27, 09:58 - offline 10:32): edge 2 x 100 = 200; 10:00-10:05 550; 10:05-10:10 650;
  10:10-10:30 is a 20-minute gap (> 3 cadences): not interpolated; 10:30-10:32 2 x 160 = 320.
  1720 viewer-minutes over 34 minutes, 14 of them covered by polls.
- bob s2 (09:50, gone from the 10:10 poll): edge 10 x 50 = 500; 275; estimated end 2.5 x 60 =
  150. 925 viewer-minutes over 17.5 minutes.
- carol s3 (10:03, still live at the last poll 10:30): edge 2 x 30 = 60; 10:05-10:10 175; the
  gap and the open end add nothing. 235 viewer-minutes over 27 minutes.
- Platform: 175 + 1720 + 925 + 235 = 3055 viewer-minutes = 50h 55m; airtime 12.5 + 34 + 17.5 +
  27 = 91 minutes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pandas as pd
import pytest
from dash_warehouse import build_published
from streamlit.testing.v1 import AppTest

from dashboards import page_list
from pipeline.marts import accuracy_doc
from pipeline.warehouse import connect, publish_from

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
PAGES = {
    spec.title: spec.file if spec.url_path else None for spec in page_list.PAGES
}  # None: default


def open_page(title: str, **params: str) -> AppTest:
    """The page as a shared link opens it: ``params`` are the URL's query parameters."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    page = PAGES[title]
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == title
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def metric_deltas(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.proto.delta for metric in at.metric}


def info_text(at: AppTest) -> str:
    return "\n".join(str(info.value) for info in at.info)


def captions(at: AppTest) -> str:
    return "\n".join(str(caption.value) for caption in at.caption)


def frame(at: AppTest, index: int) -> pd.DataFrame:
    return cast(pd.DataFrame, at.dataframe[index].value)


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
    assert not at.get("arrow_vega_lite_chart")  # never a chart of zeros
    assert not at.dataframe or title == "Data health"  # health lists the (empty) tables
    if make_data_dir is snapshot_without_tables and title != "Data health":
        assert "The published snapshot has no table `" in info_text(at)  # names the table


def test_sidebar_names_the_snapshot(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Overview")
    assert "warehouse-1.duckdb" in at.sidebar.caption[0].value


def test_overview(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Overview")
    # The default period is the last 7 days ending on the last day with data.
    assert "Nov 21 – Nov 27, 2026 (7 days, UTC)" in captions(at)
    assert metric_values(at) == {
        # Hours with polls: 20:00 on Nov 26 (1 and 1 channel) and 10:00 on Nov 27 (2, 3, 2, 2):
        # (1 + 2.25) / 2.
        "Live channels": "1.6",
        # Viewer-hours in those hours: 20:00-20:07:30 on Nov 26 is 75 + 50 = 125 min = 2.08 h;
        # the 10:00 hour holds 3055 - 175 - 200 (alice 09:58) - 500 (bob 09:50) = 2180 min =
        # 36.33 h. (2.08 + 36.33) / 2 = 19.2.
        "Concurrent viewers": "19",
        "Hours watched": "50h 55m",
        "Airtime": "1h 31m",
        "Follows": "5",  # f1-f4 (f5 is a test event) + bob's f6
        "Net subscriptions": "4",  # sub1, sub2 + g1's 2 gifted (their subscribe rows not again)
        "Volts": "350",
        "Sampled peak viewers": "210",  # the 10:30 poll: 160 + 50
    }
    daily = frame(at, 1).set_index("day")
    assert list(daily["hours_watched"].round(4)) == [round(175 / 60, 4), round(2880 / 60, 4)]
    assert list(daily["channels_live"]) == [1, 3]
    movers = frame(at, 0)
    assert list(movers["username"]) == ["alice", "bob", "carol"]
    assert bool(movers["breakout"].all())  # nobody ranked in the empty week before


def test_overview_timezone_moves_day_boundaries(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    # In Tokyo (UTC+9) Nov 26 19:55 UTC is Nov 27 04:55: all viewing falls on one local day.
    at = open_page("Overview", tz="Asia/Tokyo")
    daily = frame(at, 1)
    assert len(daily) == 1
    assert str(daily["day"].iloc[0]).startswith("2026-11-27")
    assert round(float(daily["hours_watched"].iloc[0]), 4) == round(3055 / 60, 4)
    assert at.query_params["tz"] == "Asia/Tokyo"


def test_overview_custom_range_from_a_shared_link(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Overview", range="custom", **{"from": "2026-11-27", "to": "2026-11-27"})
    assert metric_values(at)["Hours watched"] == "48h 00m"  # 3055 - alice's Nov 26 175
    assert metric_values(at)["Follows"] == "3"  # f3, f4, f6
    # Compare is on by default: Nov 26 alone is the previous period.
    assert metric_deltas(at)["Hours watched"].startswith("+45h 05m")


def test_growth(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Growth")
    ranking = frame(at, 0)
    assert list(ranking["username"]) == ["alice", "bob", "carol"]
    assert list(ranking["rank"]) == [1, 2, 3]
    assert list(ranking["current_value"].round(3)) == [
        round(1895 / 60, 3),
        round(925 / 60, 3),
        round(235 / 60, 3),
    ]
    assert "**alice**, **bob**, **carol**" in "\n".join(str(m.value) for m in at.markdown)
    at.selectbox(key="growth_metric").set_value("followers_gained").run()
    ranking = frame(at, 0)
    # Follower gains come from follow events only where webhooks covered the whole day: Nov 27
    # (alice 2, bob 1); carol has neither events nor profile deltas.
    assert list(ranking["username"])[:2] == ["alice", "bob"]
    assert list(ranking["current_value"])[:2] == [2, 1]


def test_monetization_platform(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Monetization")
    values = metric_values(at)
    assert {key: values[key] for key in list(values)[:8]} == {
        "New subscriptions": "2",  # sub1, sub2; sub3/sub4 are g1's recipients
        "Renewed subscriptions": "0",
        "Gifted subscriptions": "2",  # g1; g2 (5) is a test event
        "Ended subscriptions": "0",
        "Net subscriptions": "4",
        "Gift events": "1",
        "Volts": "350",
        "Channel points spent": "800",
    }
    # 4 subs x $4.99 x 50 % = $9.98; 350 Volts x $0.01 = $3.50.
    assert values["From subscriptions"] == "$9.98"
    assert values["From Volts"] == "$3.50"
    assert values["Estimated revenue (estimate)"] == "$13.48"
    supporters = frame(at, 0)
    assert list(supporters["supporter_username"]) == ["fan", "gifter"]
    assert list(supporters["volts"]) == [350, 0]
    assert list(supporters["gift_subs"]) == [0, 2]


def test_monetization_assumptions_are_editable(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Monetization")
    at.number_input(key="assume_creator_share").set_value(0.7).run()
    # 4 x $4.99 x 70 % = $13.97; Volts unchanged.
    assert metric_values(at)["From subscriptions"] == "$13.97"
    assert metric_values(at)["Estimated revenue (estimate)"] == "$17.47"


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        pytest.param("bob", {"New subscriptions": "0", "Volts": "0"}, id="only-a-follow"),
        pytest.param("alice", {"New subscriptions": "2", "Volts": "350"}, id="everything"),
    ],
)
def test_monetization_per_channel_link(
    channel: str,
    expected: dict[str, str],
    demo_data_dir: Path,
    data_dir_env: Callable[[Path], None],
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Monetization", channel=channel)
    assert {key: metric_values(at)[key] for key in expected} == expected


def test_monetization_unauthorized_channel_explains(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Monetization", channel="carol")
    assert "carol has not authorized Velora Analytics" in info_text(at)
    assert not at.metric  # never a row of zeros


def test_creator(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Creator", channel="alice")
    assert metric_values(at) == {
        "Hours watched": "31h 35m",  # 175 + 1720 viewer-minutes
        "Average viewers": "72",  # 1895 / (12.5 + 14) covered minutes = 71.5
        "Sampled peak viewers": "160",
        "Airtime": "46m",  # 12.5 + 34
        "Streams": "2",
        "Followers gained": "2",  # Nov 27's f3, f4 (Nov 26 was only partly covered by webhooks)
        "Follower conversion": "0.06",  # 2 / 31.58 hours watched
        "Volts": "350",
    }
    assert "No other channel had **just-chatting**" in captions(at)
    sessions = frame(at, 0)
    assert list(sessions["stream_id"]) == ["s1", "s0"]
    assert list(sessions["end_source"]) == ["offline_event", "estimated"]
    assert list(sessions["hours_watched"].round(4)) == [round(1720 / 60, 4), round(175 / 60, 4)]
    assert list(sessions["link"]) == ["./stream?stream=s1", "./stream?stream=s0"]


def test_creator_switching_channel_updates_the_link(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Creator", channel="alice")
    at.selectbox[0].set_value("u2").run()
    assert at.query_params["channel"] == "bob"
    assert metric_values(at)["Hours watched"] == "15h 25m"  # 925 viewer-minutes
    assert metric_values(at)["Sampled peak viewers"] == "60"


def test_creator_without_webhooks_or_profiles(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Creator", channel="carol")
    assert "carol has not authorized Velora Analytics" in info_text(at)
    assert "No follower totals for carol" in info_text(at)
    assert metric_values(at)["Hours watched"] == "3h 55m"  # 235 viewer-minutes
    assert metric_values(at)["Followers gained"] == "–"  # unknown, not zero
    assert list(frame(at, 0)["end_source"]) == ["ongoing"]


def test_stream(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Stream", stream="s1")
    assert metric_values(at) == {
        "Average viewers": "123",  # 1720 / 14 covered minutes
        "Sampled peak viewers": "160",
        "Hours watched": "28h 40m",
        "Airtime": "34m",
        "Coverage": "41.2 %",  # 14 of 34 minutes
    }
    # Against alice's previous stream s0: 175 viewer-minutes, 12.5 minutes of airtime.
    assert metric_deltas(at)["Hours watched"].startswith("+25h 45m")
    assert "(end from offline_event)" in captions(at)
    markers = frame(at, 0)
    assert list(markers["kind"]) == ["follow", "follow", "sub", "gift bomb", "Volts", "raid in"]
    assert list(markers["amount"]) == [1, 1, 1, 2, 250, 40]
    assert "No chat statistics" in info_text(at)


def test_categories(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Categories")
    rankings = frame(at, 0)
    assert list(rankings["category_slug"]) == ["just-chatting", "fps", "music"]
    assert list(rankings["hours_watched"].round(3)) == [
        round(1895 / 60, 3),
        round(925 / 60, 3),
        round(235 / 60, 3),
    ]
    assert list(rankings["peak_viewers"]) == [160, 60, 50]
    at.selectbox[0].set_value("fps").run()
    assert at.query_params["category"] == "fps"
    assert list(frame(at, 1)["username"]) == ["bob"]


def test_schedule(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Schedule")
    heat = frame(at, 0).set_index(["weekday", "hour"])
    # Thursday 19:00 UTC: alice's first 5 minutes, 50 viewer-minutes over 5 minutes live.
    assert round(float(heat.loc[(4, 19), "viewers_per_channel"]), 6) == 10.0
    # Friday 09:00: bob 09:50-10:00 (500) and alice 09:58-10:00 (200) over 12 minutes live.
    assert round(float(heat.loc[(5, 9), "viewers_per_channel"]), 6) == round(700 / 12, 6)
    at = open_page("Schedule", tz="America/New_York")  # UTC-5: Friday 09:00 UTC is 04:00
    heat = frame(at, 0).set_index(["weekday", "hour"])
    assert round(float(heat.loc[(5, 4), "viewers_per_channel"]), 6) == round(700 / 12, 6)


def test_live_now(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Live now")
    metrics = metric_values(at)
    # Last live poll 10:30: alice 160 + carol 50; the poll before (10:10) had 140 + 40 = 180.
    assert metrics["Live channels"] == "2"
    assert metrics["Total viewers"] == "210"
    assert metrics["Last poll (UTC)"] == "Nov 27, 10:30"
    assert metric_deltas(at)["Total viewers"] == "30"
    live = frame(at, 0)
    # Only source='live' rows of the latest poll: alice's duplicate 'top' row is not a channel.
    assert list(live["username"]) == ["alice", "carol"]
    assert list(live["viewer_count"]) == [160, 50]


def test_data_health(demo_data_dir: Path, data_dir_env: Callable[[Path], None]) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Data health")
    metrics = metric_values(at)
    assert metrics["Tables present"] == "19 of 19"
    assert metrics["Latest data (UTC)"] == "Nov 27, 11:00"
    assert metrics["Quarantined polled rows"] == "3"
    assert metrics["Quarantined webhook deliveries"] == "1"
    assert metrics["Events (real)"] == "16"  # 19 deliveries, 3 of them test events
    tables = frame(at, 0).set_index("table")
    assert tables.loc["core.stream_snapshots", "rows"] == 12  # 11 live rows + 1 top row
    assert tables.loc["core.subscription_ends", "status"] == "empty"
    freshness = frame(at, 1).set_index("table")
    # the fixture's samples store no cadence (as before migration 007): the live default
    assert freshness.loc["core.stream_snapshots", "cadence_minutes"] == 1
    assert freshness.loc["core.stream_snapshots", "cadence_source"] == "default"
    assert freshness.loc["core.leaderboard_entries", "status"] == "no data"
    runs = frame(at, 2).set_index("name")
    assert runs.loc["live_streams", "last_status"] == "ok"
    assert runs.loc["live_streams", "rows_written"] == 2  # the 10:30 run, the newest
    assert runs.loc["live_streams", "runs_24h"] == 2
    assert runs.loc["clips", "last_error"] == "malformed page 2 of /api/streams/alice/clips"
    assert runs.loc["channel_daily", "kind"] == "marts"  # the fixture's mart build logged itself
    assert "Last run not ok: clips." in "\n".join(str(w.value) for w in at.warning)
    assert list(frame(at, 3)["rows"]) == [2, 1]  # quarantine by reason
    # The accuracy table is the committed measurement (pipeline/marts/accuracy.json).
    accuracy = frame(at, len(at.dataframe) - 1)
    measured = accuracy_doc.accuracy_rows()
    assert measured is not None and len(accuracy) == len(measured)
    assert {1, 5, 15} <= set(accuracy["cadence_minutes"])


def test_data_health_judges_a_table_by_its_stored_cadence(
    tmp_path: Path, data_dir_env: Callable[[Path], None]
) -> None:
    from dash_warehouse import build_published

    build_published(tmp_path, live_cadence=5)  # polled every 5 minutes, not the 1-min default
    data_dir_env(tmp_path)
    at = open_page("Data health")
    assert frame(at, 0).set_index("table").loc["core.stream_snapshots", "cadence_minutes"] == 5
    freshness = frame(at, 1).set_index("table")
    assert freshness.loc["core.stream_snapshots", "cadence_minutes"] == 5
    assert freshness.loc["core.stream_snapshots", "cadence_source"] == "stored"
    assert freshness.loc["core.channel_profiles", "cadence_source"] == "default"  # none stored


def test_accuracy_table_says_when_nothing_was_measured(tmp_path: Path) -> None:
    from dashboards import queries

    assert queries.accuracy_table(tmp_path / "accuracy.json") is None


def test_filters_follow_the_reader_across_pages(
    demo_data_dir: Path, data_dir_env: Callable[[Path], None]
) -> None:
    data_dir_env(demo_data_dir)
    at = open_page("Overview")
    at.selectbox(key="filter_tz").set_value("Asia/Tokyo").run()
    at.switch_page(str(PAGES["Creator"])).run()
    assert not at.exception
    assert at.query_params["tz"] == "Asia/Tokyo"
    assert "Nov 21 – Nov 27, 2026 (7 days, Asia/Tokyo)" in captions(at)


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
