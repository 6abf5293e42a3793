-- One growth ranking (window, metric) as of the latest as-of day on or before $as_of.
SELECT as_of, channel_id, username, current_value, previous_value, change, change_pct,
       rank, previous_rank, rank_change, breakout
FROM marts.growth_rankings
WHERE window_days = $window_days AND metric = $metric
  AND as_of = (SELECT max(as_of) FROM marts.growth_rankings
               WHERE as_of <= CAST($as_of AS DATE) AND window_days = $window_days)
ORDER BY rank
LIMIT $top_n;
