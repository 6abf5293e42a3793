-- The 15-minute intervals of one session: average viewers per bucket come from the mart.
SELECT interval_start, category_slug, hours_watched, covered_hours, airtime_hours, peak_viewers
FROM marts.stream_intervals
WHERE stream_id = $stream_id
ORDER BY interval_start, category_slug;
