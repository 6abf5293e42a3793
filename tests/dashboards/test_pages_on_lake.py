"""The dashboards on DuckLake, selected by configuration only: every page reads the lake itself
(read-only, no published copy) and shows what it shows for the DuckDB file's snapshot of the same
warehouse. The lake is the hand-checked warehouse of ``dash_warehouse``, written through the
same migrations, loads and mart builds into a real PostgreSQL catalog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
import test_pages as pages
from dash_warehouse import DAY2, fill_warehouse

from pipeline.marts.build import rebuild_all
from pipeline.warehouse import connect
from pipeline.warehouse.lake import LakeConfig
from pipeline.warehouse.postgres_launcher import Postgres

# (page, the query parameters of its shared link)
PAGES_WITH_DATA = [
    pytest.param("Overview", {}, id="overview"),
    pytest.param("Growth", {}, id="growth"),
    pytest.param("Monetization", {}, id="monetization"),
    pytest.param("Creator", {"channel": "alice"}, id="creator"),
    pytest.param("Stream", {"stream": "s1"}, id="stream"),
    pytest.param("Categories", {}, id="categories"),
    pytest.param("Schedule", {}, id="schedule"),
    pytest.param("Live now", {}, id="live-now"),
]


@pytest.fixture(scope="module")
def dash_lake(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> LakeConfig:
    postgres.create_database("dash_lake")
    lake = LakeConfig(
        catalog=postgres.catalog("dash_lake"),
        data_path=str(tmp_path_factory.mktemp("dash-lake")) + "/",
    )
    conn = connect(lake)
    try:
        fill_warehouse(conn)
        rebuild_all(conn, today=(DAY2 + timedelta(days=1)).date())
    finally:
        conn.close()
    return lake


def use_lake(monkeypatch: pytest.MonkeyPatch, data_dir: Path, lake: LakeConfig) -> None:
    monkeypatch.setenv("VELORA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("VELORA_WAREHOUSE_BACKEND", "ducklake")
    monkeypatch.setenv("VELORA_LAKE_CATALOG", lake.catalog)
    monkeypatch.setenv("VELORA_LAKE_DATA_PATH", lake.data_path)


@pytest.mark.parametrize(("title", "params"), PAGES_WITH_DATA)
def test_a_page_on_the_lake_shows_what_it_shows_on_the_snapshot(
    title: str,
    params: dict[str, str],
    demo_data_dir: Path,
    data_dir_env: Callable[[Path], None],
    dash_lake: LakeConfig,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    data_dir_env(demo_data_dir)
    on_file = pages.open_page(title, **params)
    use_lake(monkeypatch, tmp_path, dash_lake)
    on_lake = pages.open_page(title, **params)

    assert "lake snapshot" in on_lake.sidebar.caption[0].value
    assert not (tmp_path / "published").exists()  # nothing was copied for readers
    assert pages.metric_values(on_lake) == pages.metric_values(on_file)
    assert len(on_lake.dataframe) == len(on_file.dataframe)
    for index in range(len(on_file.dataframe)):
        # sums of doubles may differ in the last bit with the order DuckDB's threads add them in
        pd.testing.assert_frame_equal(
            pages.frame(on_lake, index).reset_index(drop=True),
            pages.frame(on_file, index).reset_index(drop=True),
            check_exact=False,
            rtol=1e-9,
            obj=f"{title} table {index}",
        )


def test_a_page_sees_a_new_commit_without_any_publish(
    dash_lake: LakeConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_lake(monkeypatch, tmp_path, dash_lake)
    before = pages.open_page("Overview").sidebar.caption[0].value
    conn = connect(dash_lake)
    try:  # a writer commits (here: an ops row); the next render names the new commit
        conn.execute("CREATE TABLE IF NOT EXISTS ops.reader_probe (n INTEGER)")
        conn.execute("INSERT INTO ops.reader_probe VALUES (1)")
    finally:
        conn.close()
    after = pages.open_page("Overview").sidebar.caption[0].value
    assert before != after and "lake snapshot" in after


@pytest.mark.parametrize(
    "catalog",
    [
        # the catalog server is not there: the page explains instead of failing
        pytest.param("postgres:dbname=nowhere host=127.0.0.1 port=1 user=nobody", id="no-server"),
    ],
)
def test_a_page_without_a_reachable_lake_explains(
    catalog: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_lake(monkeypatch, tmp_path, LakeConfig(catalog=catalog, data_path=str(tmp_path) + "/"))
    at = pages.open_page("Overview")
    assert "Cannot read" in pages.info_text(at)
