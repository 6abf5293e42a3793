-- Per local day in $tz: each category's hours watched and share of that day's total (from the
-- 15-minute intervals, so days are exact in any zone).
WITH daily AS (
    SELECT CAST(timezone($tz, interval_start) AS DATE) AS day,
           coalesce(category_slug, '(none)') AS category_slug, sum(hours_watched) AS hours_watched
    FROM marts.stream_intervals
    WHERE interval_start >= $start_at AND interval_start < $end_at
    GROUP BY ALL
)
SELECT day, category_slug, hours_watched,
       hours_watched / nullif(sum(hours_watched) OVER (PARTITION BY day), 0)
           AS share_of_hours_watched
FROM daily
ORDER BY day, hours_watched DESC;
