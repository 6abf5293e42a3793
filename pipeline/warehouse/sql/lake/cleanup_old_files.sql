-- Deletes the files scheduled for deletion before $cutoff. Answers how many were deleted.
SELECT count(*) FROM ducklake_cleanup_old_files($catalog, older_than => $cutoff)
