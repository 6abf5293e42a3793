"""Every SQL example in docs/analysts.md runs through ``velora sql`` on a real snapshot and
answers with rows, so the analysts' guide cannot drift from the schemas."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
BLOCKS = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_guide_has_a_dozen_questions() -> None:
    assert len(BLOCKS) >= 12


@pytest.mark.parametrize("sql", BLOCKS, ids=[f"question-{n}" for n in range(1, len(BLOCKS) + 1)])
def test_each_example_answers_with_rows(
    sql: str, marts_data_dir: Path, velora_sql: Callable[..., object]
) -> None:
    outcome = velora_sql("-c", sql, "--format", "json", data_dir=marts_data_dir)
    assert outcome.code == 0, outcome.err  # type: ignore[attr-defined]
    rows = json.loads(outcome.out)  # type: ignore[attr-defined]
    assert rows, f"no rows for:\n{sql}"
