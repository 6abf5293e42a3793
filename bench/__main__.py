"""``make bench``: run every ``bench/bench_*.py`` in turn and keep each one's output.

Each benchmark prints its own medians and ratios; the output also lands in
``bench/results/<name>.txt`` (git-ignored) so ``docs/benchmarks.md`` can quote a run.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine_line() -> str:
    cores = len(__import__("os").sched_getaffinity(0))
    return f"{platform.machine()} · {cores} cores · Python {platform.python_version()} · {platform.platform()}"


def main(argv: list[str]) -> int:
    selected = set(argv)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    print(f"machine: {machine_line()}", flush=True)
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        if selected and not {script.stem, script.stem.removeprefix("bench_")} & selected:
            continue
        print(f"\n=== {script.stem} ===", flush=True)
        proc = subprocess.run(
            [sys.executable, str(script)], cwd=HERE.parent, capture_output=True, text=True
        )
        output = proc.stdout + (f"\n[stderr]\n{proc.stderr}" if proc.returncode else "")
        print(output, flush=True)
        (results / f"{script.stem}.txt").write_text(output)
        failures += proc.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
