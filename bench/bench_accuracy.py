"""Benchmark: the marts' accuracy against the twin's ground truth (see bench/accuracy.py).

``make bench`` runs it at the size recorded in docs/benchmarks.md; ``python -m bench accuracy``
runs it alone; ``python bench/accuracy.py --help`` for the size, days and cadences.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.accuracy import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
