-- One row per finished run of an endpoint job (ingest) or of a mart's day range (marts), so the
-- Data health page can show the last runs from the published snapshot. An append-only log of
-- runs: a rerun is another run and gets its own row (the data it writes stays idempotent).
CREATE TABLE IF NOT EXISTS ops.run_log (
    kind VARCHAR NOT NULL,              -- ingest / marts
    name VARCHAR NOT NULL,              -- the endpoint job or the mart
    target_at TIMESTAMPTZ,              -- the poll (ingest) or the first day (marts) it ran for
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    status VARCHAR NOT NULL,            -- ok / partial (some requests failed) / failed
    rows_written BIGINT NOT NULL,
    detail VARCHAR                      -- the first error, when there was one
);
