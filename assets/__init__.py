"""Velora's Dagster layer: thin assets over ``pipeline/`` functions (see docs/dagster.md)."""
