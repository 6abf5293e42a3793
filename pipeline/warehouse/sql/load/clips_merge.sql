-- Apply the clip rows load/clips.sql selected (already merged with what was stored).
MERGE INTO core.clips AS t
USING velora_new_rows AS n
ON t.clip_id = n.clip_id
WHEN MATCHED THEN UPDATE SET
    view_count = n.view_count,
    title = n.title,
    first_seen_at = n.first_seen_at,
    last_seen_at = n.last_seen_at
WHEN NOT MATCHED THEN INSERT BY NAME;
