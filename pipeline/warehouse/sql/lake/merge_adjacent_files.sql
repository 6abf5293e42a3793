-- Rewrites runs of small adjacent files as one file each (time travel is kept: each row keeps
-- its snapshot); the replaced files are scheduled for deletion. Answers files in, files out.
SELECT coalesce(sum(files_processed), 0), coalesce(sum(files_created), 0)
FROM ducklake_merge_adjacent_files($catalog)
