-- The polls of core.stream_snapshots that thinning removes, of the days being pruned.
-- Rule (per source, since each listing is its own poll): every poll belongs to its nearest
-- $grid_seconds boundary (a poll exactly halfway goes to the later one); of the polls of one
-- boundary the nearest is kept, the earlier on a tie, and the others are dropped. Whole polls,
-- not per-stream samples, so what is left is what polling every 5 minutes would have stored:
-- marts rebuilt from it have the 5-minute accuracy of docs/metrics.md, and per-poll marts
-- (live_totals, platform_hourly's peaks) still see complete listings. A boundary keeps one
-- poll whatever the cadence (a 2-minute history keeps the poll nearest :05, not none).
-- A boundary's polls are taken within one UTC day (the polls just before midnight keep one of
-- their own), so a day's result depends on its own polls only: the same whichever days are
-- pruned with it, or when. Idempotent: after a run every boundary of the day holds one poll,
-- so a second run drops nothing.
CREATE OR REPLACE TEMP TABLE retention_dropped_polls AS
WITH polls AS (
    SELECT DISTINCT source, snapshot_at
    FROM core.stream_snapshots
    WHERE list_contains($days, CAST(snapshot_at AS DATE))
), placed AS (
    SELECT source, snapshot_at,
           floor((epoch(snapshot_at) + $grid_seconds / 2) / $grid_seconds) AS boundary,
           abs(epoch(snapshot_at) - floor((epoch(snapshot_at) + $grid_seconds / 2)
               / $grid_seconds) * $grid_seconds) AS distance
    FROM polls
)
SELECT source, snapshot_at
FROM placed
QUALIFY row_number() OVER (
    PARTITION BY source, CAST(snapshot_at AS DATE), boundary ORDER BY distance, snapshot_at) > 1;
