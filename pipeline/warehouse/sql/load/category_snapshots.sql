-- core.category_snapshots: the candidate rows of one or more polls whose grain (snapshot_at, category_slug)
-- is not stored yet. Filtering on snapshot_at BETWEEN $first AND $last (the polls loaded) keeps the anti-join
-- to those polls' row groups, so the cost does not grow with history.
SELECT c.*
FROM candidate_rows AS c
WHERE NOT EXISTS (
    SELECT 1
    FROM core.category_snapshots AS t
    WHERE t.snapshot_at BETWEEN $first AND $last
      AND t.snapshot_at = c.snapshot_at
      AND t.category_slug = c.category_slug
);
