"""The receiver's memory of landed deliveries: retries and replays are acknowledged, not re-landed.

Keyed by the idempotency key (envelope ``id``, else ``sha256:`` of the raw body). A key is added
only after its record was fsync'd, so a remembered key always has a durable copy in the log and
skipping a later copy loses nothing. Keys are kept for ``retention_ms`` (default 48 h, longer
than Velora's whole retry schedule of 2 h 36 min and than the signed-body age window) and are
rebuilt on start from the landing segments received within it, so a restart forgets nothing,
whatever the loader has already loaded. Past the retention or the capacity a copy is landed
again, and the loader's primary key still keeps it out of the tables: this index saves disk and
work, the warehouse is the last line.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.webhooks.framing import scan_bytes
from pipeline.webhooks.landing import SEGMENT_PREFIX, sealed_segments

DEFAULT_RETENTION_MS = 48 * 3600 * 1000
DEFAULT_CAPACITY = 1_000_000  # ~150 MB of keys at most; beyond it the oldest are forgotten
# A segment holds records received up to its maximum age after its name's time; the slack covers
# any segment-age setting with room to spare.
_SEGMENT_SPAN_MS = 3600 * 1000


class DeliveryIndex:
    """Idempotency keys of landed deliveries, oldest first, bounded by age and count."""

    def __init__(
        self, retention_ms: int = DEFAULT_RETENTION_MS, capacity: int = DEFAULT_CAPACITY
    ) -> None:
        if retention_ms <= 0:
            raise ValueError(f"retention_ms must be positive, got {retention_ms}")
        self.retention_ms = retention_ms
        self.capacity = capacity
        self._received: dict[str, int] = {}  # key -> received_at_ms, in arrival order

    def __len__(self) -> int:
        return len(self._received)

    def seen(self, key: str, now_ms: int) -> bool:
        received = self._received.get(key)
        return received is not None and received >= now_ms - self.retention_ms

    def add(self, key: str, received_ms: int, now_ms: int) -> None:
        self._received.setdefault(key, received_ms)
        self._forget_before(now_ms - self.retention_ms)

    def _forget_before(self, cutoff_ms: int) -> None:
        received = self._received
        while received:
            oldest_key = next(iter(received))
            if received[oldest_key] >= cutoff_ms and len(received) <= self.capacity:
                return
            del received[oldest_key]

    def rebuild(self, landing_dir: str | Path, now_ms: int) -> int:
        """Remember every record of the sealed segments received within the retention; returns
        how many keys are known afterwards."""
        cutoff = now_ms - self.retention_ms
        landing = Path(landing_dir)
        for name in sealed_segments(landing):
            if _segment_started_ms(name) < cutoff - _SEGMENT_SPAN_MS:
                continue
            for _, record in scan_bytes((landing / name).read_bytes()).records:
                if record.received_at_ms >= cutoff:
                    self._received.setdefault(record.key, record.received_at_ms)
        self._forget_before(cutoff)
        return len(self._received)


def _segment_started_ms(name: str) -> int:
    """``seg-<time_ns>.seg`` -> the segment's creation time in unix ms (0 if unreadable)."""
    digits = name[len(SEGMENT_PREFIX) :].split(".", 1)[0]
    return int(digits) // 1_000_000 if digits.isdigit() else 0
