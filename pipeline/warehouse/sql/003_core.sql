-- Typed tables derived from raw.api_responses. Grains are documented in docs/warehouse.md and
-- enforced by the anti-join / upsert statements under sql/load/.
CREATE TABLE IF NOT EXISTS core.stream_snapshots (
    source VARCHAR NOT NULL,            -- live / top / growing / featured
    snapshot_at TIMESTAMPTZ NOT NULL,   -- the poll tick
    stream_id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    username VARCHAR,
    display_name VARCHAR,
    title VARCHAR,
    viewer_count BIGINT NOT NULL,
    started_at TIMESTAMPTZ,
    language VARCHAR,
    category_id VARCHAR,
    category_slug VARCHAR,
    category_name VARCHAR,
    is_mature BOOLEAN,
    tags VARCHAR[],
    position INTEGER NOT NULL,          -- 1-based order in the listing
    viewer_growth BIGINT,               -- growing only
    growth_percent DOUBLE,              -- growing only
    fetched_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.category_snapshots (
    snapshot_at TIMESTAMPTZ NOT NULL,
    category_slug VARCHAR NOT NULL,
    category_id VARCHAR,
    name VARCHAR,
    viewer_count BIGINT NOT NULL,
    stream_count BIGINT NOT NULL,
    position INTEGER NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.clips (
    clip_id VARCHAR PRIMARY KEY,
    title VARCHAR,
    url VARCHAR,
    stream_id VARCHAR,
    creator_id VARCHAR,
    creator_username VARCHAR NOT NULL,
    clipped_by_id VARCHAR,
    clipped_by_username VARCHAR,
    category_slug VARCHAR,
    duration_seconds DOUBLE,
    view_count BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.leaderboard_entries (
    snapshot_at TIMESTAMPTZ NOT NULL,
    board VARCHAR NOT NULL,             -- volts / gifts / points
    creator_id VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    username VARCHAR,
    display_name VARCHAR,
    amount BIGINT NOT NULL,             -- volts, gifted subs or channel points
    period VARCHAR,
    updated_at TIMESTAMPTZ,
    fetched_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.chat_stats (
    snapshot_at TIMESTAMPTZ NOT NULL,
    channel_id VARCHAR NOT NULL,
    is_live BOOLEAN,
    viewer_count BIGINT,
    chatters BIGINT,
    messages_per_minute DOUBLE,
    messages_last_hour BIGINT,
    unique_chatters_last_hour BIGINT,
    emotes_per_minute DOUBLE,
    updated_at TIMESTAMPTZ,
    fetched_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.teams (
    snapshot_at TIMESTAMPTZ NOT NULL,
    team VARCHAR NOT NULL,              -- the team slug
    team_id VARCHAR,
    name VARCHAR,
    description VARCHAR,
    member_count BIGINT,
    created_at TIMESTAMPTZ,
    fetched_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.team_members (
    snapshot_at TIMESTAMPTZ NOT NULL,
    team VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL,
    username VARCHAR,
    display_name VARCHAR,
    role VARCHAR,
    is_live BOOLEAN,
    joined_at TIMESTAMPTZ,
    fetched_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.channel_profiles (
    snapshot_at TIMESTAMPTZ NOT NULL,
    user_id VARCHAR NOT NULL,
    username VARCHAR NOT NULL,
    display_name VARCHAR,
    follower_count BIGINT NOT NULL,
    following_count BIGINT,
    is_live BOOLEAN,
    is_partner BOOLEAN,
    created_at TIMESTAMPTZ,
    fetched_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS core.quarantine (
    table_name VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    row_json VARCHAR NOT NULL,
    poll_at TIMESTAMPTZ NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL
);
