-- Remove the samples of the polls dropped_polls.sql chose, within one day.
DELETE FROM core.stream_snapshots AS s
WHERE s.snapshot_at >= $day_start AND s.snapshot_at < $day_end
  AND EXISTS (
      SELECT 1 FROM retention_dropped_polls AS d
      WHERE d.source = s.source AND d.snapshot_at = s.snapshot_at
  );
