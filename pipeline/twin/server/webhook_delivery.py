"""Webhook delivery engine: harvest world events as the twin clock moves and POST them, signed.

- Harvest: for each active webhook, ``world.events_between(last, now, authorized creators)``
  filtered by the webhook's event list (aliases accepted) and, for a webhook created with a user
  token, by its channel; then ``last = now``.
- Send: bounded concurrency, ``timeout`` seconds each, ``X-Velora-Signature`` = hex
  HMAC-SHA256(secret, raw body), ``X-Velora-Timestamp`` = unix ms (twin clock) of the first
  attempt, or of each attempt with ``webhook_retry_timestamp="attempt"``.
- Retry after non-2xx/timeout/connection error: immediately, +1 min, +5 min, +30 min, +2 h of
  twin time after the previous failure; when the last retry fails the webhook is disabled without
  notice and its queued deliveries are dropped.
- Like real webhook systems, a configurable share of deliveries is sent twice, and neighbours in a
  batch are sometimes swapped. Both choices are seeded, so a run is reproducible.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pipeline.twin.server.timefmt import iso, unix_ms
from pipeline.twin.server.webhook_http import SendError, SendTimeout, WebhookSender
from pipeline.twin.server.webhook_payloads import build_body, test_event_body
from pipeline.twin.server.webhook_registry import Webhook, WebhookRegistry, canonical_event

if TYPE_CHECKING:
    from pipeline.twin.server.clock import TwinClock
    from pipeline.twin.server.config import TwinConfig
    from pipeline.twin.world import World

RETRY_DELAYS_SECONDS = (0, 60, 300, 1800, 7200)  # after the 1st..5th failed attempt


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    seq: int
    webhook_id: str
    event_id: str
    event_type: str  # wire name
    body: bytes
    due: datetime
    attempts: int = 0
    duplicate: bool = False
    is_test: bool = False
    first_attempt_at: datetime | None = None


class DeliveryEngine:
    def __init__(
        self, world: World, clock: TwinClock, registry: WebhookRegistry, config: TwinConfig
    ):
        self.world = world
        self.clock = clock
        self.registry = registry
        self.config = config
        seed = config.webhook_seed if config.webhook_seed is not None else config.seed
        self._rng = random.Random(f"webhooks:{seed}")
        self._pending: list[Delivery] = []
        self._seq = 0
        self._lock = asyncio.Lock()
        self._client: WebhookSender | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._background: set[asyncio.Task[dict[str, int]]] = set()
        self.log: deque[dict[str, Any]] = deque(maxlen=500)
        self.counts = {
            "delivered": 0,  # 2xx responses
            "failed": 0,  # failed attempts (non-2xx, timeout, connection error)
            "retried": 0,  # attempts after the first
            "duplicates_sent": 0,
            "dropped": 0,  # queued deliveries discarded when their webhook was disabled
            "webhooks_disabled": 0,
            "events_queued": 0,
        }

    # ---- lifecycle -------------------------------------------------------------------------
    async def aclose(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def run_background(self) -> None:
        """Deliver every ``webhook_tick_seconds`` while the clock runs (frozen: on advance)."""
        while True:
            await asyncio.sleep(self.config.webhook_tick_seconds)
            if self.clock.mode != "frozen" and self.registry.all():
                with contextlib.suppress(Exception):  # a bad tick must not kill the loop
                    await self.tick()

    # ---- public operations -----------------------------------------------------------------
    async def tick(self) -> dict[str, int]:
        """Harvest events up to now and deliver everything due; waits for the sends."""
        async with self._lock:
            now = self.clock.now()
            self._harvest(now)
            await self._deliver_due()
            return self.summary()

    def tick_soon(self) -> dict[str, int]:
        """Start a :meth:`tick` without waiting for it. Ticks run one at a time in the order
        they were asked for (the lock is FIFO), so a later :meth:`tick` (``/_twin/webhooks/flush``)
        returns only after every earlier one has delivered."""
        task = asyncio.get_running_loop().create_task(self.tick())
        self._background.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._background.discard)
        return self.summary()

    def enqueue_test_event(self, event_type: str, hook_id: str | None) -> int:
        now = self.clock.now()
        canonical = canonical_event(event_type)
        queued = 0
        for hook in self.registry.all():
            if hook.status != "active" or (hook_id and hook.id != hook_id):
                continue
            if hook_id is None and canonical not in hook.wire_names:
                continue
            wire = hook.wire_names.get(canonical, event_type)
            self._seq += 1
            event_id, body = test_event_body(canonical, wire, now, self._seq)
            self._pending.append(
                Delivery(self._seq, hook.id, event_id, wire, body, now, is_test=True)
            )
            queued += 1
        self.counts["events_queued"] += queued
        return queued

    def summary(self) -> dict[str, int]:
        return {**self.counts, "pending": len(self._pending)}

    def snapshot(self) -> dict[str, Any]:
        hooks = {}
        for hook in self.registry.all():
            hooks[hook.id] = {
                "status": hook.status,
                "pending": sum(1 for d in self._pending if d.webhook_id == hook.id),
                "harvestedUntil": iso(hook.harvested_until),
            }
        return {**self.summary(), "webhooks": hooks, "recent_attempts": list(self.log)[-100:]}

    # ---- internals -------------------------------------------------------------------------
    def _harvest(self, now: datetime) -> None:
        active = [
            h for h in self.registry.all() if h.status == "active" and h.harvested_until < now
        ]
        if not active:
            return
        start = min(h.harvested_until for h in active)
        creator_ids = self.world.authorized_creator_ids
        channels = {h.channel_id for h in active}
        if None not in channels:  # only per-broadcaster webhooks: build just their channels
            creator_ids = tuple(c for c in creator_ids if c in channels)
        events = self.world.events_between(start, now, creator_ids=creator_ids)
        for hook in active:
            batch: list[Delivery] = []
            per_broadcaster = hook.channel_id is not None
            for event in events:
                if not hook.harvested_until <= event.at < now:
                    continue
                if per_broadcaster and event.channel_id != hook.channel_id:
                    continue
                wire = hook.wire_names.get(event.type)
                if wire is None:
                    continue
                channel = self.world.creator(event.channel_id)
                body = build_body(event, wire, channel, per_broadcaster=per_broadcaster)
                self._seq += 1
                batch.append(Delivery(self._seq, hook.id, _event_id(event), wire, body, now))
            hook.harvested_until = now
            self.counts["events_queued"] += len(batch)
            self._pending.extend(self._shuffle_and_duplicate(batch))

    def _shuffle_and_duplicate(self, batch: list[Delivery]) -> list[Delivery]:
        out: list[Delivery] = []
        for delivery in batch:
            out.append(delivery)
            if self._rng.random() < self.config.webhook_duplicate_rate:
                self._seq += 1
                out.append(
                    Delivery(
                        self._seq,
                        delivery.webhook_id,
                        delivery.event_id,
                        delivery.event_type,
                        delivery.body,
                        delivery.due,
                        duplicate=True,
                    )
                )
        for i in range(len(out) - 1):  # small reordering: swap neighbours now and then
            if self._rng.random() < self.config.webhook_reorder_rate:
                out[i], out[i + 1] = out[i + 1], out[i]
        return out

    async def _deliver_due(self) -> None:
        # Loop because a failed attempt's first retry is due immediately.
        while True:
            now = self.clock.now()
            due = [d for d in self._pending if d.due <= now]
            if not due:
                return
            due_ids = {id(d) for d in due}
            self._pending = [d for d in self._pending if id(d) not in due_ids]
            results = await asyncio.gather(*(self._attempt(d) for d in due))
            for delivery, ok in results:
                self._settle(delivery, ok)

    async def _attempt(self, delivery: Delivery) -> tuple[Delivery, bool]:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.config.webhook_concurrency)
        async with self._semaphore:
            return delivery, await self._send(delivery)

    async def _send(self, delivery: Delivery) -> bool:
        hook = self.registry.by_id(delivery.webhook_id)
        if hook is None or hook.status != "active":
            self.counts["dropped"] += 1
            return True  # nothing to retry
        if self._client is None:
            self._client = WebhookSender(timeout=self.config.webhook_timeout)
        attempt_at = self.clock.now()
        if delivery.first_attempt_at is None:
            delivery.first_attempt_at = attempt_at
        stamped_at = (
            delivery.first_attempt_at
            if self.config.webhook_retry_timestamp == "first_attempt"
            else attempt_at
        )
        delivery.attempts += 1
        if delivery.attempts > 1:
            self.counts["retried"] += 1
        if delivery.duplicate and delivery.attempts == 1:
            self.counts["duplicates_sent"] += 1
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Velora-Webhooks/1.0 (twin)",
            "X-Velora-Signature": sign(hook.secret, delivery.body),
            "X-Velora-Timestamp": str(unix_ms(stamped_at)),
            "X-Velora-Event": delivery.event_type,
        }
        outcome: int | str
        try:
            outcome = await self._client.post(hook.url, delivery.body, headers)
            ok = 200 <= outcome < 300
        except SendTimeout:
            outcome, ok = "timeout", False
        except SendError as exc:
            outcome, ok = f"error:{type(exc).__name__}", False
        self.log.append(
            {
                "webhookId": hook.id,
                "eventId": delivery.event_id,
                "type": delivery.event_type,
                "attempt": delivery.attempts,
                "at": iso(attempt_at),
                "outcome": outcome,
                "duplicate": delivery.duplicate,
                "isTest": delivery.is_test,
            }
        )
        return ok

    def _settle(self, delivery: Delivery, ok: bool) -> None:
        hook = self.registry.by_id(delivery.webhook_id)
        if ok:
            if delivery.attempts and hook is not None and hook.status == "active":
                self.counts["delivered"] += 1
            return
        self.counts["failed"] += 1
        if hook is None or hook.status != "active":
            return
        failures = delivery.attempts
        if failures <= len(RETRY_DELAYS_SECONDS):
            delivery.due = self.clock.now() + timedelta(seconds=RETRY_DELAYS_SECONDS[failures - 1])
            self._pending.append(delivery)
            return
        self._disable(hook)

    def _disable(self, hook: Webhook) -> None:
        now = self.clock.now()
        hook.status = "disabled"
        hook.disabled_at = now
        hook.updated_at = now
        self.counts["webhooks_disabled"] += 1
        kept = [d for d in self._pending if d.webhook_id != hook.id]
        self.counts["dropped"] += len(self._pending) - len(kept)
        self._pending = kept


def _event_id(event: Any) -> str:
    raw = str(event.id)
    return raw if raw.startswith("evt_") else f"evt_{raw}"
