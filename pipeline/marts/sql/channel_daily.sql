-- marts.channel_daily for the UTC days [$day_start, $day_end): viewing from the 15-minute
-- intervals of every session (a session across midnight gives each day its share), streams by
-- the day they began, followers exact from follow events where webhooks cover the channel, else
-- from follower totals. Coverage of a channel: webhook capture had begun by the day
-- (the earliest event received) and the channel has delivered at least one event
-- (marts.webhook_coverage: one row per channel, so this never scans the event history).
-- Every row reads only its own day and the days before it that the registry names, never the
-- other days built with it: a day built alone equals the same day built in a week.
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
session_names AS (
    SELECT session_day, channel_id, username, last_sample_at
    FROM marts.stream_sessions
    WHERE session_day >= CAST($day_start AS DATE) - $session_span_days
      AND session_day < CAST($day_end AS DATE)
      AND username IS NOT NULL
),
capture AS (
    SELECT min(first_event_at) AS since FROM marts.webhook_coverage
),
covered AS (
    SELECT channel_id FROM marts.webhook_coverage
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
    WHERE snapshot_at >= CAST($day_start AS TIMESTAMPTZ) - to_days(CAST($profile_days AS INTEGER))
      AND snapshot_at < CAST($day_end AS TIMESTAMPTZ)
    GROUP BY ALL
),
total_deltas AS (  -- against the channel's last total at most $profile_days days before
    SELECT day, channel_id, username, last_count,
           CASE WHEN lag(day) OVER w >= day - CAST($profile_days AS INTEGER)
                THEN last_count - lag(last_count) OVER w END AS delta
    FROM totals
    WINDOW w AS (PARTITION BY channel_id ORDER BY day)
),
days AS (
    SELECT day, channel_id FROM viewing
    UNION SELECT day, channel_id FROM streams
    UNION SELECT day, channel_id FROM follow_events
    UNION SELECT day, channel_id FROM total_deltas
    WHERE day >= CAST($day_start AS DATE) AND day < CAST($day_end AS DATE)
),
names AS (  -- the channel's latest name among the sessions that reach into the day
    SELECT d.day, d.channel_id, arg_max(n.username, n.last_sample_at) AS username
    FROM days d JOIN session_names n
      ON n.channel_id = d.channel_id
     AND n.session_day BETWEEN d.day - $session_span_days AND d.day
    GROUP BY ALL
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
LEFT JOIN names n USING (day, channel_id)
WHERE d.day >= CAST($day_start AS DATE) AND d.day < CAST($day_end AS DATE);
