INSERT INTO ops.run_log
    (kind, name, target_at, started_at, finished_at, status, rows_written, detail)
VALUES ($kind, $name, $target_at, $started_at, $finished_at, $status, $rows_written, $detail);
