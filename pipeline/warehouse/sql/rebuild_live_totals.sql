-- Full rebuild of marts.live_totals from every live snapshot (repair tool; normal runs are incremental).
INSERT OR REPLACE INTO marts.live_totals
SELECT snapshot_at, count(*) AS live_channels, coalesce(sum(viewer_count), 0) AS total_viewers
FROM core.stream_snapshots
WHERE source = 'live'
GROUP BY snapshot_at;
