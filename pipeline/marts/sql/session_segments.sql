-- Prepare step of marts.stream_sessions / marts.stream_intervals for the UTC days
-- [$day_start, $day_end): the viewer curve of every session those days own, as segments.
--
-- A session is one stream_id of the live directory; it is owned by the day of its first sample.
-- Its points are the live samples, plus the edges: the start (startedAt) when it lies before the
-- first sample, and the end (the stream.offline time, else the estimate below) when it lies after
-- the last. Consecutive points form segments; a segment longer than 3 x the cadence of its polls
-- is a gap: it counts towards airtime but is neither interpolated nor watched (docs/metrics.md).
-- Sessions are read up to 48 h after their first sample.
--
-- End of a session, best first:
--   offline_event: stream.offline for its stream id (documented data.streamId), else the
--                  channel's first offline event after the last sample and before its next stream;
--   vod:           the endedAt of the stream's VOD (core.vods, fetched once the stream ended);
--   estimated:     the stream left the directory between two polls: the midpoint of the last
--                  poll that listed it and the next live poll (the unbiased guess when the end is
--                  uniform in between), at most half a cadence past the last sample when the
--                  pipeline itself missed polls;
--   ongoing:       listed by the latest live poll: no end yet (airtime runs to the last sample).
CREATE OR REPLACE TEMP TABLE mart_session_samples AS
WITH live AS (
    SELECT stream_id, user_id, username, title, category_slug, snapshot_at, viewer_count,
           started_at, coalesce(cadence_minutes, 5) AS cadence_minutes
    FROM core.stream_snapshots
    WHERE source = 'live'
      AND snapshot_at >= CAST($day_start AS TIMESTAMPTZ)
      AND snapshot_at < CAST($day_end AS TIMESTAMPTZ) + INTERVAL 2 DAY
),
firsts AS (
    SELECT stream_id, min(snapshot_at) AS first_sample_at
    FROM live GROUP BY stream_id
),
-- A stream whose first sample is in the window but that was listed before it is owned earlier.
earlier AS (
    SELECT DISTINCT stream_id
    FROM core.stream_snapshots
    WHERE source = 'live'
      AND snapshot_at >= CAST($day_start AS TIMESTAMPTZ) - INTERVAL 2 DAY
      AND snapshot_at < CAST($day_start AS TIMESTAMPTZ)
      AND stream_id IN (SELECT stream_id FROM firsts)
),
owned AS (
    SELECT f.stream_id, f.first_sample_at
    FROM firsts f
    WHERE f.first_sample_at < CAST($day_end AS TIMESTAMPTZ)
      AND f.stream_id NOT IN (SELECT stream_id FROM earlier)
),
samples AS (
    SELECT l.*
    FROM live l JOIN owned o USING (stream_id)
    WHERE l.snapshot_at < o.first_sample_at + INTERVAL 2 DAY
      AND o.first_sample_at >= CAST($day_start AS TIMESTAMPTZ)
)
SELECT * FROM samples;

