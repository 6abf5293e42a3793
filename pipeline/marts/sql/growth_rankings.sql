-- marts.growth_rankings for the as-of days [$day_start, $day_end): for 7- and 28-day windows
-- ending on the as-of day, each channel's hours watched, average viewers (time-weighted: hours
-- watched / covered hours) and followers gained against the previous window of equal length;
-- its rank by the current value, its rank then, and whether it broke into the top $breakout_n.
INSERT INTO marts.growth_rankings BY NAME
WITH as_of_days AS (
    SELECT CAST(d AS DATE) AS as_of
    FROM generate_series(CAST($day_start AS DATE), CAST($day_end AS DATE) - 1, INTERVAL 1 DAY) t(d)
),
windows AS (SELECT * FROM (VALUES (7), (28)) t(window_days)),
daily AS (
    SELECT day, channel_id, username, hours_watched, covered_hours, followers_gained
    FROM marts.channel_daily
    WHERE day >= CAST($day_start AS DATE) - 56 AND day < CAST($day_end AS DATE)
),
spans AS (
    SELECT a.as_of, w.window_days, d.channel_id,
           arg_max(d.username, d.day) AS username,
           d.day > a.as_of - w.window_days AS is_current,
           sum(d.hours_watched) AS hours_watched,
           sum(d.covered_hours) AS covered_hours,
           sum(d.followers_gained) AS followers_gained
    FROM as_of_days a CROSS JOIN windows w
    JOIN daily d ON d.day <= a.as_of AND d.day > a.as_of - 2 * w.window_days
    GROUP BY a.as_of, w.window_days, d.channel_id, is_current
),
paired AS (
    SELECT as_of, window_days, channel_id,
           arg_max(username, is_current) AS username,
           max(hours_watched) FILTER (WHERE is_current) AS cur_hours,
           max(hours_watched) FILTER (WHERE NOT is_current) AS prev_hours,
           max(hours_watched / nullif(covered_hours, 0)) FILTER (WHERE is_current) AS cur_avg,
           max(hours_watched / nullif(covered_hours, 0)) FILTER (WHERE NOT is_current) AS prev_avg,
           max(followers_gained) FILTER (WHERE is_current) AS cur_follows,
           max(followers_gained) FILTER (WHERE NOT is_current) AS prev_follows
    FROM spans GROUP BY ALL
),
metrics AS (
    SELECT as_of, window_days, channel_id, username, 'hours_watched' AS metric,
           cur_hours AS current_value, prev_hours AS previous_value FROM paired
    UNION ALL
    SELECT as_of, window_days, channel_id, username, 'average_viewers', cur_avg, prev_avg
    FROM paired
    UNION ALL
    SELECT as_of, window_days, channel_id, username, 'followers_gained',
           CAST(cur_follows AS DOUBLE), CAST(prev_follows AS DOUBLE) FROM paired
),
ranked AS (
    SELECT *,
           CASE WHEN current_value > 0 THEN rank() OVER (
               PARTITION BY as_of, window_days, metric, current_value > 0
               ORDER BY current_value DESC, channel_id) END AS rank,
           CASE WHEN previous_value > 0 THEN rank() OVER (
               PARTITION BY as_of, window_days, metric, previous_value > 0
               ORDER BY previous_value DESC, channel_id) END AS previous_rank
    FROM metrics
)
SELECT as_of, window_days, metric, channel_id, username, current_value, previous_value,
       current_value - previous_value AS change,
       (current_value - previous_value) / nullif(previous_value, 0) AS change_pct,
       CAST(rank AS INTEGER) AS rank,
       CAST(previous_rank AS INTEGER) AS previous_rank,
       CAST(previous_rank - rank AS INTEGER) AS rank_change,
       rank <= $breakout_n AND (previous_rank IS NULL OR previous_rank > $breakout_n) AS breakout
FROM ranked
WHERE rank IS NOT NULL;
