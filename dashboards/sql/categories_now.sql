-- Categories of the latest category poll, most viewers first.
WITH latest AS (SELECT max(snapshot_at) AS snapshot_at FROM core.category_snapshots)
SELECT c.snapshot_at, c.category_slug, c.name AS category_name, c.viewer_count, c.stream_count
FROM core.category_snapshots AS c
JOIN latest USING (snapshot_at)
ORDER BY c.viewer_count DESC, c.category_slug
