"""Webhook signing secrets and the subscriptions they belong to: the secrets file, rotation,
and signature checks.

The file is JSON ``{"secrets": [{"secret", "created_at", "expires_at" | null, "webhook_id"?}],
"webhooks": [{"id", "url", "events", "channels": [...] | null, "created_at"}]}`` (a bare list of
secrets is accepted too; ``webhooks`` may be absent). A secret is active while ``expires_at`` is
null or in the future, so during a rotation's grace window the old and the new secret both
verify. ``channels`` records, when the subscription was created, which channel(s) it serves:
deliveries whose payload names no channel take it from there (null: unknown, e.g. an app-wide
subscription that serves every channel that authorized the app).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path


class SecretsFileError(ValueError):
    """The secrets file exists but cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class SecretEntry:
    secret: str
    created_at: datetime
    expires_at: datetime | None = None
    webhook_id: str | None = None

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now

    def to_json(self) -> dict[str, str | None]:
        return {
            "secret": self.secret,
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.expires_at) if self.expires_at else None,
            "webhook_id": self.webhook_id,
        }


@dataclass(frozen=True)
class WebhookSubscription:
    id: str
    url: str
    events: tuple[str, ...]
    channels: tuple[str, ...] | None  # None: not known (app-wide: every authorizing channel)
    created_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "channels": None if self.channels is None else list(self.channels),
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True)
class SignatureMatch:
    """Which subscription a verified delivery came on (None when the secret names none)."""

    webhook_id: str | None
    channels: tuple[str, ...] | None


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: object, field: str, path: Path) -> datetime:
    if not isinstance(value, str):
        raise SecretsFileError(f"{path}: {field} must be an ISO 8601 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SecretsFileError(f"{path}: {field} is not an ISO 8601 time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _load(text: str, path: Path) -> object:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SecretsFileError(f"{path}: not valid JSON ({exc.args[0]})") from None


def parse_secrets(text: str, path: Path) -> list[SecretEntry]:
    doc = _load(text, path)
    entries = doc.get("secrets") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise SecretsFileError(f"{path}: expected a list of secrets or {{'secrets': [...]}}")
    result = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("secret"), str):
            raise SecretsFileError(f"{path}: entry {i} needs a string 'secret'")
        if not entry["secret"]:
            raise SecretsFileError(f"{path}: entry {i} has an empty secret")
        expires = entry.get("expires_at")
        result.append(
            SecretEntry(
                secret=entry["secret"],
                created_at=_parse_time(entry.get("created_at"), f"entry {i} created_at", path),
                expires_at=None
                if expires is None
                else _parse_time(expires, f"entry {i} expires_at", path),
                webhook_id=entry.get("webhook_id")
                if isinstance(entry.get("webhook_id"), str)
                else None,
            )
        )
    return result


