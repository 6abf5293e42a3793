-- One channel over [$start_at, $end_at): viewing from its 15-minute intervals (local days in $tz),
-- sessions that started in the period, followers and monetization of the period's UTC days.
WITH viewing AS (
    SELECT sum(hours_watched) AS hours_watched, sum(airtime_hours) AS airtime_hours,
           sum(covered_hours) AS covered_hours, max(peak_viewers) AS peak_viewers
    FROM marts.stream_intervals
    WHERE channel_id = $channel_id AND interval_start >= $start_at AND interval_start < $end_at
),
sessions AS (
    SELECT count(*) AS streams FROM marts.stream_sessions
    WHERE channel_id = $channel_id AND started_at >= $start_at AND started_at < $end_at
),
days AS (
    SELECT sum(followers_gained) AS followers_gained FROM marts.channel_daily
    WHERE channel_id = $channel_id
      AND day >= CAST(timezone($tz, CAST($start_at AS TIMESTAMPTZ)) AS DATE)
      AND day < CAST(timezone($tz, CAST($end_at AS TIMESTAMPTZ)) AS DATE)
),
money AS (
    SELECT sum(follows) AS follows, sum(subs_new + subs_renewed + subs_gifted) AS subs,
           sum(volts) AS volts
    FROM marts.monetization_daily
    WHERE channel_id = $channel_id
      AND day >= CAST(timezone($tz, CAST($start_at AS TIMESTAMPTZ)) AS DATE)
      AND day < CAST(timezone($tz, CAST($end_at AS TIMESTAMPTZ)) AS DATE)
)
SELECT * FROM viewing, sessions, days, money;
