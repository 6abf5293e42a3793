"""The warehouse (a DuckDB file, or DuckLake): connection + migrations, raw writes, core loads,
marts, publishing."""

from pipeline.warehouse.connection import Warehouse, connect
from pipeline.warehouse.errors import (
    MigrationError,
    NoPublishedSnapshotError,
    WarehouseConflictError,
    WarehouseError,
    WarehouseLockedError,
    WarehouseMissingError,
)
from pipeline.warehouse.migrations import migrate
from pipeline.warehouse.snapshots import (
    current_snapshot_path,
    open_published,
    publish,
    publish_for_readers,
    publish_from,
    published_note,
)

__all__ = [
    "MigrationError",
    "NoPublishedSnapshotError",
    "WarehouseConflictError",
    "WarehouseError",
    "WarehouseLockedError",
    "Warehouse",
    "WarehouseMissingError",
    "connect",
    "current_snapshot_path",
    "migrate",
    "open_published",
    "publish",
    "publish_for_readers",
    "publish_from",
    "published_note",
]
