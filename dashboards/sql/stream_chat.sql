-- Chat statistics polled for the channel while the session ran.
SELECT snapshot_at, chatters, messages_per_minute, unique_chatters_last_hour, emotes_per_minute
FROM core.chat_stats
WHERE channel_id = $channel_id AND snapshot_at >= $start_at AND snapshot_at <= $end_at
ORDER BY snapshot_at;
