"""``velora sql``: the analysts' read path over the published snapshot (docs/analysts.md).

``run.run_sql`` runs SQL text against the snapshot current at that moment (``snapshot``: the
read-only connection, errors explained in one line); ``formats`` prints results as an aligned
table, csv or json; ``repl`` is the interactive prompt. Nothing is imported here, so
``velora --help`` does not load duckdb.
"""
