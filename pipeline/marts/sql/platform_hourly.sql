-- marts.platform_hourly for [$day_start, $day_end): every hour with a live poll. Averages are
-- time-weighted (hours watched in the hour), peaks are the largest sampled totals.
INSERT INTO marts.platform_hourly BY NAME
WITH polls AS (
    SELECT time_bucket(INTERVAL 1 HOUR, snapshot_at) AS hour, snapshot_at,
           count(*) AS live_channels, sum(viewer_count) AS viewers
    FROM core.stream_snapshots
    WHERE source = 'live'
      AND snapshot_at >= CAST($day_start AS TIMESTAMPTZ)
      AND snapshot_at < CAST($day_end AS TIMESTAMPTZ)
    GROUP BY ALL
),
by_poll AS (
    SELECT hour, count(*) AS polls, avg(live_channels) AS live_channels_avg,
           max(live_channels) AS live_channels_peak, max(viewers) AS viewers_peak
    FROM polls GROUP BY hour
),
viewing AS (
    SELECT time_bucket(INTERVAL 1 HOUR, interval_start) AS hour,
           sum(hours_watched) AS hours_watched, sum(airtime_hours) AS airtime_hours
    FROM marts.stream_intervals
    WHERE interval_start >= CAST($day_start AS TIMESTAMPTZ)
      AND interval_start < CAST($day_end AS TIMESTAMPTZ)
    GROUP BY ALL
)
SELECT p.hour, CAST(p.hour AS DATE) AS day, CAST(p.polls AS INTEGER) AS polls,
       p.live_channels_avg, p.live_channels_peak,
       coalesce(v.hours_watched, 0) AS viewers_avg,
       p.viewers_peak,
       coalesce(v.hours_watched, 0) AS hours_watched,
       coalesce(v.airtime_hours, 0) AS airtime_hours
FROM by_poll p LEFT JOIN viewing v USING (hour);
