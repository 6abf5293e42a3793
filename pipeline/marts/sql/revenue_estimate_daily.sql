-- marts.revenue_estimate_daily for [$day_start, $day_end): subs by tier and Volts per channel and
-- day, priced with the assumptions in pipeline/marts/revenue.py (parameters $tier1_price,
-- $tier2_price, $tier3_price, $creator_share, $volt_value, $currency). An estimate, never
-- Velora's payout: prices and shares are assumed (see that file for their sources).
INSERT INTO marts.revenue_estimate_daily BY NAME
WITH paid AS (
    SELECT CAST(subscribed_at AS DATE) AS day, channel_id,
           count(*) FILTER (WHERE tier_number = 1) AS t1,
           count(*) FILTER (WHERE tier_number = 2) AS t2,
           count(*) FILTER (WHERE tier_number = 3) AS t3
    FROM (
        SELECT *, CASE WHEN regexp_matches(coalesce(tier, ''), '3') THEN 3
                       WHEN regexp_matches(coalesce(tier, ''), '2') THEN 2 ELSE 1 END AS tier_number
        FROM core.subscriptions
        WHERE subscribed_at >= CAST($day_start AS TIMESTAMPTZ)
          AND subscribed_at < CAST($day_end AS TIMESTAMPTZ)
          AND NOT is_gift
          AND channel_id IS NOT NULL
    )
    GROUP BY ALL
),
gifted AS (
    SELECT CAST(gifted_at AS DATE) AS day, channel_id,
           coalesce(sum(gift_count) FILTER (WHERE tier_number = 1), 0) AS t1,
           coalesce(sum(gift_count) FILTER (WHERE tier_number = 2), 0) AS t2,
           coalesce(sum(gift_count) FILTER (WHERE tier_number = 3), 0) AS t3
    FROM (
        SELECT *, CASE WHEN regexp_matches(coalesce(tier, ''), '3') THEN 3
                       WHEN regexp_matches(coalesce(tier, ''), '2') THEN 2 ELSE 1 END AS tier_number
        FROM core.gifts
        WHERE gifted_at >= CAST($day_start AS TIMESTAMPTZ)
          AND gifted_at < CAST($day_end AS TIMESTAMPTZ)
          AND channel_id IS NOT NULL
    )
    GROUP BY ALL
),
volts AS (
    SELECT CAST(tipped_at AS DATE) AS day, channel_id, sum(volts) AS volts
    FROM core.volts_tips
    WHERE tipped_at >= CAST($day_start AS TIMESTAMPTZ)
      AND tipped_at < CAST($day_end AS TIMESTAMPTZ)
      AND channel_id IS NOT NULL
    GROUP BY ALL
),
keys AS (
    SELECT day, channel_id FROM paid UNION SELECT day, channel_id FROM gifted
    UNION SELECT day, channel_id FROM volts
),
counted AS (
    SELECT k.day, k.channel_id,
           coalesce(p.t1, 0) AS paid_subs_tier1, coalesce(p.t2, 0) AS paid_subs_tier2,
           coalesce(p.t3, 0) AS paid_subs_tier3,
           coalesce(g.t1, 0) AS gifted_subs_tier1, coalesce(g.t2, 0) AS gifted_subs_tier2,
           coalesce(g.t3, 0) AS gifted_subs_tier3,
           coalesce(v.volts, 0) AS volts
    FROM keys k
    LEFT JOIN paid p USING (day, channel_id)
    LEFT JOIN gifted g USING (day, channel_id)
    LEFT JOIN volts v USING (day, channel_id)
)
SELECT *,
       sub_revenue + volts_revenue AS estimated_revenue,
       CAST($currency AS VARCHAR) AS currency,
       true AS is_estimate
FROM (
    SELECT *,
           marts.sub_revenue(
               paid_subs_tier1 + gifted_subs_tier1, paid_subs_tier2 + gifted_subs_tier2,
               paid_subs_tier3 + gifted_subs_tier3,
               $tier1_price, $tier2_price, $tier3_price, $creator_share
           ) AS sub_revenue,
           volts * $volt_value AS volts_revenue
    FROM counted
);
