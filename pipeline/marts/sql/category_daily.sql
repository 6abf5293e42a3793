-- marts.category_daily for [$day_start, $day_end): hours watched and airtime by category from
-- the 15-minute intervals; the peak is the largest sampled sum of the category's viewers at one
-- poll of the live directory.
INSERT INTO marts.category_daily BY NAME
WITH viewing AS (
    SELECT CAST(interval_start AS DATE) AS day, coalesce(category_slug, 'unknown') AS category_slug,
           sum(hours_watched) AS hours_watched, sum(airtime_hours) AS airtime_hours,
           sum(covered_hours) AS covered_hours, count(DISTINCT channel_id) AS channels
    FROM marts.stream_intervals
    WHERE interval_start >= CAST($day_start AS TIMESTAMPTZ)
      AND interval_start < CAST($day_end AS TIMESTAMPTZ)
    GROUP BY ALL
),
per_poll AS (
    SELECT CAST(snapshot_at AS DATE) AS day, coalesce(category_slug, 'unknown') AS category_slug,
           snapshot_at, sum(viewer_count) AS viewers
    FROM core.stream_snapshots
    WHERE source = 'live'
      AND snapshot_at >= CAST($day_start AS TIMESTAMPTZ)
      AND snapshot_at < CAST($day_end AS TIMESTAMPTZ)
    GROUP BY ALL
),
peaks AS (
    SELECT day, category_slug, max(viewers) AS peak_viewers FROM per_poll GROUP BY ALL
)
SELECT v.day, v.category_slug, v.hours_watched, v.airtime_hours, v.covered_hours,
       v.hours_watched / nullif(v.covered_hours, 0) AS average_viewers,
       p.peak_viewers,
       CAST(v.channels AS INTEGER) AS channels,
       v.hours_watched / nullif(sum(v.hours_watched) OVER (PARTITION BY v.day), 0)
           AS share_of_hours_watched
FROM viewing v LEFT JOIN peaks p USING (day, category_slug);
