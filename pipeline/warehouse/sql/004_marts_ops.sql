CREATE TABLE IF NOT EXISTS ops.tracked_channels (
    snapshot_at TIMESTAMPTZ NOT NULL,
    user_id VARCHAR NOT NULL,
    username VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,            -- configured / top_n
    viewer_rank INTEGER                 -- rank in the live snapshot used (top_n), else NULL
);

-- Small (one row per live poll), so a PRIMARY KEY index is cheap here.
CREATE TABLE IF NOT EXISTS marts.live_totals (
    snapshot_at TIMESTAMPTZ PRIMARY KEY,
    live_channels BIGINT NOT NULL,
    total_viewers BIGINT NOT NULL
);
