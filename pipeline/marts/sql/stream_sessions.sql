-- marts.stream_sessions: one row per session (stream id) owned by [$day_start, $day_end).
-- Reads the temp tables of session_segments.sql. Raids are webhook events: received ones are
-- known for channels that authorized the app, sent ones when the raided channel did.
INSERT INTO marts.stream_sessions BY NAME
WITH seg AS (
    SELECT stream_id,
           sum(CASE WHEN counted THEN (v0 + v1) / 2.0 * epoch(t1 - t0) ELSE 0 END) / 3600
               AS hours_watched,
           sum(CASE WHEN counted THEN epoch(t1 - t0) ELSE 0 END) / 3600 AS covered_hours,
           sum(epoch(t1 - t0)) / 3600 AS hours_live,
           count(*) FILTER (WHERE NOT counted) AS skipped_gaps
    FROM mart_session_segments
    GROUP BY stream_id
),
bounds AS (
    SELECT s.stream_id,
           least(s.session_start, s.first_sample_at) AS started_at,
           coalesce(s.ended_at, s.last_sample_at) AS span_end
    FROM mart_sessions s
),
raids_in AS (
    SELECT b.stream_id, count(*) AS raids_received, sum(coalesce(r.viewers, 0)) AS raid_viewers
    FROM bounds b JOIN mart_sessions s USING (stream_id)
    JOIN core.raids r ON r.channel_id = s.channel_id
     AND r.raided_at >= b.started_at AND r.raided_at <= b.span_end
    GROUP BY b.stream_id
),
raids_out AS (
    -- A raid ends the raider's stream: it lands within the cadence after its last sample.
    SELECT b.stream_id, count(*) AS raids_sent
    FROM bounds b JOIN mart_sessions s USING (stream_id)
    JOIN core.raids r ON r.from_channel_id = s.channel_id
     AND r.raided_at >= b.started_at
     AND r.raided_at <= b.span_end + to_minutes(CAST(s.cadence_minutes AS BIGINT))
    GROUP BY b.stream_id
)
SELECT s.stream_id,
       s.channel_id,
       s.username,
       s.title,
       s.category_slug,
       s.session_day,
       b.started_at,
       s.first_sample_at,
       s.last_sample_at,
       s.ended_at,
       s.end_source,
       CAST(s.samples AS INTEGER) AS samples,
       CAST(s.cadence_minutes AS SMALLINT) AS cadence_minutes,
       coalesce(g.hours_live, 0) AS hours_live,
       coalesce(g.covered_hours, 0) AS covered_hours,
       coalesce(g.hours_watched, 0) AS hours_watched,
       CASE WHEN g.covered_hours > 0 THEN g.hours_watched / g.covered_hours END AS average_viewers,
       s.peak_viewers,
       CAST(coalesce(g.skipped_gaps, 0) AS INTEGER) AS skipped_gaps,
       CASE WHEN g.hours_live > 0 THEN g.covered_hours / g.hours_live END AS coverage,
       CAST(coalesce(ri.raids_received, 0) AS INTEGER) AS raids_received,
       coalesce(ri.raid_viewers, 0) AS raid_viewers_received,
       CAST(coalesce(ro.raids_sent, 0) AS INTEGER) AS raids_sent
FROM mart_sessions s
JOIN bounds b USING (stream_id)
LEFT JOIN seg g USING (stream_id)
LEFT JOIN raids_in ri USING (stream_id)
LEFT JOIN raids_out ro USING (stream_id);
