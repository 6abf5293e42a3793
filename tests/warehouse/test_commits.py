"""run_transaction: a DuckLake commit conflict re-runs the whole transaction, anything else is
raised at once, and a conflict that never clears is a loud WarehouseConflictError."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb
import pytest

from pipeline.warehouse import WarehouseConflictError
from pipeline.warehouse.commits import is_commit_conflict, rollback, run_transaction

# DuckLake 1.5.5's own messages (tests/lake/test_lake_writers.py raises them for real)
DELETED_UNDER_US = duckdb.TransactionException(
    "TransactionContext Error: Failed to commit: Failed to commit DuckLake transaction.\n"
    'Transaction conflict - attempting to insert into table with index "5" - but another '
    "transaction has deleted from it"
)
RETRIES_RAN_OUT = duckdb.TransactionException(
    "TransactionContext Error: Failed to commit: Failed to commit DuckLake transaction.\n"
    "Exceeded the maximum retry count of 30 set by the ducklake_max_retry_count setting."
)
NOT_A_CONFLICT = duckdb.TransactionException(
    "TransactionContext Error: cannot rollback - no transaction is active"
)


def _script(outcomes: Sequence[BaseException | str]) -> tuple[Callable[[], str], list[int]]:
    """A transaction that raises or returns ``outcomes`` in turn; counts its calls."""
    calls: list[int] = []

    def transaction() -> str:
        calls.append(1)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return transaction, calls


@pytest.mark.parametrize(
    ("outcomes", "calls"),
    [
        pytest.param(["ok"], 1, id="no-conflict-runs-once"),
        # two mart builds replacing days of one table: DuckLake does not retry, we do
        pytest.param([DELETED_UNDER_US, "ok"], 2, id="deleted-under-us-then-success"),
        # DuckLake's own retries ran out: the whole transaction may still win later
        pytest.param([RETRIES_RAN_OUT, DELETED_UNDER_US, "ok"], 3, id="retries-ran-out-twice"),
    ],
)
def test_a_conflict_reruns_the_whole_transaction(
    outcomes: list[BaseException | str], calls: int
) -> None:
    transaction, made = _script(outcomes)
    waits: list[float] = []
    assert run_transaction(transaction, what="test write", sleep=waits.append) == "ok"
    assert len(made) == calls
    assert len(waits) == calls - 1
    assert all(w > 0 for w in waits)


@pytest.mark.parametrize(
    "error",
    [
        # a transaction error that is no commit conflict must not be masked by re-running
        pytest.param(NOT_A_CONFLICT, id="other-transaction-error"),
        pytest.param(duckdb.CatalogException("Table core.x does not exist"), id="catalog-error"),
        pytest.param(ValueError("bad frame"), id="python-error"),
    ],
)
def test_any_other_error_is_raised_at_once(error: BaseException) -> None:
    transaction, made = _script([error, "ok"])
    with pytest.raises(type(error)) as raised:
        run_transaction(transaction, what="test write", sleep=lambda _: None)
    assert raised.value is error
    assert len(made) == 1


@pytest.mark.parametrize("attempts", [1, 3])
def test_a_conflict_that_never_clears_fails_loudly(attempts: int) -> None:
    transaction, made = _script([DELETED_UNDER_US] * attempts)
    with pytest.raises(WarehouseConflictError, match=rf"mart x: .* {attempts} times") as raised:
        run_transaction(transaction, what="mart x", attempts=attempts, sleep=lambda _: None)
    assert raised.value.__cause__ is DELETED_UNDER_US  # the DuckLake message is kept
    assert len(made) == attempts


def test_backoff_doubles_between_attempts() -> None:
    transaction, _ = _script([DELETED_UNDER_US] * 4 + ["ok"])
    waits: list[float] = []
    run_transaction(transaction, what="w", first_wait_s=1.0, sleep=waits.append)
    # jitter is 0.5x..1.5x around 1, 2, 4, 8 s
    for wait, base in zip(waits, [1, 2, 4, 8], strict=True):
        assert 0.5 * base <= wait <= 1.5 * base


@pytest.mark.parametrize(
    ("error", "conflict"),
    [
        pytest.param(DELETED_UNDER_US, True, id="deleted-under-us"),
        pytest.param(RETRIES_RAN_OUT, True, id="retries-ran-out"),
        pytest.param(NOT_A_CONFLICT, False, id="no-transaction"),
        # the text alone is not enough: only a TransactionException is a failed commit
        pytest.param(RuntimeError("Transaction conflict"), False, id="wrong-type"),
    ],
)
def test_is_commit_conflict(error: BaseException, conflict: bool) -> None:
    assert is_commit_conflict(error) is conflict


def test_rollback_after_a_failed_commit_is_quiet() -> None:
    conn = duckdb.connect()
    rollback(conn)  # no transaction: a plain ROLLBACK would raise and hide the real error
    conn.execute("BEGIN TRANSACTION")
    conn.execute("CREATE TABLE t (i INT)")
    rollback(conn)
    assert conn.execute("SELECT count(*) FROM information_schema.tables").fetchall() == [(0,)]
