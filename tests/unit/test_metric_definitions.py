"""The metric definitions are one registry: docs/metrics.md and the dashboards' help derive from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.marts import MART_TABLES, definitions, docblocks, tables_doc
from pipeline.schemas.registry import TABLES

ROOT = Path(__file__).resolve().parents[2]
BLOCK = docblocks.DOC_BLOCKS[0]
SQL_DIR = ROOT / "pipeline" / "marts" / "sql"
# Published as a differently named column, or derived on the page from published columns.
NOT_A_COLUMN = {"growth_change_pct": "change_pct", "supporter_volts": "volts",
                "follows_per_hour_watched": "followers_gained"}  # fmt: skip


def test_generated_doc_blocks_are_current() -> None:
    assert docblocks.stale_documents(ROOT) == [], "run `velora marts docs` and commit the docs"


def test_every_mart_column_is_in_the_warehouse_doc_with_its_type() -> None:
    comments = tables_doc.column_comments()
    for table in MART_TABLES:
        missing = set(TABLES[table].columns) - set(comments.get(table, {}))
        assert not missing, f"{table}: columns without DDL in the migrations: {missing}"


@pytest.mark.parametrize("metric", definitions.METRICS, ids=lambda m: m.key)
def test_every_metric_names_real_code_and_a_real_mart_column(metric: definitions.Metric) -> None:
    for name in metric.code:
        assert (SQL_DIR / name).is_file(), f"{metric.key}: no SQL file {name}"
    mart_tables = [t for t in TABLES if t.startswith("marts.") and t in metric.source]
    assert mart_tables, f"{metric.key}: its source names no mart table"
    column = NOT_A_COLUMN.get(metric.key, metric.key)
    assert any(column in TABLES[t].columns for t in mart_tables), (
        f"{metric.key}: column {column} is in none of {mart_tables}"
    )


@pytest.mark.parametrize(
    ("document", "expected_tail"),
    [
        pytest.param("# Title\n", f"{BLOCK.end}\n", id="no-markers-appends-block"),
        pytest.param(
            f"a\n{BLOCK.begin}\nold text\n{BLOCK.end}\nb\n",
            f"{BLOCK.end}\nb\n",
            id="stale-block-replaced-text-after-kept",
        ),
    ],
)
def test_replace_block_keeps_the_rest_of_the_document(document: str, expected_tail: str) -> None:
    result = docblocks.replace_block(document, BLOCK)
    assert result.endswith(expected_tail)
    assert "old text" not in result
    assert result.count(BLOCK.begin) == 1


def test_help_text_says_how_far_to_trust_the_number() -> None:
    assert "An estimate." in definitions.help_text("estimated_revenue")
    assert "Sampled from polls." in definitions.help_text("peak_viewers")
    with pytest.raises(KeyError, match="no metric 'nope'"):
        definitions.help_text("nope")


def test_velora_marts_docs_checks_then_rewrites_a_stale_checkout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    for block in docblocks.DOC_BLOCKS:
        target = tmp_path / block.document
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("# hand-edited, block missing\n", encoding="utf-8")
    assert main(["marts", "docs", "--root", str(tmp_path), "--check"]) == 1
    assert "is stale" in capsys.readouterr().out
    assert main(["marts", "docs", "--root", str(tmp_path)]) == 0
    assert docblocks.stale_documents(tmp_path) == []
    assert (tmp_path / "docs/metrics.md").read_text().startswith("# hand-edited")
