-- One viewer sample per (session, poll) for one channel. The same stream can appear in several
-- sources (live/top/growing/featured) at one poll; they describe the same moment, so keep one.
SELECT
    stream_id,
    snapshot_at,
    max(viewer_count) AS viewers,
    min(started_at) AS started_at,
    arg_max(title, source = 'live') AS title
FROM core.stream_snapshots
WHERE user_id = $user_id
GROUP BY stream_id, snapshot_at
ORDER BY snapshot_at, stream_id
