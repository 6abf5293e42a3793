"""Value checks of the webhook tables (Dagster asset checks call :func:`validate_webhook_table`)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.pandera_polars import SchemaErrors
from pipeline.warehouse.frames import query_frame
from pipeline.webhooks.schemas import POLARS_COLUMNS, WEBHOOK_SCHEMAS


class UnknownWebhookTable(ValueError):
    """The table is not one of the webhook tables."""


@dataclass(frozen=True)
class WebhookValidationReport:
    table: str
    rows: int
    failures: int  # failing (check, value) cases reported by Pandera
    passed: bool
    summary: str  # one line per failing check, or "ok"


def validate_webhook_table(conn: duckdb.DuckDBPyConnection, table: str) -> WebhookValidationReport:
    if table not in WEBHOOK_SCHEMAS:
        raise UnknownWebhookTable(
            f"{table!r} is not a webhook table; expected one of {sorted(WEBHOOK_SCHEMAS)}"
        )
    columns = ", ".join(POLARS_COLUMNS[table])
    # Table and column names come from the fixed schema map above, never from input.
    select = columns.replace("payload", "CAST(payload AS VARCHAR) AS payload")
    df = query_frame(conn, f"SELECT {select} FROM {table}")  # noqa: S608
    try:
        WEBHOOK_SCHEMAS[table].validate(df, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        lines = sorted(
            {
                f"{row['column']}: {row['check']}"
                for row in cases.select("column", "check").to_dicts()
            }
        )
        return WebhookValidationReport(table, df.height, cases.height, False, "; ".join(lines))
    return WebhookValidationReport(table, df.height, 0, True, "ok")
