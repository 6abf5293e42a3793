"""The Velora twin's HTTP server: Velora's wire format over ``pipeline.twin.world``."""

from pipeline.twin.server.app import create_app
from pipeline.twin.server.config import FaultConfig, TwinConfig, TwinConfigError

__all__ = ["FaultConfig", "TwinConfig", "TwinConfigError", "create_app"]