def _str_list(value: object, what: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SecretsFileError(f"{path}: {what} must be a list of non-empty strings")
    return tuple(value)


def parse_subscriptions(text: str, path: Path) -> dict[str, WebhookSubscription]:
    doc = _load(text, path)
    hooks = doc.get("webhooks", []) if isinstance(doc, dict) else []
    if not isinstance(hooks, list):
        raise SecretsFileError(f"{path}: 'webhooks' must be a list")
    result: dict[str, WebhookSubscription] = {}
    for i, hook in enumerate(hooks):
        if not isinstance(hook, dict) or not isinstance(hook.get("id"), str) or not hook["id"]:
            raise SecretsFileError(f"{path}: webhook {i} needs a string 'id'")
        channels = hook.get("channels")
        result[hook["id"]] = WebhookSubscription(
            id=hook["id"],
            url=str(hook.get("url") or ""),
            events=_str_list(hook.get("events", []), f"webhook {i} events", path),
            channels=None
            if channels is None
            else _str_list(channels, f"webhook {i} channels", path),
            created_at=_parse_time(hook.get("created_at"), f"webhook {i} created_at", path),
        )
    return result


def read_secrets_file(path: Path) -> list[SecretEntry]:
    if not path.exists():
        return []
    return parse_secrets(path.read_text(encoding="utf-8"), path)


def read_subscriptions(path: Path) -> dict[str, WebhookSubscription]:
    """The subscriptions recorded by ``velora webhooks subscribe``, by webhook id."""
    if not path.exists():
        return {}
    return parse_subscriptions(path.read_text(encoding="utf-8"), path)


def write_secrets_file(
    path: Path,
    entries: list[SecretEntry],
    subscriptions: dict[str, WebhookSubscription] | None = None,
) -> None:
    """Atomically replace the file (temp file 0600 in the same dir, fsync, rename, fsync dir).

    ``subscriptions=None`` keeps the ones already in the file.
    """
    if subscriptions is None:
        subscriptions = read_subscriptions(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    doc = {
        "secrets": [e.to_json() for e in entries],
        "webhooks": [h.to_json() for h in subscriptions.values()],
    }
    text = json.dumps(doc, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".secrets-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def add_secret(
    path: Path,
    secret: str,
    *,
    webhook_id: str | None,
    now: datetime,
    subscription: WebhookSubscription | None = None,
) -> None:
    """Store a new secret (and, when given, the subscription it belongs to)."""
    entries = read_secrets_file(path)
    entries.append(SecretEntry(secret=secret, created_at=now, webhook_id=webhook_id))
    subscriptions = read_subscriptions(path)
    if subscription is not None:
        subscriptions[subscription.id] = subscription
    write_secrets_file(path, entries, subscriptions)


def rotate_secret(
    path: Path, new_secret: str, *, webhook_id: str | None, grace: timedelta, now: datetime
) -> int:
    """Add ``new_secret``; older secrets (of that webhook, or all if unknown) expire after grace.

    Returns how many older secrets were given an expiry.
    """
    entries = read_secrets_file(path)
    expires = now + grace
    changed = 0
    updated = []
    for e in entries:
        same_hook = webhook_id is None or e.webhook_id in (None, webhook_id)
        if same_hook and e.active(now) and (e.expires_at is None or e.expires_at > expires):
            e = SecretEntry(e.secret, e.created_at, expires, e.webhook_id)
            changed += 1
        updated.append(e)
    updated.append(SecretEntry(secret=new_secret, created_at=now, webhook_id=webhook_id))
    write_secrets_file(path, updated)
    return changed


def record_subscription(path: Path, subscription: WebhookSubscription) -> None:
    """Add or replace one subscription record, keeping every secret."""
    subscriptions = read_subscriptions(path)
    subscriptions[subscription.id] = subscription
    write_secrets_file(path, read_secrets_file(path), subscriptions)


def remove_webhook_secrets(path: Path, webhook_id: str) -> int:
    """Forget a deleted webhook: its secrets and its subscription record."""
    entries = read_secrets_file(path)
    subscriptions = read_subscriptions(path)
    kept = [e for e in entries if e.webhook_id != webhook_id]
    forgotten = subscriptions.pop(webhook_id, None)
    if len(kept) != len(entries) or forgotten is not None:
        write_secrets_file(path, kept, subscriptions)
    return len(entries) - len(kept)


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class SecretStore:
    """Active secrets, re-read when the file's (mtime, size, inode) changes.

    The file is stat-ed at most every ``check_interval`` seconds so the hot path stays cheap; a
    file that becomes unreadable keeps the last good secrets (and records the error) rather
    than locking every sender out.
    """

    def __init__(
        self,
        path: Path | None,
        env_secret: str | None = None,
        *,
        check_interval: float = 0.5,
    ) -> None:
        self.path = path
        self.env_secret = env_secret or None
        self.check_interval = check_interval
        self._entries: list[SecretEntry] = []
        self._subscriptions: dict[str, WebhookSubscription] = {}
        self._stamp: tuple[int, int, int] | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self.reloads = 0
        self._reload(force=True)

    def _stat(self) -> tuple[int, int, int] | None:
        if self.path is None:
            return None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _reload(self, force: bool = False) -> None:
        with self._lock:
            self._checked_at = time.monotonic()
            stamp = self._stat()
            if not force and stamp == self._stamp:
                return
            try:
                if self.path and stamp:
                    text = self.path.read_text(encoding="utf-8")
                    entries = parse_secrets(text, self.path)
                    subscriptions = parse_subscriptions(text, self.path)
                else:
                    entries, subscriptions = [], {}
                self._entries, self._subscriptions = entries, subscriptions
                self.last_error = None
            except (SecretsFileError, OSError) as exc:
                self.last_error = str(exc)
                return
            self._stamp = stamp
            self.reloads += 1

    def active_secrets(self, now: datetime | None = None) -> list[str]:
        return [secret for secret, _ in self._candidates(now, None)]

    def _candidates(
        self, now: datetime | None, webhook_id: str | None
    ) -> list[tuple[str, str | None]]:
        """(secret, webhook id) pairs that may sign a delivery: on a subscription's own path,
        only that webhook's secrets and those that name no webhook."""
        if time.monotonic() - self._checked_at >= self.check_interval:
            self._reload()
        moment = now or datetime.now(UTC)
        pairs = [
            (e.secret, e.webhook_id)
            for e in self._entries
            if e.active(moment) and (webhook_id is None or e.webhook_id in (None, webhook_id))
        ]
        if self.env_secret:
            pairs.append((self.env_secret, None))
        return pairs

    def knows_webhook(self, webhook_id: str) -> bool:
        return webhook_id in self._subscriptions or any(
            e.webhook_id == webhook_id for e in self._entries
        )

    def channels_of(self, webhook_id: str | None) -> tuple[str, ...] | None:
        subscription = self._subscriptions.get(webhook_id) if webhook_id else None
        return subscription.channels if subscription else None

    def match(
        self,
        body: bytes,
        signature: str,
        now: datetime | None = None,
        *,
        webhook_id: str | None = None,
    ) -> SignatureMatch | None:
        """Constant-time check of a hex signature against every candidate secret; the
        subscription it came on (``webhook_id`` from the path, else the matching secret's)."""
        text = signature.strip().removeprefix("sha256=").removeprefix("SHA256=")
        try:
            provided = bytes.fromhex(text)
        except ValueError:
            provided = b""  # still compared below, so timing doesn't reveal the format check
        matched: tuple[str | None] | None = None
        for secret, owner in self._candidates(now, webhook_id):
            # hmac.new, not the one-shot hmac.digest: the latter releases the GIL on every call,
            # which costs a thread switch per request while the landing threads are busy.
            expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
            # No early exit: the time taken doesn't reveal which secret matched.
            if hmac.compare_digest(expected, provided) and matched is None:
                matched = (owner,)
        if matched is None:
            return None
        hook = webhook_id or matched[0]
        return SignatureMatch(hook, self.channels_of(hook))

    def verify(self, body: bytes, signature: str, now: datetime | None = None) -> bool:
        return self.match(body, signature, now) is not None
