-- Monetization per UTC day over the days of [$start_at, $end_at) in $tz, of one channel or of
-- the platform ($channel_id NULL: every channel summed).
SELECT day,
       sum(follows) AS follows, sum(subs_new) AS subs_new, sum(subs_renewed) AS subs_renewed,
       sum(subs_gifted) AS subs_gifted, sum(subs_ended) AS subs_ended, sum(subs_net) AS subs_net,
       sum(gift_events) AS gift_events, sum(volts) AS volts, sum(volts_events) AS volts_events,
       sum(points_redemptions) AS points_redemptions, sum(points_spent) AS points_spent
FROM marts.monetization_daily
WHERE day >= CAST(timezone($tz, CAST($start_at AS TIMESTAMPTZ)) AS DATE)
  AND day < CAST(timezone($tz, CAST($end_at AS TIMESTAMPTZ)) AS DATE)
  AND (CAST($channel_id AS VARCHAR) IS NULL OR channel_id = $channel_id)
GROUP BY day
ORDER BY day;