CREATE OR REPLACE TEMP TABLE mart_sessions AS
WITH samples AS (SELECT * FROM mart_session_samples),
-- Only polls since the first day can list these sessions: the latest poll read that far back
-- is the latest that matters, and the scan stays within the days built.
latest_poll AS (
    SELECT max(snapshot_at) AS polled_at FROM core.stream_snapshots
    WHERE source = 'live' AND snapshot_at >= CAST($day_start AS TIMESTAMPTZ)
),
sessions AS (
    SELECT stream_id,
           any_value(user_id) AS channel_id,
           min(snapshot_at) AS first_sample_at,
           max(snapshot_at) AS last_sample_at,
           min(started_at) AS reported_start,
           arg_min(viewer_count, snapshot_at) AS first_viewers,
           arg_max(viewer_count, snapshot_at) AS last_viewers,
           arg_min(cadence_minutes, snapshot_at) AS first_cadence,
           arg_max(cadence_minutes, snapshot_at) AS last_cadence,
           arg_min(category_slug, snapshot_at) AS first_category,
           arg_max(category_slug, snapshot_at) AS last_category,
           arg_max(username, snapshot_at) AS username,
           arg_max(title, snapshot_at) AS title,
           mode(category_slug) AS category_slug,
           count(*) AS samples,
           max(viewer_count) AS peak_viewers,
           max(cadence_minutes) AS cadence_minutes
    FROM samples GROUP BY stream_id
),
-- The channel's neighbouring streams: an offline event of a later stream is never borrowed, an
-- estimated end never runs into the next stream, and a start never reaches back into the last.
-- Each session looks at the streams listed from 2 days before its day to 4 days after it (bounds
-- of the session's own day, never of the days built together: a day built alone or in a week
-- gives the same rows).
channel_streams AS (
    SELECT user_id AS channel_id, stream_id,
           least(min(snapshot_at), coalesce(min(started_at), min(snapshot_at))) AS start_at,
           min(snapshot_at) AS first_at, max(snapshot_at) AS last_at
    FROM core.stream_snapshots
    WHERE source = 'live'
      AND snapshot_at >= CAST($day_start AS TIMESTAMPTZ) - INTERVAL 2 DAY
      AND snapshot_at < CAST($day_end AS TIMESTAMPTZ) + INTERVAL 4 DAY
    GROUP BY ALL
),
next_stream AS (
    SELECT s.stream_id, min(c.start_at) AS next_start
    FROM sessions s JOIN channel_streams c
      ON c.channel_id = s.channel_id AND c.first_at > s.first_sample_at AND c.stream_id <> s.stream_id
     AND c.last_at >= CAST(CAST(s.first_sample_at AS DATE) AS TIMESTAMPTZ) - INTERVAL 2 DAY
     AND c.first_at < CAST(CAST(s.first_sample_at AS DATE) AS TIMESTAMPTZ) + INTERVAL 5 DAY
    GROUP BY s.stream_id
),
previous_stream AS (
    SELECT s.stream_id, max(c.last_at) AS previous_end
    FROM sessions s JOIN channel_streams c
      ON c.channel_id = s.channel_id AND c.first_at < s.first_sample_at AND c.stream_id <> s.stream_id
     AND c.last_at >= CAST(CAST(s.first_sample_at AS DATE) AS TIMESTAMPTZ) - INTERVAL 2 DAY
     AND c.first_at < CAST(CAST(s.first_sample_at AS DATE) AS TIMESTAMPTZ) + INTERVAL 5 DAY
    GROUP BY s.stream_id
),
-- Test deliveries (the dashboard's "send test event") prove the path works but end no stream.
-- A session takes offline events from the day before its own to 3 days after it; the test
-- delivery of an event has the event's time, so both scans stay within those days.
real_offline AS (
    SELECT e.* FROM core.stream_status_events e
    WHERE e.status = 'offline'
      AND e.event_at >= CAST($day_start AS TIMESTAMPTZ) - INTERVAL 1 DAY
      AND e.event_at < CAST($day_end AS TIMESTAMPTZ) + INTERVAL 3 DAY
      AND NOT EXISTS (SELECT 1 FROM core.webhook_events w
                      WHERE w.event_key = e.event_key AND w.is_test
                        AND w.event_at >= CAST($day_start AS TIMESTAMPTZ) - INTERVAL 1 DAY
                        AND w.event_at < CAST($day_end AS TIMESTAMPTZ) + INTERVAL 3 DAY)
),
offline_by_stream AS (
    SELECT s.stream_id, min(coalesce(e.ended_at, e.event_at)) AS offline_at
    FROM sessions s JOIN real_offline e
      ON e.stream_id = s.stream_id
     AND e.event_at >= CAST(CAST(s.first_sample_at AS DATE) AS TIMESTAMPTZ) - INTERVAL 1 DAY
     AND e.event_at < CAST(CAST(s.first_sample_at AS DATE) AS TIMESTAMPTZ) + INTERVAL 4 DAY
    GROUP BY s.stream_id
),
offline_by_channel AS (
    SELECT s.stream_id, min(coalesce(e.ended_at, e.event_at)) AS offline_at
    FROM sessions s
    LEFT JOIN next_stream n USING (stream_id)
    JOIN real_offline e
      ON e.channel_id = s.channel_id
     AND coalesce(e.ended_at, e.event_at) >= s.last_sample_at
     AND (n.next_start IS NULL OR coalesce(e.ended_at, e.event_at) < n.next_start)
     AND e.event_at >= CAST(CAST(s.first_sample_at AS DATE) AS TIMESTAMPTZ) - INTERVAL 1 DAY
     AND e.event_at < CAST(CAST(s.first_sample_at AS DATE) AS TIMESTAMPTZ) + INTERVAL 4 DAY
    GROUP BY s.stream_id
),
vod_end AS (
    SELECT v.stream_id, v.ended_at AS vod_ended_at
    FROM core.vods v JOIN sessions s USING (stream_id)
),
polls AS (
    SELECT DISTINCT snapshot_at AS polled_at
    FROM core.stream_snapshots
    WHERE source = 'live'
      AND snapshot_at >= CAST($day_start AS TIMESTAMPTZ)
      AND snapshot_at < CAST($day_end AS TIMESTAMPTZ) + INTERVAL 3 DAY
),
next_poll AS (
    SELECT s.stream_id, min(p.polled_at) AS next_poll_at
    FROM sessions s JOIN polls p ON p.polled_at > s.last_sample_at
    GROUP BY s.stream_id
),
ends AS (
    SELECT s.*,
           greatest(
               least(coalesce(s.reported_start, s.first_sample_at), s.first_sample_at),
               coalesce(ps.previous_end, '-infinity'::TIMESTAMPTZ)
           ) AS session_start,
           -- least() skips NULLs: an ongoing session keeps its NULL end explicitly.
           CASE WHEN s.last_sample_at >= (SELECT polled_at FROM latest_poll)
                     AND coalesce(b.offline_at, c.offline_at, v.vod_ended_at) IS NULL THEN NULL
           ELSE least(
               CASE
                   WHEN coalesce(b.offline_at, c.offline_at, v.vod_ended_at) IS NOT NULL
                       THEN greatest(
                           coalesce(b.offline_at, c.offline_at, v.vod_ended_at), s.last_sample_at
                       )
                   WHEN s.last_sample_at >= (SELECT polled_at FROM latest_poll) THEN NULL
                   WHEN np.next_poll_at
                        <= s.last_sample_at + to_minutes(CAST(3 * s.last_cadence AS BIGINT))
                       THEN s.last_sample_at + (np.next_poll_at - s.last_sample_at) / 2
                   ELSE s.last_sample_at + to_seconds(CAST(30 * s.last_cadence AS BIGINT))
               END,
               greatest(coalesce(ns.next_start, 'infinity'::TIMESTAMPTZ), s.last_sample_at)
           ) END AS ended_at,
           CASE
               WHEN coalesce(b.offline_at, c.offline_at) IS NOT NULL THEN 'offline_event'
               WHEN v.vod_ended_at IS NOT NULL THEN 'vod'
               WHEN s.last_sample_at >= (SELECT polled_at FROM latest_poll) THEN 'ongoing'
               ELSE 'estimated'
           END AS end_source
    FROM sessions s
    LEFT JOIN offline_by_stream b USING (stream_id)
    LEFT JOIN offline_by_channel c USING (stream_id)
    LEFT JOIN vod_end v USING (stream_id)
    LEFT JOIN next_poll np USING (stream_id)
    LEFT JOIN next_stream ns USING (stream_id)
    LEFT JOIN previous_stream ps USING (stream_id)
),
final AS (
    SELECT *, CAST(first_sample_at AS DATE) AS session_day FROM ends
)
SELECT * FROM final;

CREATE OR REPLACE TEMP TABLE mart_session_points AS
SELECT stream_id, snapshot_at AS point_at, viewer_count AS viewers, cadence_minutes, category_slug,
       true AS is_sample
FROM mart_session_samples
UNION ALL
SELECT stream_id, session_start, first_viewers, first_cadence, first_category, false
FROM mart_sessions WHERE session_start < first_sample_at
UNION ALL
SELECT stream_id, ended_at, last_viewers, last_cadence, last_category, false
FROM mart_sessions WHERE ended_at > last_sample_at;

CREATE OR REPLACE TEMP TABLE mart_session_segments AS
SELECT p.stream_id, s.channel_id, s.session_day, p.category_slug,
       p.point_at AS t0, p.viewers AS v0,
       lead(p.point_at) OVER w AS t1, lead(p.viewers) OVER w AS v1,
       greatest(p.cadence_minutes, lead(p.cadence_minutes) OVER w) AS cadence_minutes
FROM mart_session_points p JOIN mart_sessions s USING (stream_id)
WINDOW w AS (PARTITION BY p.stream_id ORDER BY p.point_at, p.is_sample);

DELETE FROM mart_session_segments WHERE t1 IS NULL OR t1 <= t0;

ALTER TABLE mart_session_segments ADD COLUMN counted BOOLEAN;
UPDATE mart_session_segments
SET counted = t1 - t0 <= to_minutes(CAST(3 * cadence_minutes AS BIGINT));
