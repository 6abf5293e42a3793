"""Whether a day of the marts reconciles with what it came from (a blocking check).

Row rules (no negatives, average within peak, sessions never overlapping) are Pandera schemas
checked per partition (``pipeline.warehouse.tables.check_table``); this adds the sums across
tables: sessions = their intervals, channel-days = the day's intervals, and every event count of
``marts.monetization_daily`` = the core events of the day.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from pipeline.marts.sqlfiles import mart_sql
from pipeline.schemas import ValidationReport


def reconcile_day(
    conn: duckdb.DuckDBPyConnection, day: date, mart: str | None = None
) -> ValidationReport:
    """The day's totals of one mart (or of all: ``mart=None``) against their sources."""
    found = [
        (name, source, value)
        for owner, name, source, value in conn.execute(
            mart_sql("reconcile.sql"), {"day": day}
        ).fetchall()
        if mart is None or owner == mart
    ]
    failing = [(name, source, value) for name, source, value in found if source != value]
    examples = [{"check": n, "source": s, "mart": m} for n, s, m in failing]
    if failing:
        parts = "; ".join(f"{n}: source {s} vs mart {m}" for n, s, m in failing)
        summary = f"marts on {day}: {len(failing)} of {len(found)} totals differ ({parts})"
    else:
        summary = f"marts on {day}: {len(found)} totals reconcile"
    return ValidationReport(
        mart or "marts", len(found), len(failing), not failing, summary, examples, None
    )


def check_days(
    conn: duckdb.DuckDBPyConnection, name: str, start: date, end: date
) -> dict[str, ValidationReport]:
    """Every rule a mart's build must pass over ``[start, end)``, one report per check: each
    table's Pandera schema, day by day, and the day's reconciliation. A report fails when any
    day fails; its summary names the first failing day."""
    from pipeline.marts.registry import MARTS
    from pipeline.warehouse.tables import check_table

    mart = MARTS[name]
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    per_check: dict[str, list[ValidationReport]] = {}
    for day in days:
        for table in mart.tables:
            per_check.setdefault(table, []).append(check_table(conn, table, day=day))
        per_check.setdefault("reconcile", []).append(reconcile_day(conn, day, name))
    return {check: _combined(check, reports) for check, reports in per_check.items()}


def _combined(check: str, reports: list[ValidationReport]) -> ValidationReport:
    failing = [r for r in reports if not r.passed]
    rows = sum(r.rows for r in reports)
    if failing:
        first = failing[0]
        summary = f"{len(failing)} of {len(reports)} days fail; first: {first.summary}"
        return ValidationReport(
            check, rows, sum(r.failures for r in failing), False, summary, first.failure_examples
        )
    return ValidationReport(check, rows, 0, True, f"{len(reports)} days pass ({rows:,} rows)")
