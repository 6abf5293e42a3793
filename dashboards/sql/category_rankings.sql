-- Categories over the UTC days of the period: hours watched, airtime, time-weighted average
-- viewers, the best daily sampled peak and the most channels live on one day.
SELECT category_slug, sum(hours_watched) AS hours_watched, sum(airtime_hours) AS airtime_hours,
       sum(hours_watched) / nullif(sum(covered_hours), 0) AS average_viewers,
       max(peak_viewers) AS peak_viewers, max(channels) AS channels
FROM marts.category_daily
WHERE day >= CAST(timezone($tz, CAST($start_at AS TIMESTAMPTZ)) AS DATE)
  AND day < CAST(timezone($tz, CAST($end_at AS TIMESTAMPTZ)) AS DATE)
GROUP BY category_slug
ORDER BY hours_watched DESC;
