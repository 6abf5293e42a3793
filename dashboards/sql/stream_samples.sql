-- The live directory's polls of one stream: the sampled viewer curve.
SELECT snapshot_at, viewer_count, category_slug, title
FROM core.stream_snapshots
WHERE source = 'live' AND stream_id = $stream_id
ORDER BY snapshot_at;
