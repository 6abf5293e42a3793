-- Rows that failed validation, per table and reason, most first.
SELECT table_name, reason, count(*) AS rows, max(quarantined_at) AS latest
FROM core.quarantine
GROUP BY table_name, reason
ORDER BY rows DESC, table_name, reason
