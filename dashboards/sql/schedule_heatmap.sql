-- Day of week x hour of day in $tz over [$start_at, $end_at): viewers per live channel (hours
-- watched / airtime) and average channels live, of one category ($category_slug NULL: all).
SELECT isodow(timezone($tz, interval_start)) AS weekday,
       hour(timezone($tz, interval_start)) AS hour,
       sum(hours_watched) AS hours_watched, sum(airtime_hours) AS airtime_hours,
       sum(hours_watched) / nullif(sum(airtime_hours), 0) AS viewers_per_channel
FROM marts.stream_intervals
WHERE interval_start >= $start_at AND interval_start < $end_at
  AND (CAST($category_slug AS VARCHAR) IS NULL OR category_slug = $category_slug)
GROUP BY ALL
ORDER BY weekday, hour;
