-- Whether one UTC day of the marts adds up to what it came from; one row per comparison
-- (mart it guards, check, from the source, in the mart). Sums of floats are compared rounded to 1e-6.
WITH bounds AS (
    SELECT CAST($day AS DATE) AS d,
           CAST(CAST($day AS DATE) AS TIMESTAMPTZ) AS lo,
           CAST(CAST($day AS DATE) AS TIMESTAMPTZ) + INTERVAL 1 DAY AS hi
)
SELECT 'stream_sessions' AS mart, 'sessions_equal_their_intervals' AS "check",
       round(coalesce((SELECT sum(hours_watched) FROM marts.stream_sessions, bounds
                       WHERE session_day = d), 0), 6) AS source_value,
       round(coalesce((SELECT sum(hours_watched) FROM marts.stream_intervals, bounds
                       WHERE session_day = d), 0), 6) AS mart_value
UNION ALL
SELECT 'channel_daily', 'channel_days_equal_the_intervals_of_the_day',
       round(coalesce((SELECT sum(hours_watched) FROM marts.stream_intervals, bounds
                       WHERE interval_start >= lo AND interval_start < hi), 0), 6),
       round(coalesce((SELECT sum(hours_watched) FROM marts.channel_daily, bounds
                       WHERE day = d), 0), 6)
UNION ALL
SELECT 'monetization_daily', 'follows',
       (SELECT count(*) FROM core.follows, bounds
        WHERE followed_at >= lo AND followed_at < hi AND channel_id IS NOT NULL),
       (SELECT coalesce(sum(follows), 0) FROM marts.monetization_daily, bounds WHERE day = d)
UNION ALL
SELECT 'monetization_daily', 'paid_subscriptions',
       (SELECT count(*) FROM core.subscriptions, bounds
        WHERE subscribed_at >= lo AND subscribed_at < hi AND NOT is_gift AND channel_id IS NOT NULL),
       (SELECT coalesce(sum(subs_new + subs_renewed), 0) FROM marts.monetization_daily, bounds
        WHERE day = d)
UNION ALL
SELECT 'monetization_daily', 'gifted_subscriptions',
       (SELECT coalesce(sum(gift_count), 0) FROM core.gifts, bounds
        WHERE gifted_at >= lo AND gifted_at < hi AND channel_id IS NOT NULL),
       (SELECT coalesce(sum(subs_gifted), 0) FROM marts.monetization_daily, bounds WHERE day = d)
UNION ALL
SELECT 'monetization_daily', 'ended_subscriptions',
       (SELECT count(*) FROM core.subscription_ends, bounds
        WHERE ended_at >= lo AND ended_at < hi AND channel_id IS NOT NULL),
       (SELECT coalesce(sum(subs_ended), 0) FROM marts.monetization_daily, bounds WHERE day = d)
UNION ALL
SELECT 'monetization_daily', 'volts',
       (SELECT coalesce(sum(volts), 0) FROM core.volts_tips, bounds
        WHERE tipped_at >= lo AND tipped_at < hi AND channel_id IS NOT NULL),
       (SELECT coalesce(sum(volts), 0) FROM marts.monetization_daily, bounds WHERE day = d)
UNION ALL
SELECT 'monetization_daily', 'points_spent',
       (SELECT coalesce(sum(reward_cost), 0) FROM core.points_redemptions, bounds
        WHERE redeemed_at >= lo AND redeemed_at < hi AND channel_id IS NOT NULL),
       (SELECT coalesce(sum(points_spent), 0) FROM marts.monetization_daily, bounds WHERE day = d)
UNION ALL
SELECT 'revenue_estimate_daily', 'revenue_volts_match_monetization',
       (SELECT coalesce(sum(volts), 0) FROM marts.monetization_daily, bounds WHERE day = d),
       (SELECT coalesce(sum(volts), 0) FROM marts.revenue_estimate_daily, bounds WHERE day = d);
