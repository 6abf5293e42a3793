-- core.teams: insert the candidate rows of one poll whose grain (snapshot_at, team)
-- is not stored yet. Filtering on snapshot_at = $snapshot_at keeps the anti-join to one poll's
-- row groups, so the cost does not grow with history.
INSERT INTO core.teams BY NAME
SELECT c.*
FROM candidate_rows AS c
WHERE NOT EXISTS (
    SELECT 1
    FROM core.teams AS t
    WHERE t.snapshot_at = $snapshot_at
      AND t.snapshot_at = c.snapshot_at
      AND t.team = c.team
);
