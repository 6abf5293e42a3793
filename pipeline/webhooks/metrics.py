"""In-memory receiver metrics, rendered as Prometheus text or JSON."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass, field

FSYNC_BUCKETS_MS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
# X-Velora-Timestamp age at arrival: Velora's retries land at ~0 s, 1, 6, 36 and 156 minutes.
HEADER_AGE_BUCKETS_S = (1, 10, 60, 360, 2160, 9360, 86400)


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
        # The header is unsigned and refuses nothing; its age only shows how late retries come.
        self.header_age_s = Histogram(tuple(float(b) for b in HEADER_AGE_BUCKETS_S))
        self.header_timestamp_unreadable = 0

    def observe_header_timestamp(self, raw: str | None, now_ms: int) -> None:
        try:
            sent_ms = int((raw or "").strip())
        except ValueError:
            self.header_timestamp_unreadable += 1
            return
        self.header_age_s.observe(max(0.0, (now_ms - sent_ms) / 1000.0))

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
                "header_timestamp_unreadable": self.header_timestamp_unreadable,
                "header_age_s": {"count": self.header_age_s.n, **self.header_age_s.percentiles()},
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
            "# TYPE velora_webhooks_header_timestamp_unreadable_total counter",
            f"velora_webhooks_header_timestamp_unreadable_total {self.header_timestamp_unreadable}",
            "# TYPE velora_webhooks_rejected_total counter",
        ]
        with self._lock:
            for reason, count in sorted(self.rejections.items()):
                lines.append(f'velora_webhooks_rejected_total{{reason="{reason}"}} {count}')
            lines += _histogram_lines("velora_webhooks_fsync_ms", self.fsync_ms)
            lines += _histogram_lines("velora_webhooks_batch_size", self.batch_sizes)
            lines += _histogram_lines("velora_webhooks_header_age_seconds", self.header_age_s)
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
