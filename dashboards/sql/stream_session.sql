-- One session by its stream id, and the channel's session before it (NULL columns: none).
WITH this AS (SELECT * FROM marts.stream_sessions WHERE stream_id = $stream_id),
previous AS (
    SELECT s.* FROM marts.stream_sessions s, this
    WHERE s.channel_id = this.channel_id AND s.started_at < this.started_at
    ORDER BY s.started_at DESC LIMIT 1
)
SELECT 'this' AS which, * FROM this
UNION ALL BY NAME
SELECT 'previous' AS which, * FROM previous;
