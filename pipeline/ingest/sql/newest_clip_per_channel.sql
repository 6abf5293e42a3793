-- The newest clip already stored per channel, as known before this poll (so re-running the
-- same poll asks for the same clips).
SELECT lower(creator_username) AS username, max(created_at) AS newest
FROM core.clips
WHERE first_seen_at < $poll_at
GROUP BY lower(creator_username);
