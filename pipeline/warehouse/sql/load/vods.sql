-- core.vods: one row per stream_id, the first listing kept (a VOD's times never change).
-- Re-running the same poll inserts nothing. No poll-range filter: the table is small (one
-- row per ended session) and keyed by its primary key.
INSERT INTO core.vods BY NAME
SELECT c.* FROM candidate_rows AS c
ON CONFLICT (stream_id) DO NOTHING
RETURNING NULL, first_seen_at;
