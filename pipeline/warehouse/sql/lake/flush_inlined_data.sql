-- Writes the rows small commits left inlined in the catalog out to Parquet; answers the row count.
SELECT coalesce(sum(rows_flushed), 0) FROM ducklake_flush_inlined_data($catalog)
