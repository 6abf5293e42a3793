-- Daily community and money events of one channel (UTC days), test events excluded.
-- Gifted subs are counted once: from the gift event's gift_count. Their recipients' subscribe
-- events (is_gift = true) are left out of paid subs, or each gifted sub would count twice.
WITH facts AS (
    SELECT event_key, event_at, 'follows' AS metric, 1 AS amount
    FROM core.follows WHERE channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'paid_subs', 1
    FROM core.subscriptions WHERE channel_id = $channel_id AND NOT coalesce(is_gift, false)
    UNION ALL
    SELECT event_key, event_at, 'gifted_subs', gift_count
    FROM core.gifts WHERE channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'volts', volts
    FROM core.volts_tips WHERE channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'redemptions', 1
    FROM core.points_redemptions WHERE channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'points_spent', reward_cost
    FROM core.points_redemptions WHERE channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'raids', 1
    FROM core.raids WHERE channel_id = $channel_id
    UNION ALL
    SELECT event_key, event_at, 'raid_viewers', viewers
    FROM core.raids WHERE channel_id = $channel_id
)
SELECT
    CAST(date_trunc('day', f.event_at) AS DATE) AS day,
    CAST(coalesce(sum(f.amount) FILTER (WHERE f.metric = 'follows'), 0) AS BIGINT) AS follows,
    CAST(coalesce(sum(f.amount) FILTER (WHERE f.metric = 'paid_subs'), 0) AS BIGINT) AS paid_subs,
    CAST(coalesce(sum(f.amount) FILTER (WHERE f.metric = 'gifted_subs'), 0) AS BIGINT) AS gifted_subs,
    CAST(coalesce(sum(f.amount) FILTER (WHERE f.metric = 'volts'), 0) AS BIGINT) AS volts,
    CAST(coalesce(sum(f.amount) FILTER (WHERE f.metric = 'redemptions'), 0) AS BIGINT) AS redemptions,
    CAST(coalesce(sum(f.amount) FILTER (WHERE f.metric = 'points_spent'), 0) AS BIGINT) AS points_spent,
    CAST(coalesce(sum(f.amount) FILTER (WHERE f.metric = 'raids'), 0) AS BIGINT) AS raids,
    CAST(coalesce(sum(f.amount) FILTER (WHERE f.metric = 'raid_viewers'), 0) AS BIGINT) AS raid_viewers
FROM facts AS f
LEFT JOIN core.webhook_events AS w USING (event_key)
WHERE NOT coalesce(w.is_test, false)
GROUP BY day
ORDER BY day
