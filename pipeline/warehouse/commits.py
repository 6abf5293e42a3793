"""Re-running a whole transaction that lost a DuckLake commit conflict, then failing loudly.

DuckLake retries a conflicting commit itself (``RETRY_SETTINGS`` in lake.py) only when the two
transactions' changes can both stand, e.g. two appends. It does NOT retry when both deleted from
a table one of them writes: two mart builds replacing days of one mart, even different days.
That COMMIT fails with "Transaction conflict", and a commit whose retries ran out fails with
"Exceeded the maximum retry count" (measured with duckdb 1.5.5, docs/scaling.md § Conflicts).
Retention, which deletes, is wrapped too.

:func:`run_transaction` runs the caller's whole transaction function again on those errors: the
function reads the lake afresh (its anti-joins and partition replaces see the winner's rows), so
a re-run writes exactly what a lone writer would have. Any other error is raised at once; a
conflict that outlasts :data:`ATTEMPTS` raises :class:`WarehouseConflictError`. Nothing is
silently dropped. On the DuckDB file (one writer) the errors never occur and this is a plain call.

DuckLake only sees a conflict where one transaction deleted from a table the other writes. Two
builds of a day not built yet delete nothing, and two loads of the same rows are both plain
appends: DuckLake commits both and the rows are stored twice (measured). :func:`claim` closes
that hole: inside the transaction it updates the one row of a small per-writer table
(``ops.claim_<name>``), so two transactions claiming the same name always conflict and the loser
re-runs on the winner's rows. Claims of different names never meet.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb

from pipeline.warehouse.errors import WarehouseConflictError
from pipeline.warehouse.lake import is_lake

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 6
# 0.2 s, 0.4 s, ... doubled, with jitter so two losers do not collide again in lockstep: a
# conflicting mart build is a few seconds at most, so five waits (~6 s in all) outlast a winner.
FIRST_WAIT_S = 0.2
# DuckLake's messages for a commit it did not (or could no longer) retry itself.
CONFLICT_MARKERS = ("Transaction conflict", "Exceeded the maximum retry count")


_CLAIM_NAME = re.compile(r"[a-z][a-z0-9_]{0,50}")


def claim_table(name: str) -> str:
    if not _CLAIM_NAME.fullmatch(name):
        raise ValueError(f"claim names are lower-case identifiers, got {name!r}")
    return f"ops.claim_{name}"


def claim(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    """Inside the caller's open transaction: make every concurrent transaction that claims
    ``name`` conflict with this one (a no-op on the DuckDB file, whose writer is alone)."""
    if not is_lake(conn):
        return
    table = claim_table(name)
    # In the transaction, so two first claims conflict too: both create the table, and DuckLake
    # refuses the second commit. Afterwards both statements are no-ops.
    conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (claimed_at TIMESTAMPTZ)")
    conn.execute(f"INSERT INTO {table} SELECT now() WHERE NOT EXISTS (FROM {table})")  # noqa: S608
    # an UPDATE deletes the row and writes it again: DuckLake refuses a second such commit
    conn.execute(f"UPDATE {table} SET claimed_at = now()")  # noqa: S608


def is_commit_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` is a DuckLake commit that lost to a concurrent writer."""
    return isinstance(exc, duckdb.TransactionException) and any(
        marker in str(exc) for marker in CONFLICT_MARKERS
    )


def rollback(conn: duckdb.DuckDBPyConnection) -> None:
    """End a failed transaction. A failed COMMIT has rolled back already, and ROLLBACK would then
    raise "no transaction is active", hiding the error that matters."""
    with contextlib.suppress(duckdb.TransactionException):
        conn.execute("ROLLBACK")


def run_transaction(
    transaction: Callable[[], T],
    *,
    what: str,
    attempts: int | None = None,
    first_wait_s: float = FIRST_WAIT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``transaction()`` (a whole BEGIN..COMMIT, rolled back on error, idempotent to re-run),
    again after a commit conflict, up to ``attempts`` times in all. ``what`` names the write
    in logs and in the final error; ``attempts`` defaults to :data:`ATTEMPTS`."""
    attempts = ATTEMPTS if attempts is None else attempts
    for attempt in range(1, attempts + 1):
        try:
            return transaction()
        except duckdb.TransactionException as exc:
            if not is_commit_conflict(exc):
                raise
            if attempt == attempts:
                raise WarehouseConflictError(
                    f"{what}: the commit lost to concurrent writers {attempts} times; nothing of "
                    f"it is stored. Re-run it, or run fewer writers of the same tables at once "
                    f"(last error: {exc})"
                ) from exc
            wait = first_wait_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)  # noqa: S311
            log.warning("%s: commit conflict (attempt %d of %d), again in %.2fs", what, attempt,
                        attempts, wait)  # fmt: skip
            sleep(wait)
    raise AssertionError("unreachable")
