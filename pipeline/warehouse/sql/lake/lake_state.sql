-- The live data and delete files of every table, and the snapshots kept.
SELECT
    (SELECT coalesce(sum(file_count + delete_file_count), 0) FROM ducklake_table_info($catalog)),
    (SELECT count(*) FROM ducklake_snapshots($catalog))
