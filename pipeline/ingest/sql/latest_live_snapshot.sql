-- The newest live poll at or before $poll_at (marts.live_totals is small: one row per poll).
SELECT max(snapshot_at)
FROM marts.live_totals
WHERE snapshot_at <= $poll_at AND snapshot_at >= $not_before;
