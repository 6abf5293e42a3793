SELECT max(event_at) AS latest FROM query_table($table_name)
