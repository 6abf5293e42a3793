-- marts.channel_daily for the UTC days [$day_start, $day_end): viewing from the 15-minute
-- intervals of every session (a session across midnight gives each day its share), streams by
-- the day they began, followers exact from follow events where webhooks cover the channel, else
-- from follower totals. Coverage of a channel: webhook capture had begun by the day
-- (the earliest event received) and the channel has delivered at least one event.
INSERT INTO marts.channel_daily BY NAME
WITH viewing AS (
    SELECT CAST(interval_start AS DATE) AS day, channel_id,
           sum(hours_watched) AS hours_watched,
           sum(airtime_hours) AS airtime_hours,
           sum(covered_hours) AS covered_hours,
           max(peak_viewers) AS peak_viewers,
           sum(samples) AS samples,
           arg_max(category_slug, hours_watched) AS top_category_slug
    FROM marts.stream_intervals
    WHERE interval_start >= CAST($day_start AS TIMESTAMPTZ)
      AND interval_start < CAST($day_end AS TIMESTAMPTZ)
    GROUP BY ALL
),
streams AS (
    SELECT session_day AS day, channel_id, count(*) AS streams
    FROM marts.stream_sessions
    WHERE session_day >= CAST($day_start AS DATE) AND session_day < CAST($day_end AS DATE)
    GROUP BY ALL
),
names AS (  -- the channel's latest name among the sessions that reach into the days
    SELECT channel_id, arg_max(username, last_sample_at) AS username
    FROM marts.stream_sessions
    WHERE session_day >= CAST($day_start AS DATE) - 2 AND session_day < CAST($day_end AS DATE)
      AND username IS NOT NULL
    GROUP BY channel_id
),
capture AS (
    SELECT min(event_at) AS since FROM core.webhook_events WHERE NOT is_test
),
covered AS (
    SELECT DISTINCT channel_id FROM core.webhook_events
    WHERE NOT is_test AND channel_id IS NOT NULL
),
follow_events AS (
    SELECT CAST(followed_at AS DATE) AS day, channel_id, count(*) AS follows
    FROM core.follows
    WHERE followed_at >= CAST($day_start AS TIMESTAMPTZ)
      AND followed_at < CAST($day_end AS TIMESTAMPTZ)
      AND channel_id IS NOT NULL
    GROUP BY ALL
),
totals AS (
    SELECT CAST(snapshot_at AS DATE) AS day, user_id AS channel_id,
           arg_max(follower_count, snapshot_at) AS last_count,
           arg_max(username, snapshot_at) AS username
    FROM core.channel_profiles
    WHERE snapshot_at >= CAST($day_start AS TIMESTAMPTZ) - INTERVAL 7 DAY
      AND snapshot_at < CAST($day_end AS TIMESTAMPTZ)
    GROUP BY ALL
),
total_deltas AS (
    SELECT day, channel_id, username, last_count,
           last_count - lag(last_count) OVER (PARTITION BY channel_id ORDER BY day) AS delta
    FROM totals
),
days AS (
    SELECT day, channel_id FROM viewing
    UNION SELECT day, channel_id FROM streams
    UNION SELECT day, channel_id FROM follow_events
    UNION SELECT day, channel_id FROM total_deltas
    WHERE day >= CAST($day_start AS DATE) AND day < CAST($day_end AS DATE)
)
SELECT d.day,
       d.channel_id,
       coalesce(n.username, t.username) AS username,
       coalesce(v.hours_watched, 0) AS hours_watched,
       coalesce(v.airtime_hours, 0) AS airtime_hours,
       coalesce(v.covered_hours, 0) AS covered_hours,
       CASE WHEN v.covered_hours > 0 THEN v.hours_watched / v.covered_hours END AS average_viewers,
       v.peak_viewers,
       CAST(coalesce(s.streams, 0) AS INTEGER) AS streams,
       CAST(coalesce(v.samples, 0) AS INTEGER) AS samples,
       CASE WHEN v.airtime_hours > 0 THEN v.covered_hours / v.airtime_hours END AS coverage,
       v.top_category_slug,
       CASE
           WHEN c.channel_id IS NOT NULL AND cap.since <= CAST(d.day AS TIMESTAMPTZ)
               THEN coalesce(f.follows, 0)
           ELSE t.delta
       END AS followers_gained,
       CASE
           WHEN c.channel_id IS NOT NULL AND cap.since <= CAST(d.day AS TIMESTAMPTZ) THEN 'events'
           WHEN t.delta IS NOT NULL THEN 'follower_totals'
       END AS followers_source,
       t.last_count AS follower_count,
       -- Few viewers or little of the airtime observed: the sampled numbers are rough.
       coalesce(v.hours_watched / nullif(v.covered_hours, 0) < $low_viewers, false)
           OR coalesce(v.covered_hours / nullif(v.airtime_hours, 0) < $low_coverage, false)
           AS low_confidence
FROM days d
CROSS JOIN capture cap
LEFT JOIN viewing v USING (day, channel_id)
LEFT JOIN streams s USING (day, channel_id)
LEFT JOIN follow_events f USING (day, channel_id)
LEFT JOIN total_deltas t USING (day, channel_id)
LEFT JOIN covered c ON c.channel_id = d.channel_id
LEFT JOIN names n ON n.channel_id = d.channel_id
WHERE d.day >= CAST($day_start AS DATE) AND d.day < CAST($day_end AS DATE);
