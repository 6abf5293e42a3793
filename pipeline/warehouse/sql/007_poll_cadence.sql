-- The cadence (minutes) a poll was taken at, stored with its responses and with every snapshot
-- row derived from them, so marts and dashboards interpret samples (e.g. the gap rule of hours
-- watched) from the data, never from today's ingest settings. NULL on rows loaded before.
ALTER TABLE raw.api_responses ADD COLUMN IF NOT EXISTS cadence_minutes SMALLINT;
ALTER TABLE core.stream_snapshots ADD COLUMN IF NOT EXISTS cadence_minutes SMALLINT;
ALTER TABLE core.category_snapshots ADD COLUMN IF NOT EXISTS cadence_minutes SMALLINT;
ALTER TABLE core.leaderboard_entries ADD COLUMN IF NOT EXISTS cadence_minutes SMALLINT;
ALTER TABLE core.chat_stats ADD COLUMN IF NOT EXISTS cadence_minutes SMALLINT;
ALTER TABLE core.teams ADD COLUMN IF NOT EXISTS cadence_minutes SMALLINT;
ALTER TABLE core.team_members ADD COLUMN IF NOT EXISTS cadence_minutes SMALLINT;
ALTER TABLE core.channel_profiles ADD COLUMN IF NOT EXISTS cadence_minutes SMALLINT;
ALTER TABLE ops.tracked_channels ADD COLUMN IF NOT EXISTS cadence_minutes SMALLINT;
