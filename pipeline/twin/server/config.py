"""Everything a running twin can be configured with (CLI flags map 1:1 onto these fields)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CLOCK_MODES = ("real", "accelerated", "frozen")
# What X-Velora-Timestamp says on a retry. The docs ("when the event was sent") leave it open;
# "first_attempt" is the harsher reading for receivers, so it is the default.
RETRY_TIMESTAMP_MODES = ("first_attempt", "attempt")


class TwinConfigError(ValueError):
    """A twin setting is unusable; the message names the setting."""


@dataclass(frozen=True)
class FaultConfig:
    """Injected failures for client tests. Rates are per-request probabilities (0..1)."""

    error_rate: float = 0.0  # 500/502/503 (Velora error body, sometimes an HTML page)
    timeout_rate: float = 0.0  # hold the response for timeout_delay seconds
    slow_rate: float = 0.0  # hold the response for slow_delay seconds, then answer normally
    malformed_rate: float = 0.0  # 200 with a truncated JSON body
    storm_rate: float = 0.0  # chance that a request starts a 429 storm
    storm_seconds: float = 0.0  # length of a storm (wall-clock seconds)
    timeout_delay: float = 10.0
    slow_delay: float = 1.5
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("error_rate", "timeout_rate", "slow_rate", "malformed_rate", "storm_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise TwinConfigError(f"fault {name} must be between 0 and 1, got {value!r}")
        for name in ("storm_seconds", "timeout_delay", "slow_delay"):
            if getattr(self, name) < 0:
                raise TwinConfigError(f"fault {name} must not be negative")
        total = self.error_rate + self.timeout_rate + self.slow_rate + self.malformed_rate
        if total > 1.0:
            raise TwinConfigError(f"fault rates add up to {total:.3f}, more than 1")

    @property
    def active(self) -> bool:
        return (
            self.error_rate + self.timeout_rate + self.slow_rate + self.malformed_rate > 0
            or self.storm_rate > 0
        )


@dataclass(frozen=True)
class TwinConfig:
    seed: int = 42
    creators: int = 2000
    clock: str = "real"
    speed: float = 1.0
    start: datetime | None = None  # None: now (real/accelerated) or DEFAULT_FROZEN_START
    rate_limit: int = 800  # requests per 60 s window; 0 disables
    subscriber_rate_limit: int = 120
    token_ttl: int = 3600  # seconds of twin time
    client_id: str = "twin-client"
    client_secret: str = "twin-secret"
    faults: FaultConfig = field(default_factory=FaultConfig)
    webhook_duplicate_rate: float = 0.02
    webhook_reorder_rate: float = 0.05
    webhook_timeout: float = 5.0
    webhook_concurrency: int = 16
    webhook_tick_seconds: float = 1.0  # background delivery period (real/accelerated clocks)
    webhook_seed: int | None = None  # None: derived from seed
    webhook_retry_timestamp: str = "first_attempt"  # or "attempt" (see RETRY_TIMESTAMP_MODES)
    # Velora rejects http:// webhook URLs; local receivers on loopback need this switched on.
    allow_http_webhooks: bool = False

    def __post_init__(self) -> None:
        if self.clock not in CLOCK_MODES:
            raise TwinConfigError(
                f"clock must be one of {', '.join(CLOCK_MODES)}, got {self.clock!r}"
            )
        if self.speed <= 0:
            raise TwinConfigError(f"speed must be positive, got {self.speed!r}")
        if self.creators < 1:
            raise TwinConfigError(f"creators must be at least 1, got {self.creators!r}")
        if self.rate_limit < 0 or self.subscriber_rate_limit < 0:
            raise TwinConfigError("rate limits must not be negative (0 disables)")
        if self.token_ttl < 1:
            raise TwinConfigError(f"token_ttl must be at least 1 second, got {self.token_ttl!r}")
        if not 0.0 <= self.webhook_duplicate_rate <= 1.0:
            raise TwinConfigError("webhook_duplicate_rate must be between 0 and 1")
        if not 0.0 <= self.webhook_reorder_rate <= 1.0:
            raise TwinConfigError("webhook_reorder_rate must be between 0 and 1")
        if self.webhook_concurrency < 1:
            raise TwinConfigError("webhook_concurrency must be at least 1")
        if self.webhook_retry_timestamp not in RETRY_TIMESTAMP_MODES:
            raise TwinConfigError(
                f"webhook_retry_timestamp must be one of {', '.join(RETRY_TIMESTAMP_MODES)}, "
                f"got {self.webhook_retry_timestamp!r}"
            )
        if self.start is not None and self.start.tzinfo is None:
            raise TwinConfigError("start must be timezone-aware")
