-- What the core rows of the window [$lo, $hi) change, for pipeline/marts/plan.py to turn into
-- day partitions. One row per (kind, first_day, last_day):
--   day       a day the window's rows fall in, by each row's own time (followedAt, tippedAt ...)
--   session   the owning day of a session the rows change (new samples, an offline event, a
--             VOD), before and after they arrived (marts.stream_sessions holds "before")
--   profile   a day with new follower totals
--   coverage  days of marts.channel_daily that a channel's first webhook event (or an earlier
--             start of the capture) rewrites
-- Reads the window's rows, the sessions of the days around it and one row per covered channel:
-- never the whole history (a session is read up to 48 h past its day and takes offline events up
-- to 4 days after it, session_segments.sql).
WITH w AS (SELECT CAST($lo AS TIMESTAMPTZ) AS lo, CAST($hi AS TIMESTAMPTZ) AS hi),
recent AS (
    SELECT s.*, coalesce(s.ended_at, s.last_sample_at) AS span_end,
           to_minutes(CAST(3 * s.cadence_minutes AS BIGINT)) AS slack
    FROM marts.stream_sessions s, w
    WHERE s.session_day >= CAST(w.lo AS DATE) - 4 AND s.session_day <= CAST(w.hi AS DATE) + 2
),
samples AS (
    SELECT stream_id, any_value(user_id) AS channel_id, min(snapshot_at) AS first_at,
           max(snapshot_at) AS last_at, min(started_at) AS reported_start
    FROM core.stream_snapshots, w
    WHERE source = 'live' AND snapshot_at >= w.lo AND snapshot_at < w.hi
    GROUP BY stream_id
),
touched AS (  -- each stream with new samples: its span now and the day that owned it before
    SELECT n.stream_id, n.channel_id,
           greatest(n.last_at, s.last_sample_at) AS last_at,
           least(n.first_at, s.first_sample_at) AS first_at,
           least(n.first_at, n.reported_start, s.started_at) AS start_at,
           s.session_day AS old_day
    FROM samples n LEFT JOIN recent s USING (stream_id)
),
offline AS (
    SELECT channel_id, stream_id, coalesce(ended_at, event_at) AS offline_at
    FROM core.stream_status_events, w
    WHERE status = 'offline' AND event_at >= w.lo AND event_at < w.hi
),
moments AS (  -- the window, and each raid it brings (attached to the sessions live then)
    SELECT lo, hi FROM w
    UNION ALL
    SELECT r.raided_at, r.raided_at FROM core.raids r, w WHERE r.event_at >= w.lo AND r.event_at < w.hi
),
sessions_hit AS (
    SELECT CAST(first_at AS DATE) AS day FROM touched
    UNION SELECT old_day FROM touched WHERE old_day IS NOT NULL
    -- the channel's other sessions the stream's span now meets: a later start caps an earlier
    -- session's estimated end and keeps its offline event; a later sample moves the next start
    UNION SELECT s.session_day FROM touched t JOIN recent s
        ON s.channel_id = t.channel_id AND s.stream_id <> t.stream_id
       AND s.started_at <= t.last_at AND s.span_end >= t.start_at
    -- sessions live around the window (3 cadences: the poll that dates an estimated end)
    UNION SELECT s.session_day FROM recent s JOIN moments m
        ON s.started_at - s.slack <= m.hi AND s.span_end + s.slack >= m.lo
    -- a new latest poll ends the sessions listed by the last one, or they go on
    UNION SELECT session_day FROM marts.stream_sessions WHERE end_source = 'ongoing'
    -- a VOD gives its stream's exact end (asked within 48 h of the end, so the session is recent)
    UNION SELECT s.session_day FROM core.vods v JOIN recent s USING (stream_id), w
        WHERE v.first_seen_at >= w.lo AND v.first_seen_at < w.hi
    -- an offline event ends its stream, else the channel's latest session before it
    UNION SELECT s.session_day FROM offline o JOIN recent s ON s.stream_id = o.stream_id
    UNION SELECT arg_max(s.session_day, s.first_sample_at) FROM offline o JOIN recent s
        ON s.channel_id = o.channel_id AND s.first_sample_at <= o.offline_at
    GROUP BY o.channel_id, o.offline_at
),
event_rows AS (  -- each webhook table's rows by when they arrived and when they happened
    SELECT event_at, followed_at AS row_at FROM core.follows
    UNION ALL SELECT event_at, subscribed_at FROM core.subscriptions
    UNION ALL SELECT event_at, ended_at FROM core.subscription_ends
    UNION ALL SELECT event_at, gifted_at FROM core.gifts
    UNION ALL SELECT event_at, tipped_at FROM core.volts_tips
    UNION ALL SELECT event_at, redeemed_at FROM core.points_redemptions
    UNION ALL SELECT event_at, raided_at FROM core.raids
),
row_days AS (
    SELECT CAST(unnest(generate_series(CAST(lo AS DATE), CAST(hi - INTERVAL 1 MICROSECOND AS DATE),
                                       INTERVAL 1 DAY)) AS DATE) AS day
    FROM w
    UNION SELECT CAST(row_at AS DATE) FROM event_rows, w
        WHERE event_at >= w.lo AND event_at < w.hi
),
profile_days AS (
    SELECT DISTINCT CAST(snapshot_at AS DATE) AS day FROM core.channel_profiles, w
    WHERE snapshot_at >= w.lo AND snapshot_at < w.hi
),
first_events AS (
    SELECT channel_id, min(event_at) AS first_at FROM core.webhook_events, w
    WHERE NOT is_test AND channel_id IS NOT NULL AND event_at >= w.lo AND event_at < w.hi
    GROUP BY channel_id
),
newly_covered AS (
    SELECT channel_id FROM first_events
    WHERE channel_id NOT IN (SELECT channel_id FROM marts.webhook_coverage)
),
coverage AS (
    -- a channel's first event: its follows count from events on every day it has
    SELECT min(d.day) AS first_day, max(d.day) AS last_day
    FROM marts.channel_daily d JOIN newly_covered n USING (channel_id)
    UNION ALL
    -- the capture begins earlier: every covered channel's days from the new start to the old
    SELECT CAST(f.first_at AS DATE), CAST(c.since AS DATE)
    FROM (SELECT min(first_at) AS first_at FROM first_events) f,
         (SELECT min(first_event_at) AS since FROM marts.webhook_coverage) c
    WHERE f.first_at < c.since
)
SELECT 'day' AS kind, day AS first_day, day AS last_day FROM row_days WHERE day IS NOT NULL
UNION ALL SELECT 'session', day, day FROM sessions_hit WHERE day IS NOT NULL
UNION ALL SELECT 'profile', day, day FROM profile_days
UNION ALL SELECT 'coverage', first_day, last_day FROM coverage WHERE first_day IS NOT NULL
