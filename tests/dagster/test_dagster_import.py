"""Loading the definitions has no side effects: no files, no VELORA_* reads, no network, no DuckDB."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter so every module is imported for real, under the guards below.
PROBE = r"""
import json, os, socket, sys

reads = []

class RecordingEnviron(dict):
    def _note(self, key):
        if isinstance(key, str) and key.startswith("VELORA_"):
            reads.append(key)
    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)
    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)
    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

os.environ = RecordingEnviron(os.environ)

def refuse(*args, **kwargs):
    raise AssertionError(f"network use at import time: {args!r}")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse

import duckdb

def no_duckdb(*args, **kwargs):
    raise AssertionError(f"duckdb.connect at import time: {args!r}")

duckdb.connect = no_duckdb

from assets.definitions import defs

repo = defs.get_repository_def()  # resolves every asset, check, job, schedule and sensor
print(json.dumps({"assets": len(repo.asset_graph.get_all_asset_keys()), "velora_reads": reads}))
"""


def test_importing_definitions_touches_nothing(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VELORA_", "DAGSTER_HOME"))
    }
    env["PYTHONPATH"] = str(REPO)
    env["VELORA_WAREHOUSE"] = str(tmp_path / "must-not-exist.duckdb")
    before = sorted(tmp_path.iterdir())
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["assets"] > 0
    assert report["velora_reads"] == []
    assert sorted(tmp_path.iterdir()) == before  # no data/, no warehouse, no dagster_home
