"""Blocking data-quality checks: one per (asset, table) pair, each a thin wrapper of a validator."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import dagster as dg
import duckdb

from assets.common import WAREHOUSE_POOL, warehouse_connection
from assets.resources import WarehouseResource, resolve_settings
from pipeline.ingest.checks import validate_table


class Report(Protocol):
    """What ``validate_table`` and ``validate_webhook_table`` both return."""

    @property
    def rows(self) -> int: ...
    @property
    def failures(self) -> Any: ...
    @property
    def passed(self) -> bool: ...
    @property
    def summary(self) -> Any: ...


Validator = Callable[[duckdb.DuckDBPyConnection, str], Report]
Opener = Callable[[Path], AbstractContextManager[duckdb.DuckDBPyConnection]]


def check_name(table: str) -> str:
    """``core.stream_snapshots`` -> ``valid_core_stream_snapshots`` (check names allow [A-Za-z0-9_])."""
    return "valid_" + table.replace(".", "_")


def table_check(
    asset_key: dg.AssetKey,
    table: str,
    validate: Validator = validate_table,
    open_warehouse: Opener = warehouse_connection,
) -> dg.AssetChecksDefinition:
    """A blocking check that fails when ``table`` holds rows its Pandera schema rejects."""

    @dg.asset_check(
        asset=asset_key,
        name=check_name(table),
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=f"Every row of {table} passes its Pandera schema (values, keys, grain).",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = resolve_settings(warehouse=warehouse)
        with open_warehouse(settings.warehouse_path) as conn:
            report = validate(conn, table)
        return dg.AssetCheckResult(
            passed=bool(report.passed),
            metadata={
                "table": table,
                "rows": int(report.rows),
                "failures": _count(report.failures),
                "summary": str(report.summary),
            },
        )

    return _check


def _count(failures: object) -> int:
    if isinstance(failures, int):
        return failures
    try:
        return len(failures)  # type: ignore[arg-type]
    except TypeError:
        return int(bool(failures))
