-- The first UTC day core.stream_snapshots holds: no mart partition before it reads a sample.
SELECT CAST(min(snapshot_at) AS DATE) FROM core.stream_snapshots;
