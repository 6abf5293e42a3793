-- Sessions of every channel that started in [$start_at, $end_at), most hours watched first.
SELECT stream_id, channel_id, username, title, started_at, hours_watched
FROM marts.stream_sessions
WHERE started_at >= $start_at AND started_at < $end_at
ORDER BY hours_watched DESC, started_at DESC
LIMIT $top_n;
