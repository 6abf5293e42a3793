-- What happened on a channel between $start_at and $end_at: raids in and out, follows, subs,
-- gift bombs, Volts and category changes, one row each (test events excluded).
WITH events AS (
    SELECT event_key, event_at, 'raid in' AS kind, viewers AS amount, from_username AS who
    FROM core.raids WHERE channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'raid out', viewers, channel_id
    FROM core.raids WHERE from_channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'follow', 1, follower_username
    FROM core.follows WHERE channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'sub', 1, subscriber_username
    FROM core.subscriptions WHERE channel_id = $channel_id AND NOT is_gift
    UNION ALL
    SELECT event_key, event_at, 'gift bomb', gift_count, gifter_username
    FROM core.gifts WHERE channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'Volts', volts, sender_username
    FROM core.volts_tips WHERE channel_id = $channel_id
),
-- Test deliveries never reach the typed tables (the loader keeps them out); they are dropped
-- here too, by an anti-join on the few test keys rather than a join with every event ever.
typed AS (
    SELECT e.event_at, e.kind, e.amount, e.who
    FROM events e
    WHERE e.event_at >= $start_at AND e.event_at <= $end_at
      AND e.event_key NOT IN (SELECT event_key FROM core.webhook_events WHERE is_test)
),
categories AS (
    SELECT snapshot_at AS event_at, 'category change' AS kind, CAST(NULL AS BIGINT) AS amount,
           category_slug AS who
    FROM (
        SELECT snapshot_at, category_slug,
               lag(category_slug) OVER (ORDER BY snapshot_at) AS before
        FROM core.stream_snapshots
        -- the stream's samples lie inside its session: the time bound spares a scan of history
        WHERE source = 'live' AND stream_id = $stream_id
          AND snapshot_at >= $start_at AND snapshot_at <= $end_at
    )
    WHERE before IS NOT NULL AND category_slug IS DISTINCT FROM before
)
SELECT event_at, kind, amount, who FROM typed
UNION ALL SELECT event_at, kind, amount, who FROM categories
ORDER BY event_at, kind;
