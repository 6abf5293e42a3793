-- The most-viewed clips of one channel created in [$start_at, $end_at).
SELECT title, url, view_count, duration_seconds, created_at, clipped_by_username, category_slug
FROM core.clips
WHERE creator_id = $channel_id AND created_at >= $start_at AND created_at < $end_at
ORDER BY view_count DESC, created_at DESC
LIMIT $top_n;
