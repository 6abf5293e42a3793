-- Per local day in $tz of [$start_at, $end_at): hours watched, airtime and channels live (from
-- the 15-minute intervals, so days are exact in any zone) and the sampled peak of the hours.
WITH viewing AS (
    SELECT CAST(timezone($tz, interval_start) AS DATE) AS day,
           sum(hours_watched) AS hours_watched, sum(airtime_hours) AS airtime_hours,
           count(DISTINCT channel_id) AS channels_live
    FROM marts.stream_intervals
    WHERE interval_start >= $start_at AND interval_start < $end_at
    GROUP BY ALL
),
peaks AS (
    SELECT CAST(timezone($tz, hour) AS DATE) AS day, max(viewers_peak) AS viewers_peak
    FROM marts.platform_hourly
    WHERE hour >= $start_at AND hour < $end_at
    GROUP BY ALL
)
SELECT day, hours_watched, airtime_hours, channels_live, viewers_peak
FROM viewing LEFT JOIN peaks USING (day)
ORDER BY day;
