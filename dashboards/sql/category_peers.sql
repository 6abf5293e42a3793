-- The peers of $channel_id over [$start_at, $end_at): channels whose most-watched category in
-- the period is the channel's, with their viewing totals (the channel itself included).
WITH per_channel AS (
    SELECT channel_id, category_slug, sum(hours_watched) AS hours_watched,
           sum(covered_hours) AS covered_hours, sum(airtime_hours) AS airtime_hours
    FROM marts.stream_intervals
    WHERE interval_start >= $start_at AND interval_start < $end_at
    GROUP BY ALL
),
home AS (
    SELECT channel_id, arg_max(category_slug, hours_watched) AS category_slug
    FROM per_channel GROUP BY channel_id
),
totals AS (
    SELECT channel_id, sum(hours_watched) AS hours_watched, sum(covered_hours) AS covered_hours,
           sum(airtime_hours) AS airtime_hours
    FROM per_channel GROUP BY channel_id
)
SELECT h.category_slug, t.channel_id, t.hours_watched, t.covered_hours, t.airtime_hours
FROM totals t JOIN home h USING (channel_id)
WHERE h.category_slug = (SELECT category_slug FROM home WHERE channel_id = $channel_id)
ORDER BY t.hours_watched DESC;
