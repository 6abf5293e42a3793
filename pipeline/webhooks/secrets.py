"""Webhook signing secrets: the secrets file, rotation, and signature checks.

The file is JSON ``{"secrets": [{"secret", "created_at", "expires_at" | null, "webhook_id"?}]}``
(a bare list of entries is accepted too). A secret is active while ``expires_at`` is null or in
the future, so during a rotation's grace window the old and the new secret both verify.
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


def parse_secrets(text: str, path: Path) -> list[SecretEntry]:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise SecretsFileError(f"{path}: not valid JSON ({exc.args[0]})") from None
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


def read_secrets_file(path: Path) -> list[SecretEntry]:
    if not path.exists():
        return []
    return parse_secrets(path.read_text(encoding="utf-8"), path)


def write_secrets_file(path: Path, entries: list[SecretEntry]) -> None:
    """Atomically replace the file (temp file 0600 in the same dir, fsync, rename, fsync dir)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    text = json.dumps({"secrets": [e.to_json() for e in entries]}, indent=2) + "\n"
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


def add_secret(path: Path, secret: str, *, webhook_id: str | None, now: datetime) -> None:
    entries = read_secrets_file(path)
    entries.append(SecretEntry(secret=secret, created_at=now, webhook_id=webhook_id))
    write_secrets_file(path, entries)


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


def remove_webhook_secrets(path: Path, webhook_id: str) -> int:
    entries = read_secrets_file(path)
    kept = [e for e in entries if e.webhook_id != webhook_id]
    if len(kept) != len(entries):
        write_secrets_file(path, kept)
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
                self._entries = read_secrets_file(self.path) if self.path and stamp else []
                self.last_error = None
            except (SecretsFileError, OSError) as exc:
                self.last_error = str(exc)
                return
            self._stamp = stamp
            self.reloads += 1

    def active_secrets(self, now: datetime | None = None) -> list[str]:
        if time.monotonic() - self._checked_at >= self.check_interval:
            self._reload()
        moment = now or datetime.now(UTC)
        secrets = [e.secret for e in self._entries if e.active(moment)]
        if self.env_secret:
            secrets.append(self.env_secret)
        return secrets

    def verify(self, body: bytes, signature: str, now: datetime | None = None) -> bool:
        """Constant-time check of a hex signature against every active secret."""
        text = signature.strip().removeprefix("sha256=").removeprefix("SHA256=")
        try:
            provided = bytes.fromhex(text)
        except ValueError:
            provided = b""  # still compared below, so timing doesn't reveal the format check
        matched = False
        for secret in self.active_secrets(now):
            # hmac.new, not the one-shot hmac.digest: the latter releases the GIL on every call,
            # which costs a thread switch per request while the landing threads are busy.
            expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
            # No early exit: the time taken doesn't reveal which secret matched.
            if hmac.compare_digest(expected, provided):
                matched = True
        return matched
