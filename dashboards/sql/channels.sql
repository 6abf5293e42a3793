-- Every channel we have seen, with its latest follower count (NULL if never profiled).
WITH profiled AS (
    SELECT user_id, arg_max(username, snapshot_at) AS username,
           arg_max(follower_count, snapshot_at) AS followers
    FROM core.channel_profiles
    GROUP BY user_id
),
streamed AS (
    SELECT user_id, arg_max(username, snapshot_at) AS username
    FROM core.stream_snapshots
    GROUP BY user_id
)
SELECT
    coalesce(p.user_id, s.user_id) AS user_id,
    coalesce(p.username, s.username) AS username,
    p.followers
FROM profiled AS p
FULL OUTER JOIN streamed AS s ON p.user_id = s.user_id
ORDER BY p.followers DESC NULLS LAST, username
