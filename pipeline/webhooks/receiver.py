"""The webhook receiver: an ASGI app that verifies, lands durably, then acknowledges.

``POST /webhooks/velora`` is handled by a lean raw-ASGI path (it is the hot path); the operator
endpoints (``/healthz``, ``/metrics``, ``/debug/rejections``) are a small Starlette router.
The receiver never opens DuckDB: it only appends to the landing log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _json_string
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, Router

from pipeline.webhooks.framing import LandingRecord
from pipeline.webhooks.landing import LandingError, LandingLog
from pipeline.webhooks.metrics import ReceiverMetrics, SeenKeys
from pipeline.webhooks.secrets import SecretStore

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

WEBHOOK_PATH = "/webhooks/velora"
MAX_BODY_BYTES = 1024 * 1024
# Headers kept with each landed record (never the signature: it is useless once verified).
KEPT_HEADERS = ("content-type", "user-agent", "x-velora-event", "x-velora-timestamp")
SENSITIVE_HEADERS = {"x-velora-signature", "authorization", "cookie", "proxy-authorization"}
# The only headers the accept path reads, keyed by their raw ASGI name (ASGI servers lowercase
# header names). Decoding just these, not every header, is measurably cheaper per request; the
# full dict is built only for rejections.
_HOT_HEADERS = {
    name.encode("latin-1"): name
    for name in ("content-length", "x-velora-signature", "x-velora-timestamp", *KEPT_HEADERS)
}
BODY_PREVIEW_BYTES = 256


@dataclass(frozen=True)
class ReceiverConfig:
    landing_dir: Path
    secret_file: Path | None = None
    env_secret: str | None = None
    tolerance_seconds: int = 600
    max_body_bytes: int = MAX_BODY_BYTES
    max_segment_bytes: int = 64 * 1024 * 1024
    max_segment_age_seconds: float = 30.0
    rejection_buffer: int = 200
    path: str = WEBHOOK_PATH
    secrets_check_interval: float = 0.5  # how often the secrets file's stat is re-checked
    fsync_workers: int = 1  # >1: overlapping fdatasyncs in that many threads


class Rejection(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def idempotency_key(body: bytes, doc: object) -> str:
    """Envelope ``id`` when present, else the SHA-256 of the raw body."""
    if isinstance(doc, dict):
        event_id = doc.get("id")
        if isinstance(event_id, str | int) and not isinstance(event_id, bool) and str(event_id):
            return str(event_id)
    return "sha256:" + hashlib.sha256(body).hexdigest()


class WebhookReceiver:
    """ASGI callable. Starts the landing log on lifespan startup, seals it on shutdown."""

    def __init__(self, config: ReceiverConfig) -> None:
        self.config = config
        self.metrics = ReceiverMetrics()
        self.seen = SeenKeys()
        self.secrets = SecretStore(
            config.secret_file, config.env_secret, check_interval=config.secrets_check_interval
        )
        self.rejections: deque[dict[str, object]] = deque(maxlen=config.rejection_buffer)
        self.landing = LandingLog(
            config.landing_dir,
            max_segment_bytes=config.max_segment_bytes,
            max_segment_age_seconds=config.max_segment_age_seconds,
            fsync_workers=config.fsync_workers,
            on_batch=lambda b: self.metrics.observe_batch(b.records, b.fsync_seconds),
        )
        self._started = False
        self.router = Router(
            routes=[
                Route("/healthz", self._healthz, methods=["GET"]),
                Route("/metrics", self._metrics, methods=["GET"]),
                Route("/debug/rejections", self._debug_rejections, methods=["GET"]),
            ]
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if not self._started:
            self.landing.start()
            self._started = True
            if self.landing.recovery and self.landing.recovery.sealed:
                log.warning(
                    "sealed %d segments left open by a crash", len(self.landing.recovery.sealed)
                )

    def stop(self) -> None:
        if self._started:
            self.landing.close()
            self._started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" and scope["path"] == self.config.path:
            await self._webhook(scope, receive, send)
        elif kind == "http":
            await self.router(scope, receive, send)  # type: ignore[arg-type]
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.start()
                except Exception as exc:  # surfaced by uvicorn as a failed startup
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- hot path ----------------------------------------------------------------------------
    async def _webhook(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _hot_headers(scope["headers"])
        body = b""
        try:
            if scope["method"] != "POST":
                raise Rejection(405, "method_not_allowed")
            if "x-velora-signature" not in headers:
                # Not lowercased by the server (or really missing): fall back to the full,
                # case-folded dict so a non-conforming server is not mistaken for a bad sender.
                headers = _all_headers(scope["headers"])
            body = await self._read_body(headers, receive)
            record = self._verify(headers, body)
        except Rejection as rejection:
            self._reject(scope, _all_headers(scope["headers"]), body, rejection)
            await _respond(send, rejection.status, {"error": rejection.reason})
            return
        except _ClientGone:
            return
        try:
            await self.landing.append_async(record)
        except LandingError as exc:
            self.metrics.landing_failures += 1
            log.error("delivery %s not landed: %s", record.key, exc)
            await _respond(send, 503, {"error": "landing_unavailable"})
            return
        duplicate = self.seen.check_and_add(record.key)
        self.metrics.accepted += 1
        self.metrics.accepted_bytes += len(body)
        if duplicate:
            self.metrics.duplicates += 1
        await _send_json(send, 200, _accepted_body(record.key, duplicate))

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes:
        limit = self.config.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    raise Rejection(413, "body_too_large")
            except ValueError:
                raise Rejection(400, "bad_content_length") from None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:  # chunked upload past the limit: stop reading now
                raise Rejection(413, "body_too_large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _verify(self, headers: dict[str, str], body: bytes) -> LandingRecord:
        signature = headers.get("x-velora-signature", "").strip()
        if not signature:
            raise Rejection(401, "missing_signature")
        raw_ts = headers.get("x-velora-timestamp", "").strip()
        if not raw_ts:
            raise Rejection(401, "missing_timestamp")
        try:
            sent_ms = int(raw_ts)
        except ValueError:
            raise Rejection(401, "bad_timestamp") from None
        now_ms = time.time_ns() // 1_000_000
        skew_ms = now_ms - sent_ms
        tolerance_ms = self.config.tolerance_seconds * 1000
        if skew_ms > tolerance_ms:
            raise Rejection(401, "stale_timestamp")
        if -skew_ms > tolerance_ms:
            raise Rejection(401, "future_timestamp")
        if not self.secrets.verify(body, signature):
            raise Rejection(401, "bad_signature")
        try:
            doc = json.loads(body)
        except ValueError:  # includes bad UTF-8
            raise Rejection(400, "invalid_json") from None
        kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
        return LandingRecord(
            received_at_ms=now_ms, key=idempotency_key(body, doc), headers=kept, body=body
        )

    def _reject(
        self, scope: Scope, headers: dict[str, str], body: bytes, rejection: Rejection
    ) -> None:
        self.metrics.rejections[rejection.reason] += 1
        client = scope.get("client")
        client_text = f"{client[0]}:{client[1]}" if client else "?"
        log.warning(
            "rejected webhook: reason=%s status=%d client=%s event=%s bytes=%s",
            rejection.reason,
            rejection.status,
            client_text,
            headers.get("x-velora-event", "-"),
            headers.get("content-length", len(body)),
        )
        self.rejections.append(
            {
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "reason": rejection.reason,
                "status": rejection.status,
                "client": client_text,
                "method": scope.get("method"),
                "headers": {k: v for k, v in headers.items() if k not in SENSITIVE_HEADERS},
                "body_prefix": body[:BODY_PREVIEW_BYTES].decode("utf-8", "replace"),
                "body_bytes": len(body),
            }
        )

    # -- operator endpoints ------------------------------------------------------------------
    async def _healthz(self, request: Request) -> Response:
        landing_dir = self.config.landing_dir
        writable = landing_dir.is_dir() and os.access(landing_dir, os.W_OK)
        healthy = writable and self.landing.running and self.landing.last_error is None
        body = {
            "status": "ok" if healthy else "degraded",
            "landing_dir": str(landing_dir),
            "landing_dir_writable": writable,
            "writer_running": self.landing.running,
            "open_segment": self.landing.open_segment,
            "last_landing_error": self.landing.last_error,
            "secrets_active": len(self.secrets.active_secrets()),
            "secrets_file_error": self.secrets.last_error,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def _metrics(self, request: Request) -> Response:
        if request.query_params.get("format") == "json":
            return JSONResponse(self.metrics.snapshot())
        return PlainTextResponse(self.metrics.prometheus(), media_type="text/plain; version=0.0.4")

    async def _debug_rejections(self, request: Request) -> Response:
        return JSONResponse({"rejections": list(self.rejections)})


class _ClientGone(Exception):
    pass


def _hot_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    lookup = _HOT_HEADERS.get
    found: dict[str, str] = {}
    for name, value in raw:
        key = lookup(name)
        if key is not None:
            found[key] = value.decode("latin-1")  # a repeated header: the last one wins
    return found


def _all_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}


def _accepted_body(key: str, duplicate: bool) -> bytes:
    # Built by hand: this runs once per accepted delivery (the hot path).
    tail = b',"duplicate":true}' if duplicate else b',"duplicate":false}'
    return b'{"status":"accepted","key":' + _json_string(key).encode() + tail


async def _respond(send: Send, status: int, payload: dict[str, object]) -> None:
    await _send_json(send, status, json.dumps(payload, separators=(",", ":")).encode())


async def _send_json(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(config: ReceiverConfig) -> WebhookReceiver:
    return WebhookReceiver(config)
