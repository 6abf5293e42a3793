-- The samples left on a thinned day are $grid_minutes apart, so they say so: the marts read a
-- sample's cadence_minutes for the gap rule (a gap over 3 cadences is not interpolated), and a
-- rebuild must not take 5-minute steps of a 1-minute history for gaps. NULL (rows from before
-- migration 007) already reads as 5 minutes in the marts and stays NULL; coarser cadences are
-- left as they are (nothing of theirs was dropped). Idempotent: no row is below the grid after.
UPDATE core.stream_snapshots
SET cadence_minutes = $grid_minutes
WHERE snapshot_at >= $day_start AND snapshot_at < $day_end
  AND cadence_minutes < $grid_minutes;
