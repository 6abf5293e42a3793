-- Daily follower totals (last known each UTC day) of the given channels over the period.
SELECT day, channel_id, username, follower_count, followers_gained
FROM marts.channel_daily
WHERE channel_id IN (SELECT unnest(CAST($channel_ids AS VARCHAR[])))
  AND day >= CAST(timezone($tz, CAST($start_at AS TIMESTAMPTZ)) AS DATE)
  AND day < CAST(timezone($tz, CAST($end_at AS TIMESTAMPTZ)) AS DATE)
  AND follower_count IS NOT NULL
ORDER BY channel_id, day;
