"""Column types (polars) and Pandera schemas of the webhook tables.

``POLARS_COLUMNS`` is what the loader uses to build typed frames before inserting; the Pandera
schemas add the value rules the blocking checks run (``pipeline.schemas.TABLES``).
"""

from __future__ import annotations

import polars as pl

from pipeline.pandera_polars import pa

TS = pl.Datetime("us", "UTC")
# Where a typed row's channel came from: the payload named it, or the subscription the delivery
# arrived on serves exactly that one channel (NULL: unknown).
CHANNEL_FROM_PAYLOAD = "payload"
CHANNEL_FROM_SUBSCRIPTION = "subscription"
CHANNEL_SOURCES = (CHANNEL_FROM_PAYLOAD, CHANNEL_FROM_SUBSCRIPTION)

POLARS_COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "core.webhook_events": {
        "event_key": pl.String(),
        "event_id": pl.String(),
        "event_type": pl.String(),
        "canonical_type": pl.String(),
        "channel_id": pl.String(),
        "channel_source": pl.String(),
        "event_at": TS,
        "received_at": TS,
        "sent_at": TS,
        "webhook_id": pl.String(),
        "is_test": pl.Boolean(),
        "envelope_variant": pl.String(),
        "payload": pl.String(),
        "segment": pl.String(),
    },
    "core.follows": {
        "event_key": pl.String(),
        "channel_id": pl.String(),
        "channel_source": pl.String(),
        "event_at": TS,
        "follower_id": pl.String(),
        "follower_username": pl.String(),
        "follower_display_name": pl.String(),
        "followed_at": TS,
    },
    "core.subscriptions": {
        "event_key": pl.String(),
        "channel_id": pl.String(),
        "channel_source": pl.String(),
        "event_at": TS,
        "subscriber_id": pl.String(),
        "subscriber_username": pl.String(),
        "subscriber_display_name": pl.String(),
        "tier": pl.String(),
        "months": pl.Int32(),
        "streak_months": pl.Int32(),
        "is_renewal": pl.Boolean(),
        "is_gift": pl.Boolean(),
        "gifter_id": pl.String(),
        "gifter_username": pl.String(),
        "message": pl.String(),
        "subscribed_at": TS,
    },
    "core.subscription_ends": {
        "event_key": pl.String(),
        "channel_id": pl.String(),
        "channel_source": pl.String(),
        "event_at": TS,
        "subscriber_id": pl.String(),
        "subscriber_username": pl.String(),
        "subscriber_display_name": pl.String(),
        "tier": pl.String(),
        "is_gift": pl.Boolean(),
        "gifter_id": pl.String(),
        "gifter_username": pl.String(),
        "reason": pl.String(),
        "ended_at": TS,
        "expires_at": TS,
    },
    "core.gifts": {
        "event_key": pl.String(),
        "channel_id": pl.String(),
        "channel_source": pl.String(),
        "event_at": TS,
        "gifter_id": pl.String(),
        "gifter_username": pl.String(),
        "gifter_display_name": pl.String(),
        "is_anonymous": pl.Boolean(),
        "gift_count": pl.Int32(),
        "tier": pl.String(),
        "recipient_ids": pl.String(),
        "gifted_at": TS,
    },
    "core.volts_tips": {
        "event_key": pl.String(),
        "channel_id": pl.String(),
        "channel_source": pl.String(),
        "event_at": TS,
        "sender_id": pl.String(),
        "sender_username": pl.String(),
        "sender_display_name": pl.String(),
        "is_anonymous": pl.Boolean(),
        "volts": pl.Int64(),
        "message": pl.String(),
        "tipped_at": TS,
    },
    "core.points_redemptions": {
        "event_key": pl.String(),
        "channel_id": pl.String(),
        "channel_source": pl.String(),
        "event_at": TS,
        "redemption_id": pl.String(),
        "user_id": pl.String(),
        "username": pl.String(),
        "display_name": pl.String(),
        "reward_id": pl.String(),
        "reward_title": pl.String(),
        "reward_cost": pl.Int64(),
        "user_input": pl.String(),
        "status": pl.String(),
        "redeemed_at": TS,
    },
    "core.raids": {
        "event_key": pl.String(),
        "channel_id": pl.String(),
        "channel_source": pl.String(),
        "event_at": TS,
        "from_channel_id": pl.String(),
        "from_username": pl.String(),
        "from_display_name": pl.String(),
        "viewers": pl.Int64(),
        "raided_at": TS,
    },
    "core.stream_status_events": {
        "event_key": pl.String(),
        "channel_id": pl.String(),
        "channel_source": pl.String(),
        "event_at": TS,
        "status": pl.String(),
        "username": pl.String(),
        "display_name": pl.String(),
        "stream_id": pl.String(),
        "title": pl.String(),
        "category_slug": pl.String(),
        "category_name": pl.String(),
        "started_at": TS,
        "ended_at": TS,
        "viewer_count": pl.Int64(),
    },
}

