-- How many real (non-test) webhook events the channel ever delivered: 0 = not authorized.
SELECT count(*) AS events, max(event_at) AS last_event_at
FROM core.webhook_events
WHERE channel_id = $channel_id AND NOT is_test;
