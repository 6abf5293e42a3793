-- marts.live_totals for one live poll, recomputed from that poll's live snapshot only.
INSERT INTO marts.live_totals
SELECT
    CAST($snapshot_at AS TIMESTAMPTZ) AS snapshot_at,
    count(*) AS live_channels,
    coalesce(sum(viewer_count), 0) AS total_viewers
FROM core.stream_snapshots
WHERE source = 'live' AND snapshot_at = $snapshot_at
ON CONFLICT (snapshot_at) DO UPDATE SET
    live_channels = excluded.live_channels,
    total_viewers = excluded.total_viewers;
