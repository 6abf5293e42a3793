-- Tracked channels live in the latest API snapshot whose last webhook is older than the window.
-- Only channels our subscriptions cover can be judged: webhooks deliver events only for channels
-- that authorized the app. Covered = named by a subscription ($covered_channels), or known to
-- deliver (a non-test event ever received for it), unless its latest authorization event is a
-- revoke. Only channels whose stream started before the window, and only once webhooks have
-- been captured for the whole window ($capture_since, NULL = unknown/always), can be silent for
-- all of it.
-- Parameters: $silence_minutes (int), $now (timestamptz or NULL = latest live snapshot time),
-- $capture_since (timestamptz or NULL), $covered_channels (VARCHAR[], may be empty).
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
authorization_events AS (
    SELECT channel_id, canonical_type,
           row_number() OVER (
               PARTITION BY channel_id ORDER BY coalesce(event_at, received_at) DESC, event_key
           ) AS newest_first
    FROM core.webhook_events
    WHERE canonical_type IN ('user.authorization.grant', 'user.authorization.revoke')
      AND channel_id IS NOT NULL AND NOT is_test
),
covered AS (
    SELECT unnest(CAST($covered_channels AS VARCHAR[])) AS channel_id
    UNION
    SELECT DISTINCT channel_id FROM core.webhook_events WHERE channel_id IS NOT NULL AND NOT is_test
    EXCEPT
    SELECT channel_id FROM authorization_events
    WHERE newest_first = 1 AND canonical_type = 'user.authorization.revoke'
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
JOIN covered ON covered.channel_id = tr.user_id
LEFT JOIN last_event le ON le.channel_id = tr.user_id
CROSS JOIN window_start w
WHERE (le.last_event_at IS NULL OR le.last_event_at < w.at)
  AND (live.started_at IS NULL OR live.started_at <= w.at)
  AND (CAST($capture_since AS TIMESTAMPTZ) IS NULL OR CAST($capture_since AS TIMESTAMPTZ) <= w.at)
ORDER BY live.viewer_count DESC NULLS LAST, tr.user_id
