"""The landing log: append-only segment files written with group commit.

Layout under the landing directory:

- ``seg-<time_ns>.open`` — the segment being written (at most one, by the single receiver).
- ``seg-<time_ns>.seg``  — sealed segments, immutable; the loader reads only these.
- ``.lock``              — ``flock``-ed by the receiver so two writers can never share a directory.

Durability: every request thread hands its framed record to one writer thread, which writes all
records queued so far in one ``write`` and ``fdatasync``s once, then wakes every waiter. A waiter is
only told "durable" after that fsync returned, so a 2xx always means "on disk".
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.webhooks.framing import LandingRecord, encode_record, scan_bytes

log = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
SEALED_SUFFIX = ".seg"
SEGMENT_PREFIX = "seg-"


class LandingError(RuntimeError):
    """The landing log could not make a record durable (disk full, I/O error, closed log)."""


class LandingLocked(LandingError):
    """Another process holds the landing directory."""


def sealed_segments(landing_dir: str | Path) -> list[str]:
    """Names of sealed segments, oldest first (names sort chronologically)."""
    path = Path(landing_dir)
    if not path.is_dir():
        return []
    return sorted(
        p.name
        for p in path.iterdir()
        if p.name.startswith(SEGMENT_PREFIX) and p.name.endswith(SEALED_SUFFIX)
    )


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class RecoveryReport:
    sealed: list[str]
    truncated_bytes: int
    removed_empty: list[str]


def recover_open_segments(landing_dir: Path) -> RecoveryReport:
    """Seal segments a crashed receiver left open, cutting any torn tail first.

    Everything before the first damaged byte was fsync'd before it was acknowledged; the damaged
    tail was never acknowledged (its fsync never returned), so it is safe to cut.
    """
    report = RecoveryReport(sealed=[], truncated_bytes=0, removed_empty=[])
    for path in sorted(landing_dir.glob(f"{SEGMENT_PREFIX}*{OPEN_SUFFIX}")):
        data = path.read_bytes()
        scan = scan_bytes(data)
        # Keep everything up to the last intact record (damage in the middle is left for the
        # loader to skip and report; only the tail is cut).
        keep = scan.last_record_end
        if keep == 0:
            path.unlink()
            report.removed_empty.append(path.name)
            continue
        if keep < len(data):
            with open(path, "r+b") as fh:
                fh.truncate(keep)
                fh.flush()
                os.fsync(fh.fileno())
            report.truncated_bytes += len(data) - keep
            log.warning("landing recovery: cut %d torn bytes from %s", len(data) - keep, path.name)
        sealed = path.with_name(path.name[: -len(OPEN_SUFFIX)] + SEALED_SUFFIX)
        os.rename(path, sealed)
        report.sealed.append(sealed.name)
    if report.sealed or report.removed_empty:
        fsync_dir(landing_dir)
    return report


# Waiters are either (loop, future) for asyncio callers or a threading-based _SyncWaiter.
class _SyncWaiter:
    __slots__ = ("event", "error")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.error: BaseException | None = None


_STOP = object()


@dataclass
class BatchStats:
    records: int
    bytes: int
    fsync_seconds: float


class LandingLog:
    """Single-writer, group-committing landing log. Use ``start()`` / ``close()``."""

    def __init__(
        self,
        landing_dir: str | Path,
        *,
        max_segment_bytes: int = 64 * 1024 * 1024,
        max_segment_age_seconds: float = 60.0,
        on_batch: Callable[[BatchStats], None] | None = None,
    ) -> None:
        self.landing_dir = Path(landing_dir)
        self.max_segment_bytes = max_segment_bytes
        self.max_segment_age_seconds = max_segment_age_seconds
        self.on_batch = on_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock_fd: int | None = None
        self._fd: int | None = None
        self._open_path: Path | None = None
        self._open_size = 0
        self._opened_at = 0.0
        self._closed = False
        self.last_error: str | None = None
        self.recovery: RecoveryReport | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self.landing_dir.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(self.landing_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock_fd)
            raise LandingLocked(
                f"landing directory {self.landing_dir} is in use by another receiver"
            ) from None
        self._lock_fd = lock_fd
        self.recovery = recover_open_segments(self.landing_dir)
        self._thread = threading.Thread(target=self._run, name="landing-writer", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Write everything queued, seal the open segment, release the directory."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    @property
    def open_segment(self) -> str | None:
        return self._open_path.name if self._open_path else None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._closed

    # -- appending ---------------------------------------------------------------------------
    async def append_async(self, record: LandingRecord) -> None:
        """Return once the record is fsync'd; raise LandingError if it could not be."""
        if self._closed:
            raise LandingError("landing log is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._queue.put((encode_record(record), loop, future))
        await future

    def append(self, record: LandingRecord) -> None:
        """Blocking variant of :meth:`append_async` (tests, tools)."""
        if self._closed:
            raise LandingError("landing log is closed")
        waiter = _SyncWaiter()
        self._queue.put((encode_record(record), None, waiter))
        waiter.event.wait()
        if waiter.error is not None:
            raise LandingError(str(waiter.error)) from waiter.error

    # -- writer thread -----------------------------------------------------------------------
    def _run(self) -> None:
        stop = False
        while not stop:
            timeout = self._idle_timeout()
            try:
                first = self._queue.get(timeout=timeout)
            except queue.Empty:
                self._seal_if_due()
                continue
            batch: list[tuple[bytes, asyncio.AbstractEventLoop | None, object]] = []
            item = first
            while True:
                if item is _STOP:
                    stop = True
                else:
                    batch.append(item)  # type: ignore[arg-type]
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._commit(batch)
            self._seal_if_due()
        # Anything queued while stopping is still written (nobody may wait forever).
        leftovers = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                leftovers.append(item)
        if leftovers:
            self._commit(leftovers)  # type: ignore[arg-type]
        self._seal()

    def _idle_timeout(self) -> float | None:
        if self._open_path is None:
            return None
        remaining = self._opened_at + self.max_segment_age_seconds - time.monotonic()
        return max(0.05, remaining)

    def _commit(self, batch: list[tuple[bytes, asyncio.AbstractEventLoop | None, object]]) -> None:
        error: BaseException | None = None
        data = b"".join(frame for frame, _, _ in batch)
        started = time.perf_counter()
        try:
            self._write_durably(data)
        except Exception as exc:  # OSError mostly; anything else must not kill the writer
            error = LandingError(f"landing write failed: {exc}")
            self.last_error = str(exc)
            log.error("landing write failed, %d records not acknowledged: %s", len(batch), exc)
        elapsed = time.perf_counter() - started
        if error is None and self.on_batch is not None:
            self.on_batch(BatchStats(records=len(batch), bytes=len(data), fsync_seconds=elapsed))
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for _, loop, waiter in batch:
            if loop is None:
                assert isinstance(waiter, _SyncWaiter)
                waiter.error = error
                waiter.event.set()
            else:
                by_loop.setdefault(loop, []).append(waiter)  # type: ignore[arg-type]
        for loop, futures in by_loop.items():
            # One wake-up per loop per batch rather than one per request.
            with contextlib.suppress(RuntimeError):  # loop already closed: nobody is waiting
                loop.call_soon_threadsafe(_settle, futures, error)

    def _write_durably(self, data: bytes) -> None:
        if self._fd is None or self._open_size >= self.max_segment_bytes:
            self._seal()
            self._open_new()
        assert self._fd is not None
        good_size = self._open_size
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fdatasync(self._fd)
        except OSError:
            # Cut the partial batch so later records stay readable, then start afresh.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, good_size)
                os.fdatasync(self._fd)
            self._seal()
            raise
        self._open_size += len(data)

    def _open_new(self) -> None:
        path = self.landing_dir / f"{SEGMENT_PREFIX}{time.time_ns():020d}{OPEN_SUFFIX}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o640)
        fsync_dir(self.landing_dir)  # the new name must survive a crash with its records
        self._fd, self._open_path, self._open_size = fd, path, 0
        self._opened_at = time.monotonic()

    def _seal_if_due(self) -> None:
        if self._open_path is None:
            return
        too_old = time.monotonic() - self._opened_at >= self.max_segment_age_seconds
        if too_old or self._open_size >= self.max_segment_bytes:
            self._seal()

    def _seal(self) -> None:
        if self._fd is None or self._open_path is None:
            return
        fd, path, size = self._fd, self._open_path, self._open_size
        self._fd, self._open_path, self._open_size = None, None, 0
        # Every acknowledged batch was already fdatasync'd; a failure here must not strand the
        # segment as ``.open`` (the loader only reads sealed ones).
        with contextlib.suppress(OSError):
            os.fsync(fd)
        with contextlib.suppress(OSError):
            os.close(fd)
        if size == 0:
            path.unlink(missing_ok=True)
        else:
            os.rename(path, path.with_name(path.name[: -len(OPEN_SUFFIX)] + SEALED_SUFFIX))
        fsync_dir(self.landing_dir)


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the request was cancelled (client went away)
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
