-- Supporters of one channel (or all: $channel_id NULL) over the UTC days of the period.
SELECT supporter_id, arg_max(supporter_username, day) AS supporter_username,
       count(DISTINCT channel_id) AS channels,
       sum(volts) AS volts, sum(gift_subs) AS gift_subs, sum(points_spent) AS points_spent,
       min(best_rank) AS best_rank
FROM marts.top_supporters
WHERE day >= CAST(timezone($tz, CAST($start_at AS TIMESTAMPTZ)) AS DATE)
  AND day < CAST(timezone($tz, CAST($end_at AS TIMESTAMPTZ)) AS DATE)
  AND (CAST($channel_id AS VARCHAR) IS NULL OR channel_id = $channel_id)
GROUP BY supporter_id
ORDER BY volts DESC, gift_subs DESC, points_spent DESC, supporter_id
LIMIT $top_n;
