"""Pandera's polars API, imported without pulling in pandas.

``import pandera`` imports pandas whenever pandas is installed (Streamlit needs it here), although
we only use ``pandera.polars``: ~70 MB of resident memory in every ingest and webhook-load
process, a quarter of the sweep's 300 MB budget. Pandera supports polars-only installs, where the
pandas import fails and is skipped (``pandera/__init__.py``, ``backends/register_checks.py``), so
the first import runs with pandas hidden, and so does one small validation: pandera tries pandas
again, lazily, the first time a check runs, and caches the answer. A process that already
imported pandas (Streamlit, a notebook) gets the ordinary import. Every module here imports
pandera through this one, so the hiding happens once and before anything else imports pandera.
``tests/unit/test_pandera_polars.py`` pins both: no pandas in a sweep, and identical validation.
"""

from __future__ import annotations

import contextlib
import sys

from pipeline.pandas_guard import RefusePandas


def _import_without_pandas() -> None:
    if "pandera" in sys.modules or "pandas" in sys.modules:
        return
    finder = RefusePandas()
    sys.meta_path.insert(0, finder)
    try:
        _warm_up()
    finally:
        sys.meta_path.remove(finder)


def _warm_up() -> None:
    """Import pandera.polars and run one failing lazy validation, so every optional pandas
    import on the validation path is tried (and its failure cached) while pandas is hidden."""
    import pandera.polars as pandera_polars
    import polars as pl
    from pandera.errors import SchemaErrors as Errors

    schema = pandera_polars.DataFrameSchema(
        {"n": pandera_polars.Column(pl.Int64, checks=pandera_polars.Check.ge(0))}
    )
    with contextlib.suppress(Errors):
        schema.validate(pl.DataFrame({"n": [-1]}), lazy=True)


_import_without_pandas()

import pandera.polars as pa  # noqa: E402
from pandera.errors import SchemaError, SchemaErrors  # noqa: E402

__all__ = ["SchemaError", "SchemaErrors", "pa"]
