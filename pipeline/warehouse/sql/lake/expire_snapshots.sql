-- Forgets the snapshots committed before $cutoff (never the latest); the files only they
-- referenced are scheduled for deletion. Answers how many were expired.
SELECT count(*) FROM ducklake_expire_snapshots($catalog, older_than => $cutoff)
