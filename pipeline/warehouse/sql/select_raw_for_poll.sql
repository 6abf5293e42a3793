-- The parseable, successful responses of one poll for the given endpoints: the input of core.
-- A body dropped by retention (pipeline/warehouse/retention.py) is NULL: its rows are in core
-- already, so re-deriving that poll has nothing to read.
SELECT endpoint, params_json, path, page, fetched_at, body_text, cadence_minutes
FROM raw.api_responses
WHERE poll_at = $poll_at
  AND list_contains($endpoints, endpoint)
  AND parse_error IS NULL
  AND body_text IS NOT NULL
  AND status BETWEEN 200 AND 299
ORDER BY endpoint, params_json, page;