TYPED_TABLE_NAMES = tuple(t for t in POLARS_COLUMNS if t != "core.webhook_events")

# Columns that must never be null, beyond the key columns every table has.
_REQUIRED = {
    "core.webhook_events": {
        "event_type",
        "canonical_type",
        "received_at",
        "is_test",
        "envelope_variant",
        "payload",
        "segment",
    },
    "core.follows": {"follower_id", "followed_at"},
    "core.subscriptions": {"is_renewal", "is_gift", "subscribed_at"},
    "core.subscription_ends": {"is_gift", "ended_at"},
    "core.gifts": {"is_anonymous", "gift_count", "recipient_ids", "gifted_at"},
    "core.volts_tips": {"is_anonymous", "volts", "tipped_at"},
    "core.points_redemptions": {"redeemed_at"},
    "core.raids": {"raided_at"},
    "core.stream_status_events": {"status"},
}

_CHANNEL_SOURCE = [pa.Check.isin(list(CHANNEL_SOURCES))]
_VALUE_CHECKS: dict[str, dict[str, list[pa.Check]]] = {
    "core.webhook_events": {"envelope_variant": [pa.Check.isin(["id_type", "event", "other"])]},
    "core.gifts": {"gift_count": [pa.Check.gt(0)]},
    "core.volts_tips": {"volts": [pa.Check.gt(0)]},
    "core.raids": {"viewers": [pa.Check.ge(0)]},
    "core.stream_status_events": {
        "status": [pa.Check.isin(["online", "offline"])],
        "viewer_count": [pa.Check.ge(0)],
    },
    "core.subscriptions": {"months": [pa.Check.ge(0)], "streak_months": [pa.Check.ge(0)]},
    "core.points_redemptions": {"reward_cost": [pa.Check.ge(0)]},
    "core.subscription_ends": {"reason": [pa.Check.isin(["canceled", "cancelled", "expired"])]},
}


def _channel_known_iff_sourced(data: pa.PolarsData) -> pl.LazyFrame:
    """A channel id always says where it came from, and a source always names a channel."""
    known = pl.col("channel_id").is_null() == pl.col("channel_source").is_null()
    return data.lazyframe.select(known.alias("ok"))


def _schema(table: str) -> pa.DataFrameSchema:
    columns = {}
    required = _REQUIRED[table]
    for name, dtype in POLARS_COLUMNS[table].items():
        # channel_id may be NULL: the docs promise no channel field for several events, and an
        # app-wide subscription cannot supply one (normalize.resolve_channel).
        is_key = name in ("event_key", "event_at") and table != "core.webhook_events"
        checks = _VALUE_CHECKS.get(table, {}).get(name, [])
        columns[name] = pa.Column(
            dtype,
            checks=_CHANNEL_SOURCE if name == "channel_source" else checks,
            nullable=not (is_key or name in required or name == "event_key"),
            unique=name == "event_key",
        )
    return pa.DataFrameSchema(
        columns,
        name=table,
        strict=True,
        coerce=True,
        checks=[pa.Check(_channel_known_iff_sourced, name="channel_id_has_a_source")],
    )


WEBHOOK_SCHEMAS: dict[str, pa.DataFrameSchema] = {table: _schema(table) for table in POLARS_COLUMNS}


def empty_frame(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=POLARS_COLUMNS[table])


def frame(table: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    """Rows as a frame with the table's exact column types (missing keys become null)."""
    return (
        pl.DataFrame(rows, schema=POLARS_COLUMNS[table], orient="row")
        if rows
        else empty_frame(table)
    )
