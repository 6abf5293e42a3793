-- Webhook tables (loaded by pipeline/webhooks from the landing log). Grain: one row per event_key
-- in every table below, enforced by PRIMARY KEY so `INSERT ... ON CONFLICT DO NOTHING` makes
-- re-loads harmless. Written with IF NOT EXISTS: warehouses whose loader created these tables
-- before they moved into the migrations apply it harmlessly.
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS ops;

CREATE TABLE IF NOT EXISTS core.webhook_events (
    event_key VARCHAR PRIMARY KEY,      -- envelope id, else 'sha256:<hex of raw body>'
    event_id VARCHAR,                   -- envelope id (NULL for the {event, ...} envelope)
    event_type VARCHAR NOT NULL,        -- as sent (may be an alias)
    canonical_type VARCHAR NOT NULL,    -- alias mapped to the canonical name
    channel_id VARCHAR,
    event_at TIMESTAMPTZ,               -- when it happened (payload time, else envelope time)
    received_at TIMESTAMPTZ NOT NULL,   -- when our receiver accepted it
    is_test BOOLEAN NOT NULL,
    envelope_variant VARCHAR NOT NULL,  -- id_type / event / other
    payload JSON NOT NULL,              -- the raw body
    segment VARCHAR NOT NULL            -- landing segment it was first loaded from
);

CREATE TABLE IF NOT EXISTS core.follows (
    event_key VARCHAR PRIMARY KEY,
    channel_id VARCHAR NOT NULL,
    event_at TIMESTAMPTZ NOT NULL,
    follower_id VARCHAR NOT NULL,
    follower_username VARCHAR,
    follower_display_name VARCHAR,
    followed_at TIMESTAMPTZ NOT NULL
);

-- Gifted subs that also arrive as channel.subscribe (isGift=true) stay here with is_gift=true;
-- gifts are counted from core.gifts, paid subs are is_gift = false.
CREATE TABLE IF NOT EXISTS core.subscriptions (
    event_key VARCHAR PRIMARY KEY,
    channel_id VARCHAR NOT NULL,
    event_at TIMESTAMPTZ NOT NULL,
    subscriber_id VARCHAR,
    subscriber_username VARCHAR,
    tier VARCHAR,
    months INTEGER,
    streak_months INTEGER,
    is_renewal BOOLEAN NOT NULL,
    is_gift BOOLEAN NOT NULL,
    gifter_id VARCHAR,
    message VARCHAR,
    subscribed_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.subscription_ends (
    event_key VARCHAR PRIMARY KEY,
    channel_id VARCHAR NOT NULL,
    event_at TIMESTAMPTZ NOT NULL,
    subscriber_id VARCHAR,
    subscriber_username VARCHAR,
    tier VARCHAR,
    is_gift BOOLEAN NOT NULL,
    gifter_id VARCHAR,
    reason VARCHAR,                     -- canceled / expired
    ended_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS core.gifts (
    event_key VARCHAR PRIMARY KEY,
    channel_id VARCHAR NOT NULL,
    event_at TIMESTAMPTZ NOT NULL,
    gifter_id VARCHAR,                  -- NULL when anonymous
    gifter_username VARCHAR,
    is_anonymous BOOLEAN NOT NULL,
    gift_count INTEGER NOT NULL,        -- giftCount (older payloads: quantity); never `amount`
    tier VARCHAR,
    recipient_ids JSON NOT NULL,        -- JSON array of user ids (may be empty)
    gifted_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.volts_tips (
    event_key VARCHAR PRIMARY KEY,
    channel_id VARCHAR NOT NULL,
    event_at TIMESTAMPTZ NOT NULL,
    sender_id VARCHAR,
    sender_username VARCHAR,
    is_anonymous BOOLEAN NOT NULL,
    volts BIGINT NOT NULL,              -- amount (or volts)
    message VARCHAR,
    tipped_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.points_redemptions (
    event_key VARCHAR PRIMARY KEY,
    channel_id VARCHAR NOT NULL,
    event_at TIMESTAMPTZ NOT NULL,
    redemption_id VARCHAR,
    user_id VARCHAR,
    username VARCHAR,
    reward_id VARCHAR,
    reward_title VARCHAR,
    reward_cost BIGINT,
    user_input VARCHAR,
    status VARCHAR,
    redeemed_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.raids (
    event_key VARCHAR PRIMARY KEY,
    channel_id VARCHAR NOT NULL,        -- the raided channel
    event_at TIMESTAMPTZ NOT NULL,
    from_channel_id VARCHAR,
    from_username VARCHAR,
    viewers BIGINT,
    raided_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.stream_status_events (
    event_key VARCHAR PRIMARY KEY,
    channel_id VARCHAR NOT NULL,
    event_at TIMESTAMPTZ NOT NULL,
    status VARCHAR NOT NULL,            -- online / offline
    stream_id VARCHAR,
    title VARCHAR,
    category_slug VARCHAR,
    category_name VARCHAR,
    started_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    viewer_count BIGINT
);

-- Deliveries (or typed payloads) we could not use: kept with the reason, never dropped.
CREATE TABLE IF NOT EXISTS core.webhook_quarantine (
    segment VARCHAR NOT NULL,
    record_offset BIGINT NOT NULL,      -- byte offset of the record (or damaged region)
    event_key VARCHAR,
    reason VARCHAR NOT NULL,
    body VARCHAR,                       -- raw body as text (or a hex preview of damaged bytes)
    received_at TIMESTAMPTZ,
    quarantined_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (segment, record_offset)
);

-- One row per landing segment whose records are in the warehouse; written in the same
-- transaction as the segment's rows, so a segment is loaded exactly once.
CREATE TABLE IF NOT EXISTS ops.webhook_segments_loaded (
    segment VARCHAR PRIMARY KEY,
    records BIGINT NOT NULL,
    inserted BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL
);
