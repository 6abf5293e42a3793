-- The UTC days before $before that may still hold something to remove: a live body not yet
-- dropped, or samples finer than the grid (cadence below it, or unknown: rows from before
-- migration 007). A day already pruned has neither (its rows say the grid's cadence), so the
-- daily run does not walk the whole history again.
SELECT DISTINCT CAST(snapshot_at AS DATE) AS day
FROM core.stream_snapshots
WHERE snapshot_at < $before AND (cadence_minutes IS NULL OR cadence_minutes < $grid_minutes)
UNION
SELECT DISTINCT CAST(poll_at AS DATE)
FROM raw.api_responses
WHERE poll_at < $before AND list_contains($endpoints, endpoint) AND body_text IS NOT NULL
  AND parse_error IS NULL AND status BETWEEN 200 AND 299
ORDER BY day;
