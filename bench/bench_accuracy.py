"""Benchmark: the marts' accuracy against the twin's ground truth (see bench/accuracy.py).

Without arguments (``make bench``, ``python -m bench accuracy``) it runs the size recorded in
docs/benchmarks.md, which fits the shared 2-core machine: 2,000 creators, 1 simulated day at 1 and 15 minutes
and 3 days at 5 minutes (~25 min), merged into pipeline/marts/accuracy.json.
With arguments they go to ``bench/accuracy.py`` (``--help`` for size, days and cadences).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.accuracy import DEFAULT_OUT, main  # noqa: E402

RUNS = (["--days", "1", "--cadences", "1,15"], ["--days", "3", "--cadences", "5"])


def recorded_size() -> int:
    with tempfile.TemporaryDirectory(prefix="velora-accuracy-runs-") as tmp:
        parts = [Path(tmp) / f"run{i}.json" for i in range(len(RUNS))]
        for run, part in zip(RUNS, parts, strict=True):
            if main([*run, "--out", str(part)]):
                return 1
        return main(["--merge", *map(str, parts), "--out", str(DEFAULT_OUT)])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]) if sys.argv[1:] else recorded_size())
