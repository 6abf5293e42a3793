-- Live channels and total viewers per live poll over the 24 hours up to the latest poll, oldest
-- first (a year of minute polls would be half a million points for the browser to draw).
SELECT snapshot_at, live_channels, total_viewers
FROM marts.live_totals
WHERE snapshot_at >= (SELECT max(snapshot_at) FROM marts.live_totals) - INTERVAL 24 HOUR
ORDER BY snapshot_at
