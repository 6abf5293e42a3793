-- Channels to ask for their VODs at $poll_at: one request per ended session. A stream ended
-- when the latest live poll before $poll_at no longer lists it; it needs its VOD while no
-- stream.offline event and no VOD gives its end, and while no VOD listing of its channel was
-- fetched after its last sample (so a channel without VODs costs one request per session).
-- Streams last seen within $lookback_hours only: a VOD is for recent ends, not history.
WITH recent AS (
    SELECT stream_id, arg_max(username, snapshot_at) AS username, max(snapshot_at) AS last_at
    FROM core.stream_snapshots
    WHERE source = 'live'
      AND snapshot_at >= $poll_at - to_hours(CAST($lookback_hours AS BIGINT))
      AND snapshot_at < $poll_at
    GROUP BY stream_id
),
-- the latest live poll before $poll_at lists the streams still live (read from the window, not
-- from all history: without a poll in the window there is nothing recent to ask about)
latest AS (SELECT max(last_at) AS polled_at FROM recent),
ended AS (
    SELECT r.* FROM recent r, latest
    WHERE r.last_at < latest.polled_at
      AND r.stream_id NOT IN (SELECT stream_id FROM core.vods)
      AND r.stream_id NOT IN (
          SELECT stream_id FROM core.stream_status_events
          WHERE status = 'offline' AND stream_id IS NOT NULL
            AND event_at >= $poll_at - to_hours(CAST($lookback_hours AS BIGINT) + 24)
      )
)
SELECT DISTINCT lower(e.username) AS username
FROM ended e
WHERE NOT EXISTS (
    SELECT 1 FROM raw.api_responses a
    WHERE a.endpoint = 'vods'  -- raw rows are keyed by job name
      AND lower(a.path) = '/api/streams/user/' || lower(e.username) || '/vods'
      AND a.poll_at > e.last_at
      AND a.poll_at < $poll_at
)
ORDER BY username;
