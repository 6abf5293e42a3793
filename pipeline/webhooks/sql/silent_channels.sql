-- Tracked channels live in the latest API snapshot whose last webhook is older than the window.
-- Only channels whose stream started before the window, and only once webhooks have been captured
-- for the whole window ($capture_since, NULL = unknown/always), can be silent for all of it.
-- Parameters: $silence_minutes (int), $now (timestamptz or NULL = latest live snapshot time),
-- $capture_since (timestamptz or NULL).
WITH latest_live AS (
    SELECT max(snapshot_at) AS snapshot_at FROM core.stream_snapshots WHERE source = 'live'
),
latest_tracked AS (
    SELECT max(snapshot_at) AS snapshot_at FROM ops.tracked_channels
),
live AS (
    SELECT s.user_id, any_value(s.username) AS username, max(s.viewer_count) AS viewer_count,
           any_value(s.snapshot_at) AS snapshot_at, min(s.started_at) AS started_at
    FROM core.stream_snapshots s JOIN latest_live l ON s.snapshot_at = l.snapshot_at
    WHERE s.source = 'live'
    GROUP BY s.user_id
),
tracked AS (
    SELECT DISTINCT t.user_id, t.username
    FROM ops.tracked_channels t JOIN latest_tracked l ON t.snapshot_at = l.snapshot_at
),
last_event AS (
    SELECT channel_id, max(received_at) AS last_event_at
    FROM core.webhook_events
    WHERE channel_id IS NOT NULL
    GROUP BY channel_id
),
window_end AS (
    SELECT coalesce(CAST($now AS TIMESTAMPTZ), (SELECT snapshot_at FROM latest_live)) AS at
),
window_start AS (
    SELECT e.at - to_minutes(CAST($silence_minutes AS BIGINT)) AS at FROM window_end e
)
SELECT tr.user_id AS channel_id,
       coalesce(live.username, tr.username) AS username,
       live.snapshot_at AS live_snapshot_at,
       live.viewer_count,
       le.last_event_at
FROM tracked tr
JOIN live ON live.user_id = tr.user_id
LEFT JOIN last_event le ON le.channel_id = tr.user_id
CROSS JOIN window_start w
WHERE (le.last_event_at IS NULL OR le.last_event_at < w.at)
  AND (live.started_at IS NULL OR live.started_at <= w.at)
  AND (CAST($capture_since AS TIMESTAMPTZ) IS NULL OR CAST($capture_since AS TIMESTAMPTZ) <= w.at)
ORDER BY live.viewer_count DESC NULLS LAST, tr.user_id
