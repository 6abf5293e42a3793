"""Run a real twin on a free loopback port for integration tests.

from pipeline.twin.launcher import running_twin

with running_twin(clock="frozen", creators=500) as twin:
    httpx.get(f"{twin.base_url}/api/streams/live")
    twin.advance(300)
    assert twin.stats()["served_429"] == 0
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from pipeline.serving import ServerStartError, serving
from pipeline.twin.server.config import FaultConfig, TwinConfig
from pipeline.twin.world import World


class TwinStartError(RuntimeError):
    """The twin server did not come up (the message says why)."""


@dataclass
class TwinHandle:
    base_url: str
    app: Any  # the Starlette app; ``app.state.twin`` is the TwinState
    config: TwinConfig
    _client: httpx.Client | None = field(default=None, repr=False)

    # ---- plumbing ------------------------------------------------------------------------------
    @property
    def state(self) -> Any:
        return self.app.state.twin

    @property
    def world(self) -> World:
        return self.state.world

    @property
    def client(self) -> httpx.Client:
        """An httpx client bound to the twin (admin helpers use it; tests may too)."""
        if self._client is None:
            self._client = httpx.Client(base_url=self.base_url, timeout=30.0)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _admin(self, method: str, path: str, json: Any = None, params: Any = None) -> Any:
        response = self.client.request(method, path, json=json, params=params)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()

    # ---- clock --------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.state.now()

    def clock(self) -> dict[str, Any]:
        return self._admin("GET", "/_twin/clock")

    def advance(self, seconds: float) -> dict[str, Any]:
        return self._admin("POST", "/_twin/clock/advance", json={"seconds": seconds})

    def advance_to(self, when: datetime | str) -> dict[str, Any]:
        to = when.isoformat() if isinstance(when, datetime) else when
        return self._admin("POST", "/_twin/clock/advance", json={"to": to})

    def set_clock(self, mode: str, speed: float | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"mode": mode}
        if speed is not None:
            body["speed"] = speed
        return self._admin("POST", "/_twin/clock", json=body)

    # ---- auth -----------------------------------------------------------------------------------
    def token(self, scope: str | None = None) -> str:
        body: dict[str, Any] = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        if scope is not None:
            body["scope"] = scope
        response = self.client.post("/api/developer/oauth/token", json=body)
        response.raise_for_status()
        return response.json()["access_token"]

    def user_token(
        self, username: str | None = None, scopes: str | Iterable[str] | None = None
    ) -> str:
        """An access token acting for a broadcaster (authorization code grant, as after consent).

        ``username`` (or user id) must be a creator that authorized the app; None picks the
        first authorized creator by id. ``scopes`` default to every scope.
        """
        if username is not None:
            creator = self.world.creator(username) or self.world.creator_by_username(username)
            if creator is None or creator.id not in set(self.world.authorized_creator_ids):
                raise ValueError(f"{username!r} is not a creator that authorized the app")
        body: dict[str, Any] = {
            "grant_type": "authorization_code",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
            "code": username or "twin-consent",  # the twin reads the broadcaster from the code
            "redirect_uri": "http://127.0.0.1/oauth/callback",
            "code_verifier": secrets.token_urlsafe(32),
        }
        if scopes is not None:
            body["scope"] = scopes if isinstance(scopes, str) else " ".join(scopes)
        response = self.client.post("/api/developer/oauth/token", json=body)
        response.raise_for_status()
        return response.json()["access_token"]

    def expire_tokens(self) -> int:
        return self._admin("POST", "/_twin/tokens/expire")["expired"]

    # ---- truth and stats ---------------------------------------------------------------------
    def truth_live(self) -> dict[str, Any]:
        return self._admin("GET", "/_twin/truth/live")

    def truth_viewers(
        self, channel: str, start: str | None = None, end: str | None = None
    ) -> dict[str, Any]:
        return self._admin(
            "GET",
            "/_twin/truth/viewers",
            params=_params(channel=channel, **{"from": start, "to": end}),
        )

    def truth_events(
        self, start: str | None = None, end: str | None = None, channel: str | None = None
    ) -> dict[str, Any]:
        return self._admin(
            "GET",
            "/_twin/truth/events",
            params=_params(channel=channel, **{"from": start, "to": end}),
        )

    def truth_followers(self, channel: str) -> dict[str, Any]:
        return self._admin("GET", "/_twin/truth/followers", params={"channel": channel})

    def stats(self) -> dict[str, Any]:
        return self._admin("GET", "/_twin/stats")

    def reset_stats(self) -> dict[str, Any]:
        return self._admin("DELETE", "/_twin/stats")

    # ---- faults -------------------------------------------------------------------------------
    def set_faults(self, **settings: float) -> dict[str, Any]:
        return self._admin("POST", "/_twin/faults", json=settings)

    def clear_faults(self) -> dict[str, Any]:
        return self._admin("DELETE", "/_twin/faults")

    # ---- webhooks -------------------------------------------------------------------------------
    def flush_webhooks(self) -> dict[str, Any]:
        return self._admin("POST", "/_twin/webhooks/flush")

    def deliveries(self) -> dict[str, Any]:
        return self._admin("GET", "/_twin/webhooks/deliveries")

    def test_event(self, event_type: str, webhook_id: str | None = None) -> int:
        body: dict[str, Any] = {"type": event_type}
        if webhook_id:
            body["webhook_id"] = webhook_id
        return self._admin("POST", "/_twin/webhooks/test-event", json=body)["queued"]

    def create_webhook(
        self, url: str, events: list[str], token: str | None = None
    ) -> dict[str, Any]:
        """Register a webhook through the public API; the result includes the secret.

        With the default app token it serves every authorized creator; pass a
        :meth:`user_token` to subscribe that broadcaster's channel only.
        """
        response = self.client.post(
            f"/api/developer/apps/{self.config.client_id}/webhooks",
            json={"url": url, "events": events},
            headers={"Authorization": f"Bearer {token or self.token()}"},
        )
        response.raise_for_status()
        return response.json()


def _params(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v is not None}


def make_config(overrides: Mapping[str, Any]) -> TwinConfig:
    values = dict(overrides)
    faults = values.get("faults")
    if isinstance(faults, Mapping):
        values["faults"] = FaultConfig(**faults)
    return TwinConfig(**values)


@contextlib.contextmanager
def running_twin(
    *,
    world: World | None = None,
    host: str = "127.0.0.1",
    allow_http_webhooks: bool = False,
    **config: Any,
) -> Iterator[TwinHandle]:
    """Start the twin (uvicorn, background thread, free loopback port); stop it on exit.

    ``config`` are :class:`TwinConfig` fields (``faults`` may be a dict of FaultConfig fields);
    pass ``world=`` to reuse an already built World across tests. Like Velora, the twin refuses
    ``http://`` webhook URLs unless ``allow_http_webhooks=True`` (loopback receivers).
    """
    from pipeline.twin.server import create_app

    twin_config = make_config({**config, "allow_http_webhooks": allow_http_webhooks})
    app = create_app(twin_config, world=world)
    with contextlib.ExitStack() as stack:
        try:
            base_url = stack.enter_context(
                serving(app, host=host, name="velora-twin", graceful_shutdown_seconds=2)
            )
        except ServerStartError as exc:
            raise TwinStartError(str(exc)) from exc
        handle = TwinHandle(base_url=base_url, app=app, config=twin_config)
        stack.callback(handle.close)  # before the server stops (LIFO)
        yield handle
