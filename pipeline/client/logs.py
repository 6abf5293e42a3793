"""Structured, secret-free logging for the client.

Every record's message is ``event=<name> key=value ...`` and the same fields ride along as
``extra`` (``velora_event``, ``velora_<key>``). Nothing that might hold a secret (request bodies,
request headers, tokens) is ever passed in; on top of that, :class:`Redactor` scrubs any known
secret from messages as a second line of defence.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger("pipeline.client")

REDACTED = "***"


class Redactor:
    """Remembers secrets (client secret, every token seen) and replaces them in text."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            with self._lock:
                self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def _format(value: Any) -> str:
    text = str(value)
    if not text or any(ch.isspace() for ch in text) or "=" in text:
        return '"' + text.replace('"', '\\"') + '"'
    return text


def log_event(redact: Redactor, level: int, event: str, **fields: Any) -> None:
    if not logger.isEnabledFor(level):
        return
    clean = {k: redact(v) if isinstance(v, str) else v for k, v in fields.items()}
    message = " ".join([f"event={event}", *(f"{k}={_format(v)}" for k, v in clean.items())])
    extra = {"velora_event": event, **{f"velora_{k}": v for k, v in clean.items()}}
    logger.log(level, message, extra=extra)
