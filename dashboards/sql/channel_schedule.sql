-- One channel's airtime and hours watched by day of week x hour of day in $tz.
SELECT isodow(timezone($tz, interval_start)) AS weekday,
       hour(timezone($tz, interval_start)) AS hour,
       sum(airtime_hours) AS airtime_hours, sum(hours_watched) AS hours_watched
FROM marts.stream_intervals
WHERE channel_id = $channel_id AND interval_start >= $start_at AND interval_start < $end_at
GROUP BY ALL
ORDER BY weekday, hour;
