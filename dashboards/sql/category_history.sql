-- Viewers over time of the $top_n categories with the most viewers in the latest poll.
WITH latest AS (SELECT max(snapshot_at) AS snapshot_at FROM core.category_snapshots),
top AS (
    SELECT c.category_slug
    FROM core.category_snapshots AS c
    JOIN latest USING (snapshot_at)
    ORDER BY c.viewer_count DESC, c.category_slug
    LIMIT $top_n
)
SELECT c.snapshot_at, coalesce(c.name, c.category_slug) AS category_name, c.viewer_count
FROM core.category_snapshots AS c
JOIN top USING (category_slug)
ORDER BY c.snapshot_at, category_name
