"""Run the receiver under uvicorn (used by ``velora webhooks serve``, tests and the bench)."""

from __future__ import annotations

import uvicorn

from pipeline.webhooks.receiver import ReceiverConfig, WebhookReceiver


def serve(
    config: ReceiverConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8788,
    log_level: str = "warning",
    graceful_timeout: int = 10,
) -> None:
    """Serve until SIGINT/SIGTERM; uvicorn finishes in-flight requests, then the lifespan
    shutdown seals the open segment."""
    app = WebhookReceiver(config)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=graceful_timeout,
    )
