"""Blocking data-quality checks: one per (asset, table) pair, each a thin wrapper of a validator."""

from collections.abc import Callable
from contextlib import AbstractContextManager

import dagster as dg
import duckdb

from assets.common import WAREHOUSE_POOL, warehouse_connection
from assets.resources import WarehouseResource, resolve_settings
from pipeline.warehouse import Warehouse
from pipeline.warehouse.tables import check_table

Opener = Callable[[Warehouse], AbstractContextManager[duckdb.DuckDBPyConnection]]


def check_name(table: str) -> str:
    """``core.stream_snapshots`` -> ``valid_core_stream_snapshots`` (check names allow [A-Za-z0-9_])."""
    return "valid_" + table.replace(".", "_")


def table_check(
    asset_key: dg.AssetKey, table: str, open_warehouse: Opener = warehouse_connection
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
        with open_warehouse(settings.warehouse) as conn:
            report = check_table(conn, table)
        return dg.AssetCheckResult(
            passed=report.passed,
            metadata={
                "table": table,
                "rows": int(report.rows),
                "failures": report.failures,
                "summary": report.summary,
            },
        )

    return _check
