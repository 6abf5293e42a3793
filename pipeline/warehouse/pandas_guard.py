"""Keeps DuckDB 1.5.5 from importing pandas behind our back.

DuckDB 1.5.5 imports pandas (and with it pyarrow and numpy, ~90 MB resident) the first time a
statement is executed with parameters, to check whether a value is a pandas object. DuckDB 2.0
does not, and the pin to 1.5.5 (docs/scaling.md) brought it back into every pipeline process.
Pandas is installed for the dashboards, so DuckDB finds it.

Contract: :func:`install` adds an import finder that refuses pandas only when native code asks
for it during a call made from the pipeline's own code (``pipeline/``, ``assets/``, ``bench/``):
DuckDB's C++ runs the import machinery while such a frame is inside a call (``conn.execute``),
not executing an ``import`` statement. None of them uses pandas. Everything else gets pandas as
usual: ``import pandas`` statements, ``importlib.import_module``, ``find_spec`` probes, and
native code called from anywhere else (the dashboards' ``.df()``, pyarrow's ``to_pandas``). Streamlit and notebooks
are untouched, and once pandas is loaded the finder is never consulted again. DuckDB treats the
refusal as "pandas is not installed" and converts parameters without it.
"""

from __future__ import annotations

import dis
import functools
import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

_IMPORT_NAME = dis.opmap["IMPORT_NAME"]
# the import system's own frames, which every import passes through
_MACHINERY = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")
_ROOT = Path(__file__).resolve().parents[2]
# code that never uses pandas: the dashboards (and tests) are not here
_OURS = tuple(str(_ROOT / package) + os.sep for package in ("pipeline", "assets", "bench"))


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


class _NativePandasGuard(MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname == "pandas" and _asked_by_native_code_for_us():
            raise ModuleNotFoundError("No module named 'pandas'", name=fullname)
        return None


def install() -> None:
    """Add the guard once per process (a no-op when pandas is already loaded)."""
    if "pandas" in sys.modules:
        return
    if not any(isinstance(finder, _NativePandasGuard) for finder in sys.meta_path):
        sys.meta_path.insert(0, _NativePandasGuard())
