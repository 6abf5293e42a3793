"""Pandera is imported without pandas in pipeline processes, and validates the same either way.

Each case runs in a fresh interpreter: whether pandas is loaded is decided by the first import of
pandera in the process, so it cannot be observed inside the pytest process (Streamlit and the
dashboard tests load pandas there).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# A category snapshot frame with one good row, one negative viewer count (a row-level failure) and
# one null key (another row-level failure); printed as what split_valid decided.
_VALIDATE = """
import json, sys
from datetime import UTC, datetime
{preamble}
import pipeline.ingest, pipeline.webhooks.loader  # the modules a sweep / a webhook load import
from pipeline.schemas import FRAME_SCHEMAS, SCHEMAS, split_valid
import polars as pl

at = datetime(2026, 1, 15, 20, tzinfo=UTC)
table = "core.category_snapshots"
rows = [
    dict(snapshot_at=at, category_slug="chess", category_id="1", name="Chess",
         viewer_count=10, stream_count=2, position=1, fetched_at=at),
    dict(snapshot_at=at, category_slug="art", category_id="2", name="Art",
         viewer_count=-5, stream_count=1, position=2, fetched_at=at),
    dict(snapshot_at=at, category_slug=None, category_id="3", name="Music",
         viewer_count=3, stream_count=1, position=3, fetched_at=at),
]
frame = pl.DataFrame(rows, schema=FRAME_SCHEMAS[table])
result = split_valid(SCHEMAS[table], frame)

# every schema's checks (nullability, dtypes, custom checks) on a row of nulls
from pipeline.schemas.webhooks import POLARS_COLUMNS, WEBHOOK_SCHEMAS
pairs = [(SCHEMAS[t], FRAME_SCHEMAS[t]) for t in SCHEMAS if t in FRAME_SCHEMAS]
pairs += [(WEBHOOK_SCHEMAS[t], POLARS_COLUMNS[t]) for t in WEBHOOK_SCHEMAS]
for schema, columns in pairs:
    split_valid(schema, pl.DataFrame([{{c: None for c in columns}}], schema=columns))

print(json.dumps({{
    "schemas_checked": len(pairs),
    "pandas_loaded": "pandas" in sys.modules,
    "valid": result.valid["category_id"].to_list(),
    "invalid": result.invalid["category_id"].to_list(),
    "reasons": result.reasons,
}}))
"""


def _run(preamble: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _VALIDATE.format(preamble=preamble)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("preamble", "pandas_expected"),
    [
        # guards the ~70 MB pandas import in every sweep process (issue 3's 300 MB target)
        pytest.param("", False, id="pipeline-process-has-no-pandas"),
        # guards processes that loaded pandas first (Streamlit): the ordinary import still works
        pytest.param("import pandas", True, id="pandas-already-loaded"),
    ],
)
def test_pandera_validates_rows_the_same_with_or_without_pandas(
    preamble: str, pandas_expected: bool
) -> None:
    outcome = _run(preamble)
    assert outcome["pandas_loaded"] is pandas_expected
    assert isinstance(outcome["schemas_checked"], int) and outcome["schemas_checked"] >= 15
    assert outcome["valid"] == ["1"]
    assert outcome["invalid"] == ["2", "3"]
    reasons = outcome["reasons"]
    assert isinstance(reasons, list)
    assert "viewer_count" in reasons[0] and "greater_than_or_equal_to" in reasons[0]
    assert "category_slug" in reasons[1]
