-- Channels with any monetization or community event, named from their latest profile if any.
WITH event_channels AS (
    SELECT channel_id FROM core.follows
    UNION SELECT channel_id FROM core.subscriptions
    UNION SELECT channel_id FROM core.gifts
    UNION SELECT channel_id FROM core.volts_tips
    UNION SELECT channel_id FROM core.points_redemptions
    UNION SELECT channel_id FROM core.raids
),
names AS (
    SELECT user_id, arg_max(username, snapshot_at) AS username
    FROM core.stream_snapshots
    GROUP BY user_id
)
SELECT c.channel_id, coalesce(n.username, c.channel_id) AS channel
FROM event_channels AS c
LEFT JOIN names AS n ON n.user_id = c.channel_id
ORDER BY channel
