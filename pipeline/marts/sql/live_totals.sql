-- marts.live_totals for [$day_start, $day_end): one row per live poll.
INSERT INTO marts.live_totals
SELECT snapshot_at, count(*) AS live_channels, coalesce(sum(viewer_count), 0) AS total_viewers
FROM core.stream_snapshots
WHERE source = 'live'
  AND snapshot_at >= CAST($day_start AS TIMESTAMPTZ)
  AND snapshot_at < CAST($day_end AS TIMESTAMPTZ)
GROUP BY snapshot_at;
