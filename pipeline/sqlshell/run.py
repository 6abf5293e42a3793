"""One run of SQL text (``-c``, ``--file``, piped stdin, or one REPL statement): every statement
in order against one snapshot, each result printed, stopping at the first error."""

from __future__ import annotations

from typing import TextIO

from pipeline.sqlshell.formats import write_result
from pipeline.sqlshell.snapshot import (
    QueryError,
    current_snapshot,
    run_statement,
    snapshot_name,
    split_statements,
)
from pipeline.warehouse.reading import ReadSource


def run_sql(source: ReadSource, sql: str, fmt: str, out: TextIO) -> str:
    """Run ``sql`` against the state current now; returns its name (snapshot file or lake
    commit).

    Raises :class:`QueryError` (numbered by statement when there are several) on the first
    failing statement; the results before it are already printed.
    """
    with current_snapshot(source) as conn:
        name = snapshot_name(conn)
        statements = split_statements(conn, sql)
        if not statements:
            raise QueryError("no SQL statement given")
        printed = 0
        for number, statement in enumerate(statements, start=1):
            try:
                result = run_statement(conn, statement)
                if result is None:
                    continue
                if printed and fmt != "json":  # a blank line between tables (and csv)
                    out.write("\n")
                write_result(out, fmt, result.columns, result.batches)
                printed += 1
            except QueryError as exc:
                where = f"statement {number}: " if len(statements) > 1 else ""
                raise QueryError(where + str(exc)) from None
            finally:
                out.flush()
    return name
