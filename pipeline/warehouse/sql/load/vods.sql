-- core.vods: one row per stream_id. A VOD already stored keeps its first sighting; re-listing a
-- channel's VODs writes nothing new. No poll-range filter: the table is small (one row per
-- ended session).
SELECT c.*
FROM candidate_rows AS c
WHERE NOT EXISTS (SELECT 1 FROM core.vods AS t WHERE t.stream_id = c.stream_id)
QUALIFY row_number() OVER (PARTITION BY c.stream_id ORDER BY c.first_seen_at) = 1;
