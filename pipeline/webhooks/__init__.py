"""Webhook capture: receiver (ASGI) → durable landing log → exactly-once loader → core tables.

Heavy modules (duckdb, polars, uvicorn) are imported by the submodules that need them, not here.
"""
