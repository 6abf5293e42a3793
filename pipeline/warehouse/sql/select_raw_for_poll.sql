-- The parseable, successful responses of one poll for the given endpoints: the input of core.
SELECT endpoint, params_json, path, page, fetched_at, body_text, cadence_minutes
FROM raw.api_responses
WHERE poll_at = $poll_at
  AND list_contains($endpoints, endpoint)
  AND parse_error IS NULL
  AND status BETWEEN 200 AND 299
ORDER BY endpoint, params_json, page;
