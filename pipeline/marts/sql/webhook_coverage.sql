-- marts.webhook_coverage for [$day_start, $day_end): the channels whose first webhook event
-- (test deliveries aside) falls in these days. Earlier days are built first (registry order, a
-- week at a time), so "first" is decided against the rows before $day_start alone.
CREATE OR REPLACE TEMP TABLE mart_coverage_new AS
SELECT channel_id, min(event_at) AS first_event_at
FROM core.webhook_events
WHERE NOT is_test AND channel_id IS NOT NULL
  AND event_at >= CAST($day_start AS TIMESTAMPTZ) AND event_at < CAST($day_end AS TIMESTAMPTZ)
  AND channel_id NOT IN (SELECT channel_id FROM marts.webhook_coverage
                         WHERE first_event_at < CAST($day_start AS TIMESTAMPTZ))
GROUP BY channel_id;

-- A late event moved the channel's first event into these days: its row leaves the later day.
DELETE FROM marts.webhook_coverage
WHERE first_event_at >= CAST($day_end AS TIMESTAMPTZ)
  AND channel_id IN (SELECT channel_id FROM mart_coverage_new);

INSERT INTO marts.webhook_coverage BY NAME SELECT * FROM mart_coverage_new;
