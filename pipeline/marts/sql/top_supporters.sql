-- marts.top_supporters for [$day_start, $day_end): what each supporter gave a channel that day,
-- from events (Volts, gift subs, channel points) and from the day's last leaderboard snapshots.
-- Anonymous gifts and tips have no supporter and are left out.
INSERT INTO marts.top_supporters BY NAME
WITH volts AS (
    SELECT CAST(tipped_at AS DATE) AS day, channel_id, sender_id AS supporter_id,
           arg_max(sender_username, tipped_at) AS username, sum(volts) AS volts
    FROM core.volts_tips
    WHERE tipped_at >= CAST($day_start AS TIMESTAMPTZ)
      AND tipped_at < CAST($day_end AS TIMESTAMPTZ)
      AND sender_id IS NOT NULL
      AND channel_id IS NOT NULL
    GROUP BY ALL
),
gifts AS (
    SELECT CAST(gifted_at AS DATE) AS day, channel_id, gifter_id AS supporter_id,
           arg_max(gifter_username, gifted_at) AS username, sum(gift_count) AS gift_subs
    FROM core.gifts
    WHERE gifted_at >= CAST($day_start AS TIMESTAMPTZ)
      AND gifted_at < CAST($day_end AS TIMESTAMPTZ)
      AND gifter_id IS NOT NULL
      AND channel_id IS NOT NULL
    GROUP BY ALL
),
points AS (
    SELECT CAST(redeemed_at AS DATE) AS day, channel_id, user_id AS supporter_id,
           arg_max(username, redeemed_at) AS username, coalesce(sum(reward_cost), 0) AS points_spent
    FROM core.points_redemptions
    WHERE redeemed_at >= CAST($day_start AS TIMESTAMPTZ)
      AND redeemed_at < CAST($day_end AS TIMESTAMPTZ)
      AND user_id IS NOT NULL
      AND channel_id IS NOT NULL
    GROUP BY ALL
),
last_boards AS (
    SELECT CAST(snapshot_at AS DATE) AS day, board, creator_id, max(snapshot_at) AS at
    FROM core.leaderboard_entries
    WHERE snapshot_at >= CAST($day_start AS TIMESTAMPTZ)
      AND snapshot_at < CAST($day_end AS TIMESTAMPTZ)
    GROUP BY ALL
),
boards AS (
    SELECT b.day, e.creator_id AS channel_id, e.user_id AS supporter_id,
           any_value(e.username) AS username,
           max(e.amount) FILTER (WHERE e.board = 'volts') AS leaderboard_volts,
           max(e.amount) FILTER (WHERE e.board = 'gifts') AS leaderboard_gifts,
           max(e.amount) FILTER (WHERE e.board = 'points') AS leaderboard_points,
           min(e.rank) AS best_rank
    FROM last_boards b JOIN core.leaderboard_entries e
      ON e.snapshot_at = b.at AND e.board = b.board AND e.creator_id = b.creator_id
    GROUP BY ALL
),
keys AS (
    SELECT day, channel_id, supporter_id FROM volts
    UNION SELECT day, channel_id, supporter_id FROM gifts
    UNION SELECT day, channel_id, supporter_id FROM points
    UNION SELECT day, channel_id, supporter_id FROM boards
)
SELECT k.day, k.channel_id, k.supporter_id,
       coalesce(v.username, g.username, p.username, b.username) AS supporter_username,
       coalesce(v.volts, 0) AS volts,
       coalesce(g.gift_subs, 0) AS gift_subs,
       coalesce(p.points_spent, 0) AS points_spent,
       b.leaderboard_volts, b.leaderboard_gifts, b.leaderboard_points,
       CAST(b.best_rank AS INTEGER) AS best_rank
FROM keys k
LEFT JOIN volts v USING (day, channel_id, supporter_id)
LEFT JOIN gifts g USING (day, channel_id, supporter_id)
LEFT JOIN points p USING (day, channel_id, supporter_id)
LEFT JOIN boards b USING (day, channel_id, supporter_id);
