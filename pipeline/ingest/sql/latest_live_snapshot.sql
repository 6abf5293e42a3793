-- The newest live poll at or before $poll_at, no older than $not_before. The bounded range on
-- snapshot_at lets DuckDB skip every older row group (zone maps), so the cost is flat in history.
SELECT max(snapshot_at)
FROM core.stream_snapshots
WHERE source = 'live' AND snapshot_at <= $poll_at AND snapshot_at >= $not_before;
