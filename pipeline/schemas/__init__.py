"""Pandera (polars backend) schemas of the warehouse tables."""

from pipeline.schemas.core import FRAME_SCHEMAS, GRAINS, SCHEMAS, SNAPSHOT_COLUMN
from pipeline.schemas.validate import SplitResult, rows_as_json, split_valid

__all__ = [
    "FRAME_SCHEMAS",
    "GRAINS",
    "SCHEMAS",
    "SNAPSHOT_COLUMN",
    "SplitResult",
    "rows_as_json",
    "split_valid",
]
