-- marts.stream_intervals: each session's viewer curve cut at 15-minute boundaries, one row per
-- (stream, 15 minutes, category). Every IANA offset is a multiple of 15 minutes, so summing
-- these gives exact days in any timezone. A segment is split by linear interpolation, the same
-- trapezoid the session totals use, so intervals sum to their session exactly.
-- peak_viewers: the largest sample in the bucket, or the curve's value at its edge when higher
-- (a bucket reached only by interpolation from a sample outside it).
INSERT INTO marts.stream_intervals BY NAME
WITH buckets AS (
    SELECT g.*, unnest(generate_series(
               time_bucket(INTERVAL 15 MINUTE, g.t0), g.t1 - INTERVAL 1 MICROSECOND, INTERVAL 15 MINUTE
           )) AS interval_start
    FROM mart_session_segments g
),
pieces AS (
    SELECT *,
           greatest(t0, interval_start) AS a,
           least(t1, interval_start + INTERVAL 15 MINUTE) AS b
    FROM buckets
),
valued AS (
    SELECT *,
           v0 + (v1 - v0) * epoch(a - t0) / epoch(t1 - t0) AS va,
           v0 + (v1 - v0) * epoch(b - t0) / epoch(t1 - t0) AS vb
    FROM pieces
),
curve AS (
    SELECT stream_id, interval_start, category_slug,
           sum(CASE WHEN counted THEN (va + vb) / 2.0 * epoch(b - a) ELSE 0 END) / 3600
               AS hours_watched,
           sum(CASE WHEN counted THEN epoch(b - a) ELSE 0 END) / 3600 AS covered_hours,
           sum(epoch(b - a)) / 3600 AS airtime_hours,
           max(greatest(va, vb)) AS curve_peak
    FROM valued
    GROUP BY stream_id, interval_start, category_slug
),
sampled AS (
    SELECT stream_id, time_bucket(INTERVAL 15 MINUTE, snapshot_at) AS interval_start,
           category_slug, max(viewer_count) AS peak_viewers, count(*) AS samples
    FROM mart_session_samples
    GROUP BY ALL
),
keys AS (
    SELECT stream_id, interval_start, category_slug FROM curve
    UNION
    SELECT stream_id, interval_start, category_slug FROM sampled
)
SELECT k.stream_id, s.channel_id, s.session_day, k.interval_start, k.category_slug,
       coalesce(c.hours_watched, 0) AS hours_watched,
       coalesce(c.covered_hours, 0) AS covered_hours,
       coalesce(c.airtime_hours, 0) AS airtime_hours,
       -- The largest sample, or where no sample falls in the bucket (or the curve crosses its
       -- edge higher), the curve's value there: so a bucket's average never exceeds its peak.
       CAST(ceil(greatest(coalesce(p.peak_viewers, 0), coalesce(c.curve_peak, 0))) AS BIGINT)
           AS peak_viewers,
       CAST(coalesce(p.samples, 0) AS INTEGER) AS samples
FROM keys k
JOIN mart_sessions s USING (stream_id)
LEFT JOIN curve c
  ON c.stream_id = k.stream_id AND c.interval_start = k.interval_start
 AND c.category_slug IS NOT DISTINCT FROM k.category_slug
LEFT JOIN sampled p
  ON p.stream_id = k.stream_id AND p.interval_start = k.interval_start
 AND p.category_slug IS NOT DISTINCT FROM k.category_slug;
