-- Platform figures of one period [$start_at, $end_at): viewing from the 15-minute intervals (exact
-- local days in $tz), concurrency from the hours; monetization of the UTC days the period spans.
WITH viewing AS (
    SELECT sum(hours_watched) AS hours_watched, sum(airtime_hours) AS airtime_hours,
           count(DISTINCT channel_id) AS channels_live
    FROM marts.stream_intervals
    WHERE interval_start >= $start_at AND interval_start < $end_at
),
hours AS (
    SELECT avg(live_channels_avg) AS live_channels_avg, avg(viewers_avg) AS viewers_avg,
           max(viewers_peak) AS viewers_peak
    FROM marts.platform_hourly
    WHERE hour >= $start_at AND hour < $end_at
),
money AS (
    SELECT sum(follows) AS follows, sum(subs_new + subs_renewed + subs_gifted) AS subs,
           sum(subs_net) AS subs_net, sum(volts) AS volts
    FROM marts.monetization_daily
    WHERE day >= CAST(timezone($tz, CAST($start_at AS TIMESTAMPTZ)) AS DATE)
      AND day < CAST(timezone($tz, CAST($end_at AS TIMESTAMPTZ)) AS DATE)
)
SELECT * FROM viewing, hours, money;
