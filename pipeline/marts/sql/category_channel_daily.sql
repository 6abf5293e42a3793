-- marts.category_channel_daily for [$day_start, $day_end): each channel's hours in a category
-- and its share of the category's hours watched that day.
INSERT INTO marts.category_channel_daily BY NAME
WITH viewing AS (
    SELECT CAST(interval_start AS DATE) AS day, coalesce(category_slug, 'unknown') AS category_slug,
           channel_id, sum(hours_watched) AS hours_watched, sum(airtime_hours) AS airtime_hours,
           sum(covered_hours) AS covered_hours
    FROM marts.stream_intervals
    WHERE interval_start >= CAST($day_start AS TIMESTAMPTZ)
      AND interval_start < CAST($day_end AS TIMESTAMPTZ)
    GROUP BY ALL
)
SELECT day, category_slug, channel_id, hours_watched, airtime_hours,
       hours_watched / nullif(covered_hours, 0) AS average_viewers,
       hours_watched / nullif(sum(hours_watched) OVER (PARTITION BY day, category_slug), 0)
           AS share_of_category
FROM viewing;
