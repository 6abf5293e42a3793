-- Webhook delivery: the last event received (real and test), and the counts of each.
SELECT max(received_at) FILTER (WHERE NOT is_test) AS last_event_at,
       max(received_at) AS last_delivery_at,
       count(*) FILTER (WHERE NOT is_test) AS events,
       count(*) FILTER (WHERE is_test) AS test_events,
       count(DISTINCT channel_id) FILTER (WHERE NOT is_test) AS channels
FROM core.webhook_events;
