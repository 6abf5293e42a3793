-- Channels live in one live poll, most watched first.
SELECT user_id, username, max(viewer_count) AS viewers
FROM core.stream_snapshots
WHERE source = 'live' AND snapshot_at = $snapshot_at
GROUP BY user_id, username
ORDER BY viewers DESC, user_id;
