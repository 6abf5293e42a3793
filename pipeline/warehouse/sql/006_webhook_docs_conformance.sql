-- Velora's documented payloads, typed (issue: "speak Velora as its docs do").
-- * The docs promise no channel field for channel.subscribe / .subscription.gift /
--   .subscription.end, so a typed row may have no channel: channel_id becomes nullable and
--   channel_source says where it came from ('payload', 'subscription' or NULL when unknown).
-- * Every documented field gets a typed column (display names, stream events' username,
--   streams' thumbnailUrl); webhook_events keep the subscription a delivery arrived on and the
--   unsigned X-Velora-Timestamp as a diagnostic (sent_at).
ALTER TABLE core.webhook_events ADD COLUMN IF NOT EXISTS channel_source VARCHAR;
ALTER TABLE core.webhook_events ADD COLUMN IF NOT EXISTS sent_at TIMESTAMPTZ;
ALTER TABLE core.webhook_events ADD COLUMN IF NOT EXISTS webhook_id VARCHAR;

ALTER TABLE core.follows ALTER COLUMN channel_id DROP NOT NULL;
ALTER TABLE core.follows ADD COLUMN IF NOT EXISTS channel_source VARCHAR;

ALTER TABLE core.subscriptions ALTER COLUMN channel_id DROP NOT NULL;
ALTER TABLE core.subscriptions ADD COLUMN IF NOT EXISTS channel_source VARCHAR;
ALTER TABLE core.subscriptions ADD COLUMN IF NOT EXISTS subscriber_display_name VARCHAR;
ALTER TABLE core.subscriptions ADD COLUMN IF NOT EXISTS gifter_username VARCHAR;

ALTER TABLE core.subscription_ends ALTER COLUMN channel_id DROP NOT NULL;
ALTER TABLE core.subscription_ends ADD COLUMN IF NOT EXISTS channel_source VARCHAR;
ALTER TABLE core.subscription_ends ADD COLUMN IF NOT EXISTS subscriber_display_name VARCHAR;
ALTER TABLE core.subscription_ends ADD COLUMN IF NOT EXISTS gifter_username VARCHAR;

ALTER TABLE core.gifts ALTER COLUMN channel_id DROP NOT NULL;
ALTER TABLE core.gifts ADD COLUMN IF NOT EXISTS channel_source VARCHAR;
ALTER TABLE core.gifts ADD COLUMN IF NOT EXISTS gifter_display_name VARCHAR;

ALTER TABLE core.volts_tips ALTER COLUMN channel_id DROP NOT NULL;
ALTER TABLE core.volts_tips ADD COLUMN IF NOT EXISTS channel_source VARCHAR;
ALTER TABLE core.volts_tips ADD COLUMN IF NOT EXISTS sender_display_name VARCHAR;

ALTER TABLE core.points_redemptions ALTER COLUMN channel_id DROP NOT NULL;
ALTER TABLE core.points_redemptions ADD COLUMN IF NOT EXISTS channel_source VARCHAR;
ALTER TABLE core.points_redemptions ADD COLUMN IF NOT EXISTS display_name VARCHAR;

ALTER TABLE core.raids ALTER COLUMN channel_id DROP NOT NULL;
ALTER TABLE core.raids ADD COLUMN IF NOT EXISTS channel_source VARCHAR;
ALTER TABLE core.raids ADD COLUMN IF NOT EXISTS from_display_name VARCHAR;

ALTER TABLE core.stream_status_events ALTER COLUMN channel_id DROP NOT NULL;
ALTER TABLE core.stream_status_events ADD COLUMN IF NOT EXISTS channel_source VARCHAR;
ALTER TABLE core.stream_status_events ADD COLUMN IF NOT EXISTS username VARCHAR;
ALTER TABLE core.stream_status_events ADD COLUMN IF NOT EXISTS display_name VARCHAR;

-- Rows loaded before this migration named their channel in the payload.
UPDATE core.webhook_events SET channel_source = 'payload'
    WHERE channel_id IS NOT NULL AND channel_source IS NULL;
UPDATE core.follows SET channel_source = 'payload'
    WHERE channel_id IS NOT NULL AND channel_source IS NULL;
UPDATE core.subscriptions SET channel_source = 'payload'
    WHERE channel_id IS NOT NULL AND channel_source IS NULL;
UPDATE core.subscription_ends SET channel_source = 'payload'
    WHERE channel_id IS NOT NULL AND channel_source IS NULL;
UPDATE core.gifts SET channel_source = 'payload'
    WHERE channel_id IS NOT NULL AND channel_source IS NULL;
UPDATE core.volts_tips SET channel_source = 'payload'
    WHERE channel_id IS NOT NULL AND channel_source IS NULL;
UPDATE core.points_redemptions SET channel_source = 'payload'
    WHERE channel_id IS NOT NULL AND channel_source IS NULL;
UPDATE core.raids SET channel_source = 'payload'
    WHERE channel_id IS NOT NULL AND channel_source IS NULL;
UPDATE core.stream_status_events SET channel_source = 'payload'
    WHERE channel_id IS NOT NULL AND channel_source IS NULL;

ALTER TABLE core.stream_snapshots ADD COLUMN IF NOT EXISTS thumbnail_url VARCHAR;
