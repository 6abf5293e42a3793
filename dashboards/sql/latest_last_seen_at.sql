SELECT max(last_seen_at) AS latest FROM query_table($table_name)
