"""The metric definitions are one registry: docs/metrics.md and the dashboards' help derive from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.marts import definitions
from pipeline.schemas.registry import TABLES

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "pipeline" / "marts" / "sql"
# Published as a differently named column, or derived on the page from published columns.
NOT_A_COLUMN = {"growth_change_pct": "change_pct", "supporter_volts": "volts",
                "follows_per_hour_watched": "followers_gained"}  # fmt: skip


def test_docs_block_is_the_rendering_of_the_registry() -> None:
    document = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert definitions.render_markdown() in document, (
        "docs/metrics.md is stale: run `velora marts definitions --write docs/metrics.md`"
    )


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
        pytest.param("# Title\n", "<!-- definitions:end -->\n", id="no-markers-appends-block"),
        pytest.param(
            f"a\n{definitions.BEGIN_MARKER}\nold text\n{definitions.END_MARKER}\nb\n",
            f"{definitions.END_MARKER}\nb\n",
            id="stale-block-replaced-text-after-kept",
        ),
    ],
)
def test_replace_block_keeps_the_rest_of_the_document(document: str, expected_tail: str) -> None:
    result = definitions.replace_block(document)
    assert result.endswith(expected_tail)
    assert "old text" not in result
    assert result.count(definitions.BEGIN_MARKER) == 1


def test_help_text_says_how_far_to_trust_the_number() -> None:
    assert "An estimate." in definitions.help_text("estimated_revenue")
    assert "Sampled from polls." in definitions.help_text("peak_viewers")
    with pytest.raises(KeyError, match="no metric 'nope'"):
        definitions.help_text("nope")
