"""Typed warehouse errors whose messages say what was wrong and what to do."""

from __future__ import annotations


class WarehouseError(Exception):
    """Base class of every warehouse error."""


class WarehouseLockedError(WarehouseError):
    """Another process holds the DuckDB lock on the warehouse file."""


class WarehouseConflictError(WarehouseError):
    """A DuckLake commit kept losing to concurrent writers; nothing of it was stored."""


class WarehouseMissingError(WarehouseError):
    """A read-only open of a warehouse file that does not exist."""


class NoPublishedSnapshotError(WarehouseError):
    """Nothing has been published yet (no ``CURRENT`` file, or it names a missing file)."""


class MigrationError(WarehouseError):
    """A migration file failed to apply."""
