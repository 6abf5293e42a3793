-- The last run of every ingest job and mart build in the run log, with the runs and the failed
-- or partial runs of the 24 hours before it, and the newest error text.
WITH runs AS (
    SELECT *, max(finished_at) OVER (PARTITION BY kind, name) AS last_finished
    FROM ops.run_log
)
SELECT kind, name,
       max(finished_at) AS last_run_at,
       arg_max(status, finished_at) AS last_status,
       arg_max(target_at, finished_at) AS ran_for,
       arg_max(rows_written, finished_at) AS rows_written,
       count(*) FILTER (WHERE finished_at > last_finished - INTERVAL 24 HOUR) AS runs_24h,
       count(*) FILTER (WHERE status <> 'ok' AND finished_at > last_finished - INTERVAL 24 HOUR)
           AS not_ok_24h,
       arg_max(detail, finished_at) FILTER (WHERE status <> 'ok') AS last_error
FROM runs
GROUP BY kind, name
ORDER BY kind, name;
