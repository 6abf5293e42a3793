"""The landing log: append-only segment files written with group commit.

Layout under the landing directory:

- ``seg-<time_ns>.open`` — the segment being written (at most one, by the single receiver).
- ``seg-<time_ns>.seg``  — sealed segments, immutable; the loader reads only these.
- ``.lock``              — ``flock``-ed by the receiver so two writers can never share a directory.

Durability (group commit): requests hand their framed record to one writer thread, which writes
all records queued so far in one ``write`` and gives the batch to an fsync worker; the worker's
``fdatasync`` returns, then every waiter of the batch is woken. A waiter is only told "durable"
after an fsync issued after its bytes were written returned, so a 2xx always means "on disk".
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
from concurrent.futures import ThreadPoolExecutor
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
Item = tuple[bytes, "asyncio.AbstractEventLoop | None", object]


@dataclass
class BatchStats:
    records: int
    bytes: int
    fsync_seconds: float


class _Segment:
    """The open segment: one append fd for the writer, one fd per fsync worker.

    Each worker fsyncs through its own file description so that a writeback error is reported
    to every worker whose fsync covers it (Linux reports an error once per description).
    """

    def __init__(self, path: Path, workers: int) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o640)
        self.sync_fds: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._all_sync_fds = [os.open(path, os.O_RDONLY) for _ in range(workers)]
        for fd in self._all_sync_fds:
            self.sync_fds.put(fd)
        self.size = 0
        self.opened_at = time.monotonic()
        self.poisoned = False
        self.pending = 0
        self.idle = threading.Condition()

    def wait_idle(self) -> None:
        with self.idle:
            while self.pending:
                self.idle.wait()

    def close_fds(self) -> None:
        for fd in (self.fd, *self._all_sync_fds):
            with contextlib.suppress(OSError):
                os.close(fd)


class LandingLog:
    """Single-writer, group-committing landing log. Use ``start()`` / ``close()``.

    One writer thread takes every queued record, appends them with one ``write`` and
    ``fdatasync``s; while it syncs, new records pile up into the next, bigger batch, so fsync
    cost is shared and batch size adapts to disk latency. With ``fsync_workers > 1`` the writer
    hands batches to that many fsync threads so fsyncs overlap (the kernel runs concurrent
    fdatasyncs of one file in parallel) — useful when few senders are in flight and the disk is
    slow; the default (1) syncs inline, which costs the fewest GIL hand-offs. A waiter is
    released only after an fdatasync issued *after* its bytes were written returned.
    """

    def __init__(
        self,
        landing_dir: str | Path,
        *,
        max_segment_bytes: int = 64 * 1024 * 1024,
        max_segment_age_seconds: float = 60.0,
        fsync_workers: int = 1,
        on_batch: Callable[[BatchStats], None] | None = None,
    ) -> None:
        if fsync_workers < 1:
            raise ValueError(f"fsync_workers must be at least 1, got {fsync_workers}")
        self.landing_dir = Path(landing_dir)
        self.max_segment_bytes = max_segment_bytes
        self.max_segment_age_seconds = max_segment_age_seconds
        self.fsync_workers = fsync_workers
        self.on_batch = on_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._slots = threading.Semaphore(fsync_workers)
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._lock_fd: int | None = None
        self._segment: _Segment | None = None
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
        self._pool = ThreadPoolExecutor(self.fsync_workers, thread_name_prefix="landing-fsync")
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
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    @property
    def open_segment(self) -> str | None:
        segment = self._segment
        return segment.path.name if segment else None

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
            try:
                first = self._queue.get(timeout=self._idle_timeout())
            except queue.Empty:
                self._seal_if_due()
                continue
            # Wait for a free fsync worker *before* draining: what arrives meanwhile joins this batch.
            self._slots.acquire()
            batch: list[Item] = []
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
                self._write_and_dispatch(batch)
            else:
                self._slots.release()
            self._seal_if_due()
        # Anything queued while stopping is still written (nobody may wait forever).
        leftovers: list[Item] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                leftovers.append(item)  # type: ignore[arg-type]
        if leftovers:
            self._slots.acquire()
            self._write_and_dispatch(leftovers)
        self._seal()

    def _idle_timeout(self) -> float | None:
        segment = self._segment
        if segment is None:
            return None
        remaining = segment.opened_at + self.max_segment_age_seconds - time.monotonic()
        return max(0.05, remaining)

    def _write_and_dispatch(self, batch: list[Item]) -> None:
        """Append the batch (caller holds one fsync slot) and hand it to an fsync worker."""
        data = b"".join(frame for frame, _, _ in batch)
        try:
            segment = self._writable_segment()
            view = memoryview(data)
            while view:
                written = os.write(segment.fd, view)
                view = view[written:]
        except Exception as exc:  # OSError mostly; anything else must not kill the writer
            if self._segment is not None:
                self._segment.poisoned = True  # sealed before the next write
            self._fail(batch, exc)
            self._slots.release()
            return
        segment.size += len(data)
        with segment.idle:
            segment.pending += 1
        if self.fsync_workers == 1:  # no overlap wanted: skip the hand-off to a worker thread
            self._sync_and_settle(segment, batch, len(data))
        else:
            assert self._pool is not None
            self._pool.submit(self._sync_and_settle, segment, batch, len(data))

    def _sync_and_settle(self, segment: _Segment, batch: list[Item], nbytes: int) -> None:
        started = time.perf_counter()
        error: BaseException | None = None
        fd = segment.sync_fds.get()
        try:
            os.fdatasync(fd)
        except Exception as exc:
            segment.poisoned = True
            error = exc
        finally:
            segment.sync_fds.put(fd)
        elapsed = time.perf_counter() - started
        with segment.idle:
            segment.pending -= 1
            segment.idle.notify_all()
        if error is None:
            if self.on_batch is not None:
                self.on_batch(BatchStats(records=len(batch), bytes=nbytes, fsync_seconds=elapsed))
            _release(batch, None)
        else:
            self._fail(batch, error)
        self._slots.release()

    def _fail(self, batch: list[Item], exc: BaseException) -> None:
        self.last_error = str(exc)
        log.error("landing write failed, %d records not acknowledged: %s", len(batch), exc)
        _release(batch, LandingError(f"landing write failed: {exc}"))

    def _writable_segment(self) -> _Segment:
        segment = self._segment
        if segment is not None and not segment.poisoned and segment.size < self.max_segment_bytes:
            return segment
        self._seal()
        path = self.landing_dir / f"{SEGMENT_PREFIX}{time.time_ns():020d}{OPEN_SUFFIX}"
        segment = _Segment(path, self.fsync_workers)
        fsync_dir(self.landing_dir)  # the new name must survive a crash with its records
        self._segment = segment
        return segment

    def _seal_if_due(self) -> None:
        segment = self._segment
        if segment is None:
            return
        too_old = time.monotonic() - segment.opened_at >= self.max_segment_age_seconds
        if too_old or segment.size >= self.max_segment_bytes or segment.poisoned:
            self._seal()

    def _seal(self) -> None:
        segment = self._segment
        if segment is None:
            return
        self._segment = None
        segment.wait_idle()  # no fsync of this segment may still be running
        # Every acknowledged batch was already fdatasync'd; a failure here must not strand the
        # segment as ``.open`` (the loader only reads sealed ones).
        with contextlib.suppress(OSError):
            os.fsync(segment.fd)
        segment.close_fds()
        if segment.size == 0:
            segment.path.unlink(missing_ok=True)
        else:
            sealed = segment.path.name[: -len(OPEN_SUFFIX)] + SEALED_SUFFIX
            os.rename(segment.path, segment.path.with_name(sealed))
        fsync_dir(self.landing_dir)


def _release(batch: list[Item], error: BaseException | None) -> None:
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


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the request was cancelled (client went away)
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
