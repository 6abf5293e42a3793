-- The revenue estimate of one channel (or every channel: $channel_id NULL) over the UTC days
-- [$day_start, $day_end), priced with the caller's assumptions: the per-query override of the
-- defaults stored in marts.revenue_estimate_daily, with the same formula (marts.sub_revenue).
SELECT day, channel_id, paid_subs, gifted_subs, volts, sub_revenue, volts_revenue,
       sub_revenue + volts_revenue AS estimated_revenue,
       CAST($currency AS VARCHAR) AS currency
FROM (
    SELECT day, channel_id,
           paid_subs_tier1 + paid_subs_tier2 + paid_subs_tier3 AS paid_subs,
           gifted_subs_tier1 + gifted_subs_tier2 + gifted_subs_tier3 AS gifted_subs,
           volts,
           marts.sub_revenue(
               paid_subs_tier1 + gifted_subs_tier1, paid_subs_tier2 + gifted_subs_tier2,
               paid_subs_tier3 + gifted_subs_tier3,
               $tier1_price, $tier2_price, $tier3_price, $creator_share
           ) AS sub_revenue,
           volts * $volt_value AS volts_revenue
    FROM marts.revenue_estimate_daily
    WHERE day >= CAST($day_start AS DATE) AND day < CAST($day_end AS DATE)
      AND (CAST($channel_id AS VARCHAR) IS NULL OR channel_id = $channel_id)
)
ORDER BY day, channel_id;
