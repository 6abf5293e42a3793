-- Live channels and total viewers per live poll, oldest first.
SELECT snapshot_at, live_channels, total_viewers
FROM marts.live_totals
ORDER BY snapshot_at
