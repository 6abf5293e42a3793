-- Hours watched per category over [$start_at, $end_at) and its share of the period's total.
SELECT coalesce(category_slug, '(none)') AS category_slug,
       sum(hours_watched) AS hours_watched,
       sum(airtime_hours) AS airtime_hours,
       sum(hours_watched) / nullif(sum(sum(hours_watched)) OVER (), 0) AS share_of_hours_watched
FROM marts.stream_intervals
WHERE interval_start >= $start_at AND interval_start < $end_at
GROUP BY ALL
HAVING sum(hours_watched) > 0
ORDER BY hours_watched DESC;
