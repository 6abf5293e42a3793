"""The revenue model's assumptions: one place, with defaults and where they come from.

Velora publishes neither subscription prices nor the creator's share nor what a Volt is worth,
so every number here is an assumption, labelled as such wherever it is shown. The defaults
follow the public prices of the nearest comparable platform (Twitch: $4.99 / $9.99 / $24.99 a
month, a 50 % standard creator share, 1 Bit = $0.01 to the creator). Override any of them per
query (``estimate(..., assumptions=replace(DEFAULT, tier1_price=3.99))``); the stored daily
estimate uses the defaults.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import duckdb

from pipeline.marts.sqlfiles import mart_sql


@dataclass(frozen=True)
class RevenueAssumptions:
    tier1_price: float = 4.99  # assumed: Twitch's tier-1 price (Velora publishes none)
    tier2_price: float = 9.99  # assumed: Twitch's tier-2 price
    tier3_price: float = 24.99  # assumed: Twitch's tier-3 price
    creator_share: float = 0.5  # assumed: Twitch's standard 50/50 split
    volt_value: float = 0.01  # assumed: like a Bit, one cent to the creator per Volt
    currency: str = "USD"

    def __post_init__(self) -> None:
        for name in ("tier1_price", "tier2_price", "tier3_price", "volt_value"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if not 0 <= self.creator_share <= 1:
            raise ValueError(f"creator_share must be between 0 and 1, got {self.creator_share}")

    def params(self) -> dict[str, object]:
        return asdict(self)


DEFAULT = RevenueAssumptions()
SOURCES = {
    "tier1_price": "assumed (Twitch tier 1, public price)",
    "tier2_price": "assumed (Twitch tier 2, public price)",
    "tier3_price": "assumed (Twitch tier 3, public price)",
    "creator_share": "assumed (Twitch standard split)",
    "volt_value": "assumed (Twitch Bit: $0.01 to the creator)",
    "currency": "the currency of the prices above",
}


def estimate(
    conn: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    *,
    channel_id: str | None = None,
    assumptions: RevenueAssumptions = DEFAULT,
) -> list[dict[str, object]]:
    """Daily estimated revenue over ``[start, end)`` with ``assumptions``; always an estimate."""
    cursor = conn.execute(
        mart_sql("revenue_estimate.sql"),
        {"day_start": start, "day_end": end, "channel_id": channel_id, **assumptions.params()},
    )
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
