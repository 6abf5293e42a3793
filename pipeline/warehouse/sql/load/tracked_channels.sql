-- ops.tracked_channels: one row per (snapshot_at, user_id); a re-run of the poll adds nothing.
SELECT c.*
FROM candidate_rows AS c
WHERE NOT EXISTS (
    SELECT 1
    FROM ops.tracked_channels AS t
    WHERE t.snapshot_at BETWEEN $first AND $last
      AND t.snapshot_at = c.snapshot_at
      AND t.user_id = c.user_id
);
