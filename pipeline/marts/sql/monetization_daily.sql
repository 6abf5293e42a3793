-- marts.monetization_daily for [$day_start, $day_end): webhook events per channel and UTC day
-- (test events never reach the typed tables; events whose channel is unknown are left out).
-- Gifted subs are counted once, from the gift events' counts: the channel.subscribe rows Velora
-- also sends for each gifted sub (is_gift) are never added (docs/webhooks.md).
INSERT INTO marts.monetization_daily BY NAME
WITH follows AS (
    SELECT CAST(followed_at AS DATE) AS day, channel_id, count(*) AS follows
    FROM core.follows WHERE followed_at >= CAST($day_start AS TIMESTAMPTZ)
      AND followed_at < CAST($day_end AS TIMESTAMPTZ) GROUP BY ALL
),
subs AS (
    SELECT CAST(subscribed_at AS DATE) AS day, channel_id,
           count(*) FILTER (WHERE NOT is_gift AND NOT is_renewal) AS subs_new,
           count(*) FILTER (WHERE NOT is_gift AND is_renewal) AS subs_renewed
    FROM core.subscriptions WHERE subscribed_at >= CAST($day_start AS TIMESTAMPTZ)
      AND subscribed_at < CAST($day_end AS TIMESTAMPTZ) GROUP BY ALL
),
ends AS (
    SELECT CAST(ended_at AS DATE) AS day, channel_id, count(*) AS subs_ended
    FROM core.subscription_ends WHERE ended_at >= CAST($day_start AS TIMESTAMPTZ)
      AND ended_at < CAST($day_end AS TIMESTAMPTZ) GROUP BY ALL
),
gifts AS (
    SELECT CAST(gifted_at AS DATE) AS day, channel_id,
           sum(gift_count) AS subs_gifted, count(*) AS gift_events,
           count(DISTINCT gifter_id) AS gifters,
           count(*) FILTER (WHERE is_anonymous) AS anonymous_gift_events
    FROM core.gifts WHERE gifted_at >= CAST($day_start AS TIMESTAMPTZ)
      AND gifted_at < CAST($day_end AS TIMESTAMPTZ) GROUP BY ALL
),
volts AS (
    SELECT CAST(tipped_at AS DATE) AS day, channel_id, count(*) AS volts_events,
           sum(volts) AS volts, count(DISTINCT sender_id) AS tippers
    FROM core.volts_tips WHERE tipped_at >= CAST($day_start AS TIMESTAMPTZ)
      AND tipped_at < CAST($day_end AS TIMESTAMPTZ) GROUP BY ALL
),
points AS (
    SELECT CAST(redeemed_at AS DATE) AS day, channel_id, count(*) AS points_redemptions,
           coalesce(sum(reward_cost), 0) AS points_spent
    FROM core.points_redemptions
    WHERE redeemed_at >= CAST($day_start AS TIMESTAMPTZ)
      AND redeemed_at < CAST($day_end AS TIMESTAMPTZ) GROUP BY ALL
),
keys AS (
    SELECT day, channel_id FROM follows UNION SELECT day, channel_id FROM subs
    UNION SELECT day, channel_id FROM ends UNION SELECT day, channel_id FROM gifts
    UNION SELECT day, channel_id FROM volts UNION SELECT day, channel_id FROM points
)
SELECT k.day, k.channel_id,
       coalesce(f.follows, 0) AS follows,
       coalesce(s.subs_new, 0) AS subs_new,
       coalesce(s.subs_renewed, 0) AS subs_renewed,
       coalesce(g.subs_gifted, 0) AS subs_gifted,
       coalesce(e.subs_ended, 0) AS subs_ended,
       coalesce(s.subs_new, 0) + coalesce(g.subs_gifted, 0) - coalesce(e.subs_ended, 0) AS subs_net,
       coalesce(g.gift_events, 0) AS gift_events,
       coalesce(g.gifters, 0) AS gifters,
       coalesce(g.anonymous_gift_events, 0) AS anonymous_gift_events,
       coalesce(v.volts_events, 0) AS volts_events,
       coalesce(v.volts, 0) AS volts,
       coalesce(v.tippers, 0) AS tippers,
       coalesce(p.points_redemptions, 0) AS points_redemptions,
       coalesce(p.points_spent, 0) AS points_spent
FROM keys k
LEFT JOIN follows f USING (day, channel_id)
LEFT JOIN subs s USING (day, channel_id)
LEFT JOIN ends e USING (day, channel_id)
LEFT JOIN gifts g USING (day, channel_id)
LEFT JOIN volts v USING (day, channel_id)
LEFT JOIN points p USING (day, channel_id)
WHERE k.channel_id IS NOT NULL;
