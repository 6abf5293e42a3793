SELECT table_schema || '.' || table_name AS table_name FROM information_schema.tables
