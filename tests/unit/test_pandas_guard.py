"""DuckDB 1.5.5 imports pandas (with pyarrow and numpy, ~90 MB) at the first statement with
parameters; ``pipeline.pandas_guard`` refuses it that import when a pipeline frame
made the call, and nobody else's.

Each case runs in a fresh interpreter, since whether pandas is loaded is decided once.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

LOADED = "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"


def run(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code + "\n" + LOADED],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


@pytest.mark.parametrize(
    ("code", "loaded"),
    [
        # the quirk: statements with parameters from pipeline code (migrations, query_frame)
        pytest.param(
            "import tempfile, duckdb\n"
            "from pipeline.warehouse import connect\n"
            "from pipeline.warehouse.frames import query_frame\n"
            "conn = connect(tempfile.mkdtemp() + '/w.duckdb')\n"
            "assert query_frame(conn, 'SELECT ? AS a', [1])['a'].to_list() == [1]",
            "[]",
            id="pipeline-parameters-load-no-pandas",
        ),
        # an import statement anywhere still gets pandas (Streamlit, the dashboards)
        pytest.param(
            "import pipeline.warehouse\nimport pandas",
            "['pandas', 'pyarrow']",
            id="import-statement-gets-pandas",
        ),
        # native code called from outside pipeline/ still gets it: DuckDB here, pyarrow too
        pytest.param(
            "import duckdb, pipeline.warehouse\n"
            "duckdb.connect().execute('SELECT ?', [1]).fetchall()",
            "['pandas', 'pyarrow']",
            id="duckdb-called-outside-pipeline-gets-pandas",
        ),
        pytest.param(
            "import pipeline.warehouse\nimport polars as pl\n"
            "assert pl.DataFrame({'a': [1]}).to_pandas().shape == (1, 1)",
            "['pandas', 'pyarrow']",
            id="pyarrow-to-pandas-gets-pandas",
        ),
    ],
)
def test_only_the_import_duckdb_makes_for_the_pipeline_is_refused(code: str, loaded: str) -> None:
    assert run(code)[-1] == loaded


def test_parameters_convert_the_same_without_pandas() -> None:
    out = run(
        "from datetime import UTC, date, datetime\n"
        "import duckdb\n"
        "from pipeline.warehouse.frames import query_frame\n"
        "frame = query_frame(duckdb.connect(), 'SELECT ? AS s, ? AS i, ? AS f, ? AS d, ? AS t', "
        "['x', 1, 2.5, date(2026, 1, 2), datetime(2026, 1, 2, 3, tzinfo=UTC)])\n"
        "print(frame.rows())"
    )
    assert out == [
        "[('x', 1, 2.5, datetime.date(2026, 1, 2), "
        "datetime.datetime(2026, 1, 2, 3, 0, tzinfo=zoneinfo.ZoneInfo(key='Etc/UTC')))]",
        "[]",
    ]
