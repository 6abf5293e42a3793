-- When the channel went offline, from stream.offline webhooks (test events excluded).
SELECT DISTINCT coalesce(e.ended_at, e.event_at) AS offline_at
FROM core.stream_status_events AS e
LEFT JOIN core.webhook_events AS w USING (event_key)
WHERE e.channel_id = $user_id
  AND e.status = 'offline'
  AND NOT coalesce(w.is_test, false)
ORDER BY offline_at
