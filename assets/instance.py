"""The Dagster instance directory (``DAGSTER_HOME``) under the data directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).with_name("dagster.yaml")


def ensure_dagster_home(data_dir: str | Path) -> Path:
    """Write ``<data_dir>/dagster_home/dagster.yaml`` from ``assets/dagster.yaml``; return the home.

    The file is replaced atomically and only when its content differs, so a running webserver or
    daemon never reads half a file and repeated calls are no-ops.
    """
    home = Path(data_dir) / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    wanted = TEMPLATE.read_text(encoding="utf-8")
    if target.is_file() and target.read_text(encoding="utf-8") == wanted:
        return home
    fd, tmp = tempfile.mkstemp(dir=home, prefix=".dagster.yaml.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(wanted)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return home
