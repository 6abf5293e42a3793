-- Sessions of one channel that started in [$start_at, $end_at), newest first.
SELECT stream_id, started_at, ended_at, end_source, title, category_slug, hours_live,
       covered_hours, hours_watched, average_viewers, peak_viewers, samples, coverage,
       raids_received, raid_viewers_received, raids_sent
FROM marts.stream_sessions
WHERE channel_id = $channel_id AND started_at >= $start_at AND started_at < $end_at
ORDER BY started_at DESC;
