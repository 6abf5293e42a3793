SELECT max(snapshot_at) AS latest FROM query_table($table_name)
