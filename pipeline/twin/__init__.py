"""The Velora twin: a local simulator of velora.tv (``world`` = simulation, ``server`` = HTTP)."""
