"""Webhook subscriptions of the twin's developer app (in memory, like the rest of the twin)."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pipeline.twin.server.errors import ApiError, bad_request
from pipeline.twin.server.timefmt import iso

# wire name -> canonical world type. Documented aliases map onto one canonical name.
EVENT_ALIASES: dict[str, str] = {
    "channel.gift": "channel.subscription.gift",
    "channel.cheer": "channel.volts",
    "channel.channel_points_redemption": "channel.points.redeem",
}
CANONICAL_EVENTS = (
    "stream.online",
    "stream.offline",
    "stream.update",
    "channel.follow",
    "channel.subscribe",
    "channel.subscription.gift",
    "channel.subscription.end",
    "channel.volts",
    "channel.points.redeem",
    "channel.raid",
    "channel.update",
    "user.authorization.grant",
    "user.authorization.revoke",
)
KNOWN_EVENTS = frozenset(CANONICAL_EVENTS) | frozenset(EVENT_ALIASES)
# developer.velora.tv/developer/docs/webhooks/events: "Webhook URLs must use HTTPS for security.
# HTTP endpoints will be rejected."
HTTPS_REQUIRED = "Webhook URLs must use HTTPS. HTTP endpoints will be rejected."


def canonical_event(name: str) -> str:
    return EVENT_ALIASES.get(name, name)


@dataclass
class Webhook:
    id: str
    client_id: str
    url: str
    events: list[str]
    secret: str
    created_at: datetime
    updated_at: datetime
    harvested_until: datetime  # world events before this twin time were already queued
    status: str = "active"
    disabled_at: datetime | None = None
    wire_names: dict[str, str] = field(default_factory=dict)  # canonical -> name subscribed with
    # Created with a user token: only this broadcaster's events. None (app token): every
    # authorized creator. Never on the wire: the documented webhook object has no such field.
    channel_id: str | None = None

    def __post_init__(self) -> None:
        self._index_names()

    def _index_names(self) -> None:
        self.wire_names = {}
        for name in self.events:
            self.wire_names.setdefault(canonical_event(name), name)

    def set_events(self, events: list[str]) -> None:
        self.events = events
        self._index_names()

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "status": self.status,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        }


def _validate_url(url: object, allow_http: bool) -> str:
    if not isinstance(url, str) or not url:
        raise bad_request("url is required", param="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise bad_request(f"url must be an absolute https URL, got {url!r}", param="url")
    if parts.scheme == "http" and not allow_http:
        raise bad_request(
            f"{HTTPS_REQUIRED} (twin: start it with --allow-http-webhooks for local receivers)",
            param="url",
        )
    return url


def _validate_events(events: object) -> list[str]:
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise bad_request("events must be a non-empty list of event type names", param="events")
    unknown = sorted(set(events) - KNOWN_EVENTS)
    if unknown:
        raise bad_request(f"unknown event type(s): {', '.join(unknown)}", unknown=unknown)
    return list(dict.fromkeys(events))


class WebhookRegistry:
    def __init__(self, *, allow_http: bool = False) -> None:
        self.allow_http = allow_http
        self._lock = threading.Lock()
        self._hooks: dict[str, Webhook] = {}
        self._counter = 0

    def all(self) -> list[Webhook]:
        with self._lock:
            return list(self._hooks.values())

    def create(
        self, client_id: str, body: dict[str, Any], now: datetime, channel_id: str | None = None
    ) -> Webhook:
        url = _validate_url(body.get("url"), self.allow_http)
        events = _validate_events(body.get("events"))
        with self._lock:
            self._counter += 1
            hook = Webhook(
                id=f"wh_{self._counter:04d}{secrets.token_hex(4)}",
                client_id=client_id,
                url=url,
                events=events,
                secret="whsec_" + secrets.token_hex(24),
                created_at=now,
                updated_at=now,
                harvested_until=now,
                channel_id=channel_id,
            )
            self._hooks[hook.id] = hook
        return hook

    def get(self, client_id: str, hook_id: str) -> Webhook:
        with self._lock:
            hook = self._hooks.get(hook_id)
        if hook is None or hook.client_id != client_id:
            raise ApiError(404, f"webhook {hook_id!r} not found", details={"id": hook_id})
        return hook

    def by_id(self, hook_id: str) -> Webhook | None:
        with self._lock:
            return self._hooks.get(hook_id)

    def list(self, client_id: str) -> list[Webhook]:
        with self._lock:
            return [h for h in self._hooks.values() if h.client_id == client_id]

    def update(self, client_id: str, hook_id: str, body: dict[str, Any], now: datetime) -> Webhook:
        hook = self.get(client_id, hook_id)
        if "url" in body:
            hook.url = _validate_url(body["url"], self.allow_http)
        if "events" in body:
            hook.set_events(_validate_events(body["events"]))
        if "status" in body:
            status = body["status"]
            if status not in ("active", "disabled"):
                raise bad_request("status must be 'active' or 'disabled'", param="status")
            if status == "active" and hook.status != "active":
                hook.harvested_until = now  # re-enabled hooks do not replay the gap
                hook.disabled_at = None
            elif status == "disabled" and hook.status != "disabled":
                hook.disabled_at = now
            hook.status = status
        hook.updated_at = now
        return hook

    def delete(self, client_id: str, hook_id: str) -> None:
        self.get(client_id, hook_id)
        with self._lock:
            self._hooks.pop(hook_id, None)

    def rotate(self, client_id: str, hook_id: str, now: datetime) -> Webhook:
        hook = self.get(client_id, hook_id)
        hook.secret = "whsec_" + secrets.token_hex(24)
        hook.updated_at = now
        return hook
