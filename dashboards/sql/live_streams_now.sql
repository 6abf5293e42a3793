-- The streams of the latest live poll, most viewers first.
WITH latest AS (
    SELECT max(snapshot_at) AS snapshot_at
    FROM core.stream_snapshots
    WHERE source = 'live'
)
SELECT
    s.snapshot_at,
    s.username,
    s.title,
    s.category_name,
    s.viewer_count,
    s.started_at
FROM core.stream_snapshots AS s
JOIN latest USING (snapshot_at)
WHERE s.source = 'live'
ORDER BY s.viewer_count DESC, s.username
