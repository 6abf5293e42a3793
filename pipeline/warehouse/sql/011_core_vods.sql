-- The exact start and end of ended sessions, from each channel's VOD listing (fetched once per
-- session that no stream.offline event ends). Read by marts.stream_sessions (end_source 'vod').
CREATE TABLE IF NOT EXISTS core.vods (
    stream_id VARCHAR PRIMARY KEY,
    vod_id VARCHAR,
    channel_username VARCHAR NOT NULL,
    title VARCHAR,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ NOT NULL,
    duration_seconds DOUBLE NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL
);
