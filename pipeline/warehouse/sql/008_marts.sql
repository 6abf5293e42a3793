-- The marts (pipeline/marts): analytical tables rebuilt per UTC day from core. Every table is
-- written by deleting its day partition and inserting it again, so a rebuild never duplicates a
-- row; no PRIMARY KEY (its in-memory index would grow with history): grains are checked by the
-- marts' Pandera schemas. Definitions: docs/metrics.md; columns: docs/warehouse.md.
CREATE TABLE IF NOT EXISTS marts.stream_sessions (
    stream_id VARCHAR NOT NULL,
    channel_id VARCHAR NOT NULL,
    username VARCHAR,
    title VARCHAR,
    category_slug VARCHAR,              -- the category of most samples
    session_day DATE NOT NULL,          -- UTC day of the first sample: the partition
    started_at TIMESTAMPTZ NOT NULL,    -- startedAt, or the first sample when later
    first_sample_at TIMESTAMPTZ NOT NULL,
    last_sample_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,               -- NULL while ongoing
    end_source VARCHAR NOT NULL,        -- offline_event / vod / estimated / ongoing
    samples INTEGER NOT NULL,
    cadence_minutes SMALLINT NOT NULL,
    hours_live DOUBLE NOT NULL,         -- airtime, edge to edge
    covered_hours DOUBLE NOT NULL,      -- airtime inside counted segments
    hours_watched DOUBLE NOT NULL,
    average_viewers DOUBLE,             -- hours_watched / covered_hours
    peak_viewers BIGINT NOT NULL,       -- the sampled peak
    skipped_gaps INTEGER NOT NULL,
    coverage DOUBLE,                    -- covered_hours / hours_live
    raids_received INTEGER NOT NULL,
    raid_viewers_received BIGINT NOT NULL,
    raids_sent INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.stream_intervals (
    stream_id VARCHAR NOT NULL,
    channel_id VARCHAR NOT NULL,
    session_day DATE NOT NULL,          -- the owning session's partition
    interval_start TIMESTAMPTZ NOT NULL,  -- 15-minute buckets (exact days in every timezone)
    category_slug VARCHAR,
    hours_watched DOUBLE NOT NULL,
    covered_hours DOUBLE NOT NULL,
    airtime_hours DOUBLE NOT NULL,
    peak_viewers BIGINT,                -- sampled peak inside the bucket (NULL: no sample)
    samples INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.channel_daily (
    day DATE NOT NULL,
    channel_id VARCHAR NOT NULL,
    username VARCHAR,
    hours_watched DOUBLE NOT NULL,
    airtime_hours DOUBLE NOT NULL,
    covered_hours DOUBLE NOT NULL,
    average_viewers DOUBLE,
    peak_viewers BIGINT,
    streams INTEGER NOT NULL,           -- sessions whose first sample is that day
    samples INTEGER NOT NULL,
    coverage DOUBLE,
    top_category_slug VARCHAR,
    followers_gained BIGINT,
    followers_source VARCHAR,           -- events / follower_totals / NULL (unknown)
    follower_count BIGINT,              -- last known total that day
    low_confidence BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.category_daily (
    day DATE NOT NULL,
    category_slug VARCHAR NOT NULL,
    hours_watched DOUBLE NOT NULL,
    airtime_hours DOUBLE NOT NULL,
    covered_hours DOUBLE NOT NULL,
    average_viewers DOUBLE,
    peak_viewers BIGINT,                -- largest sampled sum of the category's viewers
    channels INTEGER NOT NULL,
    share_of_hours_watched DOUBLE       -- of the platform's hours watched that day
);

CREATE TABLE IF NOT EXISTS marts.category_channel_daily (
    day DATE NOT NULL,
    category_slug VARCHAR NOT NULL,
    channel_id VARCHAR NOT NULL,
    hours_watched DOUBLE NOT NULL,
    airtime_hours DOUBLE NOT NULL,
    average_viewers DOUBLE,
    share_of_category DOUBLE            -- of the category's hours watched that day
);

CREATE TABLE IF NOT EXISTS marts.platform_hourly (
    hour TIMESTAMPTZ NOT NULL,
    day DATE NOT NULL,
    polls INTEGER NOT NULL,
    live_channels_avg DOUBLE,
    live_channels_peak BIGINT,
    viewers_avg DOUBLE,                 -- hours watched in the hour (time-weighted)
    viewers_peak BIGINT,                -- the largest sampled total
    hours_watched DOUBLE NOT NULL,
    airtime_hours DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.growth_rankings (
    as_of DATE NOT NULL,
    window_days INTEGER NOT NULL,       -- 7 / 28
    metric VARCHAR NOT NULL,            -- hours_watched / average_viewers / followers_gained
    channel_id VARCHAR NOT NULL,
    username VARCHAR,
    current_value DOUBLE,
    previous_value DOUBLE,
    change DOUBLE,
    change_pct DOUBLE,
    rank INTEGER NOT NULL,
    previous_rank INTEGER,
    rank_change INTEGER,                -- previous_rank - rank (positive: moved up)
    breakout BOOLEAN NOT NULL           -- in the top 50 now, not in the previous window's
);

CREATE TABLE IF NOT EXISTS marts.monetization_daily (
    day DATE NOT NULL,
    channel_id VARCHAR NOT NULL,
    follows BIGINT NOT NULL,
    subs_new BIGINT NOT NULL,           -- paid, first month
    subs_renewed BIGINT NOT NULL,       -- paid renewals
    subs_gifted BIGINT NOT NULL,        -- sum of gift counts (gifted subs counted once)
    subs_ended BIGINT NOT NULL,
    subs_net BIGINT NOT NULL,           -- new + gifted - ended (renewals change no count)
    gift_events BIGINT NOT NULL,
    gifters BIGINT NOT NULL,            -- distinct named gifters
    anonymous_gift_events BIGINT NOT NULL,
    volts_events BIGINT NOT NULL,
    volts BIGINT NOT NULL,
    tippers BIGINT NOT NULL,            -- distinct named senders
    points_redemptions BIGINT NOT NULL,
    points_spent BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.top_supporters (
    day DATE NOT NULL,
    channel_id VARCHAR NOT NULL,
    supporter_id VARCHAR NOT NULL,
    supporter_username VARCHAR,
    volts BIGINT NOT NULL,              -- from channel.volts events that day
    gift_subs BIGINT NOT NULL,          -- from channel.subscription.gift events
    points_spent BIGINT NOT NULL,       -- from channel.points.redeem events
    leaderboard_volts BIGINT,           -- the day's last leaderboard snapshots
    leaderboard_gifts BIGINT,
    leaderboard_points BIGINT,
    best_rank INTEGER                   -- best leaderboard rank that day
);

CREATE TABLE IF NOT EXISTS marts.revenue_estimate_daily (
    day DATE NOT NULL,
    channel_id VARCHAR NOT NULL,
    paid_subs_tier1 BIGINT NOT NULL,    -- new + renewed paid subs
    paid_subs_tier2 BIGINT NOT NULL,
    paid_subs_tier3 BIGINT NOT NULL,
    gifted_subs_tier1 BIGINT NOT NULL,
    gifted_subs_tier2 BIGINT NOT NULL,
    gifted_subs_tier3 BIGINT NOT NULL,
    volts BIGINT NOT NULL,
    sub_revenue DOUBLE NOT NULL,        -- the creator's share, default assumptions
    volts_revenue DOUBLE NOT NULL,
    estimated_revenue DOUBLE NOT NULL,
    currency VARCHAR NOT NULL,
    is_estimate BOOLEAN NOT NULL        -- always true: a model, not Velora's payout
);

-- The revenue model's one formula (pipeline/marts/revenue.py holds the assumptions), shared by
-- the stored daily estimate and the per-query override, so the two cannot drift.
CREATE OR REPLACE MACRO marts.sub_revenue(t1, t2, t3, price1, price2, price3, creator_share) AS
    (t1 * price1 + t2 * price2 + t3 * price3) * creator_share;
