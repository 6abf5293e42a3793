-- The channels of one category over the period's UTC days, most hours watched first.
SELECT c.channel_id, arg_max(d.username, c.day) AS username,
       sum(c.hours_watched) AS hours_watched, sum(c.airtime_hours) AS airtime_hours,
       sum(c.hours_watched) / nullif(sum(c.airtime_hours), 0) AS average_viewers,
       avg(c.share_of_category) AS share_of_category
FROM marts.category_channel_daily c
LEFT JOIN marts.channel_daily d ON d.day = c.day AND d.channel_id = c.channel_id
WHERE c.category_slug = $category_slug
  AND c.day >= CAST(timezone($tz, CAST($start_at AS TIMESTAMPTZ)) AS DATE)
  AND c.day < CAST(timezone($tz, CAST($end_at AS TIMESTAMPTZ)) AS DATE)
GROUP BY c.channel_id
ORDER BY hours_watched DESC
LIMIT $top_n;
