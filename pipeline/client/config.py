"""Client configuration: plain data, validated on construction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.client.errors import ClientConfigError

if TYPE_CHECKING:
    from pipeline.config import Settings

DEFAULT_USER_AGENT = "velora-analytics/0.1 (+python-httpx)"
# Documented per-client limits (developer.velora.tv/docs/rate-limits).
DEFAULT_RATE_CEILING_PER_MINUTE = 800
SUBSCRIBERS_RATE_CEILING_PER_MINUTE = 120


@dataclass(frozen=True)
class ClientConfig:
    """How to reach Velora and how politely.

    ``retry_budget`` is the client-wide retry allowance (a bucket of that many retries that
    refills by ``retry_budget_refill`` per first-try success); ``max_retries`` is per call.
    ``rate_ceiling_per_minute`` is our own ceiling on top of what the server's headers allow.
    """

    base_url: str
    client_id: str | None = None
    client_secret: str | None = None
    access_token: str | None = None
    timeout: float = 10.0
    max_retries: int = 5
    retry_budget: int = 50
    retry_budget_refill: float = 0.1
    max_concurrency: int = 4
    user_agent: str = DEFAULT_USER_AGENT
    rate_ceiling_per_minute: int = DEFAULT_RATE_CEILING_PER_MINUTE
    subscribers_ceiling_per_minute: int = SUBSCRIBERS_RATE_CEILING_PER_MINUTE
    burst: int = 8
    rate_safety_margin: int = 0  # 0 = max_concurrency + 2 (requests possibly in flight)
    max_rate_limit_waits: int = 8
    max_retry_after: float = 120.0
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    token_refresh_fraction: float = 0.9
    page_size: int = 100
    max_pages_guard: int = 10_000
    retry_malformed_success: bool = True  # a truncated 2xx body on a GET is transient

    def __post_init__(self) -> None:
        if not isinstance(self.base_url, str) or not self.base_url.startswith(
            ("http://", "https://")
        ):
            raise ClientConfigError(
                f"base_url must start with http:// or https://, got {self.base_url!r}"
            )
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if self.client_secret and not self.client_id:
            raise ClientConfigError("client_secret is set but client_id is not")
        if self.client_id and not self.client_secret and not self.access_token:
            # a bare client_id is only useful next to a fixed token (it names the app's webhooks)
            raise ClientConfigError("set both client_id and client_secret (or an access_token)")
        positives = {
            "timeout": self.timeout,
            "max_concurrency": self.max_concurrency,
            "rate_ceiling_per_minute": self.rate_ceiling_per_minute,
            "subscribers_ceiling_per_minute": self.subscribers_ceiling_per_minute,
            "burst": self.burst,
            "max_retry_after": self.max_retry_after,
            "page_size": self.page_size,
            "max_pages_guard": self.max_pages_guard,
        }
        for name, value in positives.items():
            if not value > 0:
                raise ClientConfigError(f"{name} must be greater than 0, got {value!r}")
        non_negatives = {
            "max_retries": self.max_retries,
            "retry_budget": self.retry_budget,
            "retry_budget_refill": self.retry_budget_refill,
            "rate_safety_margin": self.rate_safety_margin,
            "max_rate_limit_waits": self.max_rate_limit_waits,
            "backoff_base": self.backoff_base,
            "backoff_cap": self.backoff_cap,
        }
        for name, value in non_negatives.items():
            if value < 0:
                raise ClientConfigError(f"{name} must not be negative, got {value!r}")
        if not 0.1 <= self.token_refresh_fraction <= 1.0:
            raise ClientConfigError(
                f"token_refresh_fraction must be within [0.1, 1.0], got {self.token_refresh_fraction!r}"
            )
        if self.page_size > 100:
            raise ClientConfigError(
                f"page_size must be at most 100 (Velora's max), got {self.page_size}"
            )

    @property
    def has_client_credentials(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @property
    def safety_margin(self) -> int:
        """Requests kept in reserve per rate window (covers requests still in flight)."""
        return self.rate_safety_margin or self.max_concurrency + 2

    def __repr__(self) -> str:  # never show secrets in tracebacks or logs
        return (
            f"ClientConfig(base_url={self.base_url!r}, client_id={self.client_id!r}, "
            f"client_secret={'***' if self.client_secret else None}, "
            f"access_token={'***' if self.access_token else None}, timeout={self.timeout}, "
            f"max_retries={self.max_retries}, max_concurrency={self.max_concurrency})"
        )

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> ClientConfig:
        """Build from :class:`pipeline.config.Settings` (``VELORA_API_BASE_URL``, credentials)."""
        values: dict[str, object] = {
            "base_url": settings.api_base_url,
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
            "access_token": settings.access_token,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
