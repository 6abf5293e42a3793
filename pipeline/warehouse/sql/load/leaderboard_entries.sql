-- core.leaderboard_entries: the candidate rows of one or more polls whose grain (snapshot_at, board, creator_id, user_id)
-- is not stored yet. Filtering on snapshot_at BETWEEN $first AND $last (the polls loaded) keeps the anti-join
-- to those polls' row groups, so the cost does not grow with history.
SELECT c.*
FROM candidate_rows AS c
WHERE NOT EXISTS (
    SELECT 1
    FROM core.leaderboard_entries AS t
    WHERE t.snapshot_at BETWEEN $first AND $last
      AND t.snapshot_at = c.snapshot_at
      AND t.board = c.board
      AND t.creator_id = c.creator_id
      AND t.user_id = c.user_id
);
