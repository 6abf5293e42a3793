-- Drop the body of every successful, parsed live response of one day whose poll is in core
-- (its rows were derived). A poll with no core rows (its derivation failed) keeps its bodies,
-- so `derive_poll` can still re-derive it; failing and unparseable responses keep theirs for
-- inspection. Idempotent: a NULL body is not selected again.
UPDATE raw.api_responses AS r
SET body_text = NULL
WHERE r.poll_at >= $day_start AND r.poll_at < $day_end
  AND list_contains($endpoints, r.endpoint)
  AND r.body_text IS NOT NULL
  AND r.parse_error IS NULL
  AND r.status BETWEEN 200 AND 299
  AND EXISTS (
      SELECT 1 FROM core.stream_snapshots AS s
      WHERE s.snapshot_at = r.poll_at
        AND s.snapshot_at >= $day_start AND s.snapshot_at < $day_end
  );
