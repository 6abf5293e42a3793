-- The cadence (minutes) the table's latest poll was taken at, as stored with its rows
-- (migration 007); NULL when that poll's rows have none (loaded before the column existed).
SELECT max(cadence_minutes) AS cadence_minutes
FROM query_table($table_name)
WHERE snapshot_at = (SELECT max(snapshot_at) FROM query_table($table_name))
