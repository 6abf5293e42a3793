"""Velora webhook management calls (create / list / delete / rotate-secret).

Uses ``pipeline.client.VeloraClient`` when it offers ``create_webhook`` & co.; until then (and
as a fallback) a minimal httpx implementation of the documented endpoints:
``POST/GET /api/developer/apps/:clientId/webhooks``, ``DELETE .../webhooks/:id`` and
``POST .../webhooks/:id/rotate-secret``, authenticated with client credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class WebhookApiError(RuntimeError):
    """A management call failed; the message has the endpoint, status and Velora's error."""


@dataclass(frozen=True)
class ApiCredentials:
    base_url: str
    client_id: str
    client_secret: str
    access_token: str | None = None


def _error_text(response: httpx.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(doc, dict):
        return f"{doc.get('error', '?')}: {doc.get('message', '')}".strip()
    return str(doc)[:200]


class HttpxWebhookApi:
    def __init__(self, creds: ApiCredentials, *, timeout: float = 10.0) -> None:
        self.creds = creds
        self._http = httpx.Client(base_url=creds.base_url.rstrip("/"), timeout=timeout)
        self._token = creds.access_token

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpxWebhookApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _token_value(self) -> str:
        if self._token:
            return self._token
        response = self._http.post(
            "/api/developer/oauth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": self.creds.client_id,
                "client_secret": self.creds.client_secret,
            },
        )
        if response.status_code != 200:
            raise WebhookApiError(
                f"token request failed ({response.status_code} {_error_text(response)})"
            )
        token = response.json().get("access_token")
        if not isinstance(token, str):
            raise WebhookApiError("token response has no access_token")
        self._token = token
        return token

    def _call(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        try:
            response = self._http.request(
                method, path, json=json, headers={"Authorization": f"Bearer {self._token_value()}"}
            )
        except httpx.HTTPError as exc:
            raise WebhookApiError(
                f"{method} {path}: cannot reach {self.creds.base_url}: {exc}"
            ) from None
        if response.status_code >= 400:
            raise WebhookApiError(
                f"{method} {path} -> {response.status_code} {_error_text(response)}"
            )
        if response.status_code == 204 or not response.content:
            return {}
        return response.json()

    @property
    def _base(self) -> str:
        return f"/api/developer/apps/{self.creds.client_id}/webhooks"

    def create_webhook(self, url: str, events: list[str]) -> dict[str, Any]:
        return self._call("POST", self._base, {"url": url, "events": events})

    def list_webhooks(self) -> list[dict[str, Any]]:
        doc = self._call("GET", self._base)
        items = (
            doc.get("webhooks", doc.get("items", doc.get("data", [])))
            if isinstance(doc, dict)
            else doc
        )
        return list(items or [])

    def delete_webhook(self, webhook_id: str) -> None:
        self._call("DELETE", f"{self._base}/{webhook_id}")

    def rotate_webhook_secret(self, webhook_id: str) -> dict[str, Any]:
        return self._call("POST", f"{self._base}/{webhook_id}/rotate-secret")


def webhook_api(creds: ApiCredentials) -> Any:
    """The project client when it can manage webhooks, else :class:`HttpxWebhookApi`."""
    try:
        from pipeline.client import ClientConfig, VeloraClient  # type: ignore[attr-defined]
    except ImportError:
        return HttpxWebhookApi(creds)
    if not all(
        hasattr(VeloraClient, name)
        for name in ("create_webhook", "list_webhooks", "delete_webhook", "rotate_webhook_secret")
    ):
        return HttpxWebhookApi(creds)
    return VeloraClient(
        ClientConfig(
            base_url=creds.base_url,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            access_token=creds.access_token,
        )
    )
