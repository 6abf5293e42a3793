"""One registry of every validated table: core, ops, webhook and mart tables alike.

``TABLES[name]`` gives a table's polars dtypes (column order of candidate frames), its Pandera
schema, its grain and, for time-partitioned tables, the column that holds the partition (a poll
tick or a day), so a check can read one partition and keep memory flat as history grows.
Everything else (``SCHEMAS``, ``FRAME_SCHEMAS``, the Dagster checks, ``velora warehouse check``)
is derived from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.pandera_polars import pa
from pipeline.schemas import core, marts, webhooks


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: dict[str, Any]  # column -> polars dtype, in table order
    schema: pa.DataFrameSchema
    grain: tuple[str, ...]
    partition_column: str | None = None  # None: validated whole


def _core_tables() -> dict[str, TableSpec]:
    return {
        name: TableSpec(
            name,
            core.FRAME_SCHEMAS[name],
            schema,
            core.GRAINS[name],
            core.SNAPSHOT_COLUMN.get(name),
        )
        for name, schema in core.SCHEMAS.items()
    }


def _webhook_tables() -> dict[str, TableSpec]:
    return {
        name: TableSpec(name, webhooks.POLARS_COLUMNS[name], schema, ("event_key",))
        for name, schema in webhooks.WEBHOOK_SCHEMAS.items()
    }


def _mart_tables() -> dict[str, TableSpec]:
    return {
        name: TableSpec(
            name,
            marts.MART_COLUMNS[name],
            schema,
            marts.MART_GRAINS[name],
            marts.MART_PARTITIONS[name],
        )
        for name, schema in marts.MART_SCHEMAS.items()
    }


TABLES: dict[str, TableSpec] = {**_core_tables(), **_webhook_tables(), **_mart_tables()}


class UnknownTableError(ValueError):
    """A table that has no schema in the registry."""


def table_spec(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTableError(
            f"no schema for {name!r}; known tables: {', '.join(TABLES)}"
        ) from None
