-- Whether any response of the given endpoints is already stored for this poll (a re-run).
SELECT EXISTS (
    SELECT 1
    FROM raw.api_responses
    WHERE poll_at = $poll_at
      AND list_contains($endpoints, endpoint)
);
