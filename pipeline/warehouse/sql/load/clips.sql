-- core.clips: one row per clip_id. New clips are inserted; clips seen again keep their
-- first_seen_at and take the latest view_count / last_seen_at (never moving backwards in time).
-- Re-running the same poll changes nothing (the WHERE keeps the update a no-op).
INSERT INTO core.clips BY NAME
SELECT c.* FROM candidate_rows AS c
ON CONFLICT (clip_id) DO UPDATE SET
    view_count = CASE WHEN excluded.last_seen_at >= core.clips.last_seen_at
                      THEN excluded.view_count ELSE core.clips.view_count END,
    title = coalesce(excluded.title, core.clips.title),
    first_seen_at = least(core.clips.first_seen_at, excluded.first_seen_at),
    last_seen_at = greatest(core.clips.last_seen_at, excluded.last_seen_at)
WHERE excluded.last_seen_at > core.clips.last_seen_at
   OR excluded.first_seen_at < core.clips.first_seen_at
RETURNING NULL, last_seen_at;
