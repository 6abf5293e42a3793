-- One row per HTTP response of a poll, verbatim. Append-only.
-- Logical key (endpoint, params_json, poll_at, page): enforced by the anti-join in
-- insert_raw_responses.sql rather than a PRIMARY KEY, because a DuckDB ART index is held in
-- memory whole and would grow with history (see docs/warehouse.md).
CREATE TABLE IF NOT EXISTS raw.api_responses (
    endpoint VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    params_json VARCHAR NOT NULL,
    poll_at TIMESTAMPTZ NOT NULL,
    page INTEGER NOT NULL,
    status INTEGER NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    headers_json VARCHAR,
    body_text VARCHAR,
    parse_error VARCHAR,
    ingested_at TIMESTAMPTZ NOT NULL
);
