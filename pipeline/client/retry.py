"""What to do with each HTTP status, how long to back off, and the retry budgets."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    OK = "ok"  # parse the body and return it
    FAIL = "fail"  # raise the typed error at once; retrying cannot help
    REAUTH = "reauth"  # fetch a new token once and repeat; then VeloraAuthError
    WAIT = "wait"  # 429: wait Retry-After / retry_after, then repeat (not a retry)
    RETRY = "retry"  # transient: jittered exponential backoff within the budgets


# The status → action table (documented in docs/client.md). Statuses not listed fall back by
# class: 2xx OK, other 4xx FAIL, other 5xx RETRY.
STATUS_ACTIONS: dict[int, Action] = {
    200: Action.OK,
    201: Action.OK,
    204: Action.OK,
    400: Action.FAIL,
    401: Action.REAUTH,
    403: Action.FAIL,
    404: Action.FAIL,
    408: Action.RETRY,
    409: Action.FAIL,
    422: Action.FAIL,
    429: Action.WAIT,
    500: Action.RETRY,
    502: Action.RETRY,
    503: Action.RETRY,
    504: Action.RETRY,
}


def action_for(status: int) -> Action:
    if status in STATUS_ACTIONS:
        return STATUS_ACTIONS[status]
    if 200 <= status < 300:
        return Action.OK
    if status >= 500:
        return Action.RETRY
    return Action.FAIL


class Backoff:
    """Exponential backoff with equal jitter: half the step fixed, half random."""

    def __init__(self, base: float, cap: float, rng: random.Random | None = None) -> None:
        self._base = base
        self._cap = cap
        self._rng = rng or random.Random()
        self._lock = threading.Lock()

    def delay(self, retry_number: int) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry)."""
        step = min(self._cap, self._base * (2 ** max(retry_number - 1, 0)))
        with self._lock:  # random.Random is not safe to share across threads
            jitter = self._rng.random()
        return step / 2 + jitter * step / 2


class RetryBudget:
    """Client-wide retry allowance: a bucket of ``capacity`` retries that refills by ``refill``
    for every request that succeeded on its first try, so a sick server cannot make one client
    multiply its load, while a healthy long run keeps its ability to ride out blips."""

    def __init__(self, capacity: int, refill: float) -> None:
        self._capacity = float(capacity)
        self._tokens = float(capacity)
        self._refill = refill
        self._lock = threading.Lock()

    def try_spend(self) -> bool:
        with self._lock:
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False

    def credit_success(self) -> None:
        with self._lock:
            self._tokens = min(self._capacity, self._tokens + self._refill)

    @property
    def remaining(self) -> float:
        with self._lock:
            return self._tokens


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return None
        return number if number >= 0 else None
    return None


def retry_after_seconds(headers: Mapping[str, str], body: Any, *, now: float) -> float | None:
    """Seconds a 429/503 asks us to wait: the larger of the ``Retry-After`` header (seconds or
    HTTP date) and the body's ``retry_after``; None when neither says anything usable."""
    candidates: list[float] = []
    header = headers.get("retry-after")
    if header is not None:
        seconds = _seconds(header)
        if seconds is None:
            try:
                seconds = max(parsedate_to_datetime(header).timestamp() - now, 0.0)
            except (TypeError, ValueError, IndexError):
                seconds = None
        if seconds is not None:
            candidates.append(seconds)
    if isinstance(body, dict):
        for key in ("retry_after", "retryAfter"):
            seconds = _seconds(body.get(key))
            if seconds is not None:
                candidates.append(seconds)
    return max(candidates) if candidates else None
