"""In-memory receiver metrics, rendered as Prometheus text or JSON."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field

FSYNC_BUCKETS_MS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def _percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


@dataclass
class Histogram:
    buckets: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    n: int = 0
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=10_000))

    def __post_init__(self) -> None:
        self.counts = [0] * (len(self.buckets) + 1)

    def observe(self, value: float) -> None:
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1
                break
        else:
            self.counts[-1] += 1
        self.total += value
        self.n += 1
        self.recent.append(value)

    def percentiles(self) -> dict[str, float | None]:
        values = sorted(self.recent)
        return {f"p{int(q * 100)}": _percentile(values, q) for q in (0.5, 0.9, 0.99)}


class SeenKeys:
    """Bounded memory of idempotency keys, to count duplicate deliveries (metrics only)."""

    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self._keys: OrderedDict[str, None] = OrderedDict()

    def check_and_add(self, key: str) -> bool:
        """True if ``key`` was seen before."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
        return False


class ReceiverMetrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.accepted = 0
        self.duplicates = 0
        self.accepted_bytes = 0
        self.landing_failures = 0
        self.rejections: Counter[str] = Counter()
        self.fsync_ms = Histogram(FSYNC_BUCKETS_MS)
        self.batch_sizes = Histogram(tuple(float(b) for b in BATCH_BUCKETS))

    def observe_batch(self, records: int, fsync_seconds: float) -> None:
        with self._lock:  # called from the writer thread
            self.fsync_ms.observe(fsync_seconds * 1000.0)
            self.batch_sizes.observe(float(records))

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "accepted": self.accepted,
                "duplicates": self.duplicates,
                "accepted_bytes": self.accepted_bytes,
                "landing_failures": self.landing_failures,
                "rejections": dict(self.rejections),
                "fsync_ms": {
                    "count": self.fsync_ms.n,
                    "sum": round(self.fsync_ms.total, 3),
                    **self.fsync_ms.percentiles(),
                },
                "batch_size": {
                    "count": self.batch_sizes.n,
                    "sum": self.batch_sizes.total,
                    "mean": (self.batch_sizes.total / self.batch_sizes.n)
                    if self.batch_sizes.n
                    else None,
                    **self.batch_sizes.percentiles(),
                },
            }

    def prometheus(self) -> str:
        lines = [
            "# TYPE velora_webhooks_accepted_total counter",
            f"velora_webhooks_accepted_total {self.accepted}",
            "# TYPE velora_webhooks_duplicates_total counter",
            f"velora_webhooks_duplicates_total {self.duplicates}",
            "# TYPE velora_webhooks_accepted_bytes_total counter",
            f"velora_webhooks_accepted_bytes_total {self.accepted_bytes}",
            "# TYPE velora_webhooks_landing_failures_total counter",
            f"velora_webhooks_landing_failures_total {self.landing_failures}",
            "# TYPE velora_webhooks_rejected_total counter",
        ]
        with self._lock:
            for reason, count in sorted(self.rejections.items()):
                lines.append(f'velora_webhooks_rejected_total{{reason="{reason}"}} {count}')
            lines += _histogram_lines("velora_webhooks_fsync_ms", self.fsync_ms)
            lines += _histogram_lines("velora_webhooks_batch_size", self.batch_sizes)
        return "\n".join(lines) + "\n"


def _histogram_lines(name: str, hist: Histogram) -> list[str]:
    lines = [f"# TYPE {name} histogram"]
    cumulative = 0
    for bound, count in zip(hist.buckets, hist.counts, strict=False):
        cumulative += count
        lines.append(f'{name}_bucket{{le="{bound:g}"}} {cumulative}')
    lines.append(f'{name}_bucket{{le="+Inf"}} {hist.n}')
    lines.append(f"{name}_sum {hist.total:.6f}")
    lines.append(f"{name}_count {hist.n}")
    return lines
