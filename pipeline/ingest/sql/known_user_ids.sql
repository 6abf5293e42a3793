-- user ids of configured channels that are not live now, from their latest stored profile.
SELECT lower(username) AS username, arg_max(user_id, snapshot_at) AS user_id
FROM core.channel_profiles
WHERE list_contains($usernames, lower(username))
GROUP BY lower(username);
