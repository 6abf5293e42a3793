-- The responses of one or more polls to append: a response whose key (endpoint, params_json, poll_at, page)
-- is already stored is skipped, so re-running the same poll inserts nothing.
-- The poll_at BETWEEN $first AND $last filter lets DuckDB skip old row groups (zone maps): cost stays flat as
-- history grows.
SELECT c.*
FROM raw_candidates AS c
WHERE NOT EXISTS (
    SELECT 1
    FROM raw.api_responses AS r
    WHERE r.poll_at BETWEEN $first AND $last
      AND r.poll_at = c.poll_at
      AND r.endpoint = c.endpoint
      AND r.params_json = c.params_json
      AND r.page = c.page
);
