-- The successful builds of the given marts, as ops.run_log records them: build_mart
-- (pipeline/marts/build.py) writes one row per day range, target_at = the first day and
-- detail = 'first..last' (inclusive). Retention reads which days are built from these rows.
SELECT name, CAST(target_at AS DATE) AS first_day, detail
FROM ops.run_log
WHERE kind = 'marts' AND status = 'ok' AND list_contains($marts, name)
ORDER BY name, first_day;
