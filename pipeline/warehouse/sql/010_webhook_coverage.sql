-- marts.webhook_coverage: the channels webhooks cover, one row per channel with the time of its
-- first event (test deliveries aside), partitioned by the UTC day of that event. channel_daily
-- reads it instead of the whole event history ("has this channel ever delivered an event?"), so
-- a day's build reads the day, whatever the history. Filled here once from the events already
-- loaded; from then on built like every mart (pipeline/marts/sql/webhook_coverage.sql).
CREATE TABLE IF NOT EXISTS marts.webhook_coverage (
    channel_id VARCHAR NOT NULL,
    first_event_at TIMESTAMPTZ NOT NULL  -- the channel's first event: the partition
);

INSERT INTO marts.webhook_coverage
SELECT channel_id, min(event_at)
FROM core.webhook_events
WHERE NOT is_test AND channel_id IS NOT NULL AND event_at IS NOT NULL
GROUP BY channel_id;
