-- Rewrites runs of small adjacent files as one file each (time travel is kept: each row keeps
-- its snapshot); the replaced files are scheduled for deletion. Files of $max_file_size bytes or
-- more are left as they are. Answers files in, files out.
SELECT coalesce(sum(files_processed), 0), coalesce(sum(files_created), 0)
FROM ducklake_merge_adjacent_files($catalog, max_file_size => $max_file_size)
