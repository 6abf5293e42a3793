"""Pandera (polars backend) schemas of the warehouse tables: one registry (``TABLES``) for
core, ops, webhook and mart tables, one report type, and the split of candidate rows."""

from pipeline.schemas.core import FRAME_SCHEMAS, GRAINS, SCHEMAS, SNAPSHOT_COLUMN
from pipeline.schemas.registry import TABLES, TableSpec, UnknownTableError, table_spec
from pipeline.schemas.report import ValidationReport, validate_frame
from pipeline.schemas.validate import SplitResult, rows_as_json, split_valid

__all__ = [
    "FRAME_SCHEMAS",
    "GRAINS",
    "SCHEMAS",
    "SNAPSHOT_COLUMN",
    "TABLES",
    "SplitResult",
    "TableSpec",
    "UnknownTableError",
    "ValidationReport",
    "rows_as_json",
    "split_valid",
    "table_spec",
    "validate_frame",
]
