-- Follower count of one channel at every profile poll.
SELECT snapshot_at, follower_count
FROM core.channel_profiles
WHERE user_id = $user_id
ORDER BY snapshot_at
