"""Keeping pandas out of pipeline processes, which never use it.

Pandas is installed for the dashboards, and two libraries import it whenever it is there: pandera
when it is first imported (``pipeline/pandera_polars.py``), and DuckDB 1.5.5 at the first
statement with parameters, to check whether a value is a pandas object (DuckDB 2.0 does not).
Each costs ~70–90 MB (pandas, pyarrow, numpy) in every ingest, load and mart process.
:class:`RefusePandas` makes ``import pandas`` fail like an uninstalled package whenever its
predicate says so, and both libraries then carry on without pandas.

Contract of :func:`install` (for DuckDB, for the life of the process): pandas is refused only
when native code asks for it during a call made from the pipeline's own code (``pipeline/``,
``assets/``, ``bench/``, none of which uses pandas). DuckDB's C++ runs the import machinery while
such a frame is inside a call (``conn.execute``), not executing an ``import`` statement. Everything
else gets pandas as usual: ``import pandas`` statements, ``importlib.import_module``, ``find_spec``
probes, and native code called from anywhere else (the dashboards' ``.df()``, pyarrow's
``to_pandas``). Streamlit and notebooks are untouched, and once pandas is loaded no finder is
consulted again. DuckDB does not cache the refusal, so the guard cannot be a one-off warm-up.
"""

from __future__ import annotations

import dis
import functools
import os
import sys
from collections.abc import Callable, Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

_IMPORT_NAME = dis.opmap["IMPORT_NAME"]
# the import system's own frames, which every import passes through
_MACHINERY = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")
_ROOT = Path(__file__).resolve().parents[1]
# code that never uses pandas: the dashboards (and tests) are not here
_OURS = tuple(str(_ROOT / package) + os.sep for package in ("pipeline", "assets", "bench"))


class RefusePandas(MetaPathFinder):
    """Makes ``import pandas`` (and its submodules) fail like an uninstalled package whenever
    ``refuse()`` is true; always, by default."""

    def __init__(self, refuse: Callable[[], bool] | None = None) -> None:
        self.refuse = refuse

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if (fullname == "pandas" or fullname.startswith("pandas.")) and (
            self.refuse is None or self.refuse()
        ):
            # pandera only skips pandas on exactly this message; anything else is re-raised
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


@functools.cache
def _is_ours(filename: str) -> bool:
    # a module imported through a relative sys.path entry has a relative co_filename
    return os.path.realpath(filename).startswith(_OURS)


def _asked_by_native_code_for_us() -> bool:
    """Whether the import being resolved was started by native code that a frame of the
    pipeline's own code called, not by Python."""
    frame = sys._getframe(2)  # past this function and find_spec
    while frame is not None and frame.f_code.co_filename in _MACHINERY:
        frame = frame.f_back
    if frame is None or not _is_ours(frame.f_code.co_filename):
        return False
    # an `import` statement is the IMPORT_NAME the frame is executing; a call means native code
    return frame.f_code.co_code[frame.f_lasti] != _IMPORT_NAME


_DUCKDB_GUARD = RefusePandas(_asked_by_native_code_for_us)


def install() -> None:
    """Add the DuckDB guard once per process (a no-op when pandas is already loaded)."""
    if "pandas" not in sys.modules and _DUCKDB_GUARD not in sys.meta_path:
        sys.meta_path.insert(0, _DUCKDB_GUARD)
