"""The Dagster instance directory (``DAGSTER_HOME``): its ``dagster.yaml`` and the pool limit.

``python -m assets.instance`` prepares the instance the environment describes (``velora demo``
runs it before ``dagster dev``): see :func:`prepare_instance`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from assets.common import WAREHOUSE_POOL
from pipeline.config import POSTGRES_URL_VARIABLE, Settings

TEMPLATE = Path(__file__).with_name("dagster.yaml")

# Replaces the sqlite default under DAGSTER_HOME: runs, events and schedules in one PostgreSQL
# database. Dagster resolves `env:` when it loads the instance, so the URL and its password stay
# in the environment (a Secret on Kubernetes) and never reach the file.
POSTGRES_STORAGE = f"""
storage:
  postgres:
    postgres_url:
      env: {POSTGRES_URL_VARIABLE}
"""


def instance_yaml(*, postgres_storage: bool = False) -> str:
    """The text of ``dagster.yaml``: the template, plus PostgreSQL storage when asked for."""
    text = TEMPLATE.read_text(encoding="utf-8")
    return text + POSTGRES_STORAGE if postgres_storage else text


def write_dagster_home(home: str | Path, *, postgres_storage: bool = False) -> Path:
    """Write ``<home>/dagster.yaml`` (:func:`instance_yaml`); return the home.

    The file is replaced atomically and only when its content differs, so a running webserver or
    daemon never reads half a file and repeated calls are no-ops.
    """
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    wanted = instance_yaml(postgres_storage=postgres_storage)
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


def ensure_dagster_home(data_dir: str | Path, *, postgres_storage: bool = False) -> Path:
    """``<data_dir>/dagster_home`` written by :func:`write_dagster_home`."""
    return write_dagster_home(Path(data_dir) / "dagster_home", postgres_storage=postgres_storage)


def warehouse_pool_limit(settings: Settings) -> int:
    """Steps that may hold the warehouse at once: one on the DuckDB file (one read-write process
    per file), ``VELORA_WAREHOUSE_WRITERS`` on a lake. Every conflict there is retried by
    DuckLake or re-run by ``pipeline/warehouse/commits.py``, so more writers cost re-runs, never
    rows: keep the limit near the number of areas that write at once."""
    return 1 if settings.lake is None else settings.warehouse_writers


def apply_pool_limit(home: str | Path, settings: Settings) -> int:
    """Set the ``warehouse`` pool's limit on the instance at ``home``; return it.

    Dagster OSS keeps per-pool limits in the instance database, not in ``dagster.yaml`` (which only
    has the default, 1), so this is the same call as ``dagster instance concurrency set``.
    With PostgreSQL storage the URL variable must be in ``os.environ``: Dagster reads it there.
    """
    import dagster as dg

    limit = warehouse_pool_limit(settings)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, limit)
    return limit


def prepare_instance(settings: Settings) -> Path:
    """The instance for these settings: ``dagster.yaml`` at ``settings.dagster_home`` (PostgreSQL
    storage when ``VELORA_DAGSTER_POSTGRES_URL`` is set) and the ``warehouse`` pool's limit."""
    home = write_dagster_home(
        settings.dagster_home.resolve(), postgres_storage=settings.dagster_postgres_url is not None
    )
    apply_pool_limit(home, settings)
    return home


if __name__ == "__main__":
    prepared = prepare_instance(Settings.from_env())
    print(f"  Dagster instance at {prepared}")
