-- Rows that failed validation; the same row quarantined again by a re-run is not repeated.
INSERT INTO core.quarantine BY NAME
SELECT q.*
FROM quarantine_candidates AS q
WHERE NOT EXISTS (
    SELECT 1
    FROM core.quarantine AS e
    WHERE e.poll_at BETWEEN $first AND $last
      AND e.poll_at = q.poll_at
      AND e.table_name = q.table_name
      AND e.reason = q.reason
      AND e.row_json = q.row_json
);
