-- core.clips: one row per clip_id. The rows to write are new clips, and clips seen again that
-- move forward in time: they keep their first_seen_at and take the latest view_count /
-- last_seen_at (never moving backwards). Re-running the same poll selects nothing.
-- load/clips_merge.sql applies them.
SELECT c.* REPLACE (
    CASE WHEN t.clip_id IS NULL OR c.last_seen_at >= t.last_seen_at
         THEN c.view_count ELSE t.view_count END AS view_count,
    coalesce(c.title, t.title) AS title,
    least(c.first_seen_at, coalesce(t.first_seen_at, c.first_seen_at)) AS first_seen_at,
    greatest(c.last_seen_at, coalesce(t.last_seen_at, c.last_seen_at)) AS last_seen_at
)
FROM candidate_rows AS c
LEFT JOIN core.clips AS t ON t.clip_id = c.clip_id
WHERE t.clip_id IS NULL
   OR c.last_seen_at > t.last_seen_at
   OR c.first_seen_at < t.first_seen_at;
