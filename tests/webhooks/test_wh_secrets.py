"""Signatures, the secrets file, rotation with a grace window, reload on change."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from wh_helpers import follow_body, landed_keys, running_receiver

from pipeline.webhooks.receiver import ReceiverConfig
from pipeline.webhooks.secrets import (
    SecretEntry,
    SecretsFileError,
    SecretStore,
    add_secret,
    read_secrets_file,
    remove_webhook_secrets,
    rotate_secret,
    sign,
    write_secrets_file,
)

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
BODY = b'{"id":"evt_1","type":"channel.follow","data":{}}'


def test_sign_is_hex_hmac_sha256_of_raw_body() -> None:
    import hashlib
    import hmac

    assert sign(BODY, "k") == hmac.new(b"k", BODY, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("signature", "ok"),
    [
        pytest.param(sign(BODY, "k"), True, id="exact-hex"),
        pytest.param(sign(BODY, "k").upper(), True, id="uppercase-hex"),
        pytest.param("sha256=" + sign(BODY, "k"), True, id="sha256-prefix"),
        pytest.param(sign(BODY + b" ", "k"), False, id="body-changed-by-one-byte"),
        pytest.param("zz", False, id="garbage"),
        pytest.param("é", False, id="non-ascii"),
    ],
)
def test_verify_signature_variants(signature: str, ok: bool) -> None:
    assert SecretStore(None, "k").verify(BODY, signature) is ok


def test_secrets_file_is_0600_and_atomic(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "webhook_secrets.json"
    add_secret(path, "s1", webhook_id="wh_1", now=NOW)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [e.secret for e in read_secrets_file(path)] == ["s1"]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".secrets-")]


def test_rotation_keeps_old_secret_for_the_grace_window(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    add_secret(path, "old", webhook_id="wh_1", now=NOW)
    add_secret(path, "other-hook", webhook_id="wh_2", now=NOW)
    assert rotate_secret(path, "new", webhook_id="wh_1", grace=timedelta(hours=24), now=NOW) == 1
    store = SecretStore(path)
    during = NOW + timedelta(hours=23)
    after = NOW + timedelta(hours=25)
    assert store.verify(BODY, sign(BODY, "old"), now=during)
    assert store.verify(BODY, sign(BODY, "new"), now=during)
    assert not store.verify(BODY, sign(BODY, "old"), now=after)
    assert store.verify(BODY, sign(BODY, "new"), now=after)
    assert store.verify(BODY, sign(BODY, "other-hook"), now=after)  # other webhook untouched


def test_delete_forgets_only_that_webhooks_secrets(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    add_secret(path, "a", webhook_id="wh_1", now=NOW)
    add_secret(path, "b", webhook_id="wh_2", now=NOW)
    assert remove_webhook_secrets(path, "wh_1") == 1
    assert [e.secret for e in read_secrets_file(path)] == ["b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("{nope", "not valid JSON", id="not-json"),
        pytest.param('{"secrets": {"a": 1}}', "expected a list", id="secrets-not-list"),
        pytest.param(
            '[{"created_at": "2026-01-01T00:00:00Z"}]', "string 'secret'", id="entry-without-secret"
        ),
        pytest.param('[{"secret": "x", "created_at": "tuesday"}]', "ISO 8601", id="bad-created-at"),
        pytest.param(
            '[{"secret": "", "created_at": "2026-01-01T00:00:00Z"}]',
            "empty secret",
            id="empty-secret",
        ),
    ],
)
def test_bad_secrets_file_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(SecretsFileError, match=message):
        read_secrets_file(path)


def test_bare_list_format_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps([{"secret": "x", "created_at": "2026-01-01T00:00:00Z", "expires_at": None}])
    )
    assert SecretStore(path).verify(BODY, sign(BODY, "x"))


def test_store_reloads_changed_file_and_keeps_last_good_on_corruption(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    add_secret(path, "one", webhook_id=None, now=NOW)
    store = SecretStore(path, check_interval=0)
    assert store.verify(BODY, sign(BODY, "one"))
    add_secret(path, "two", webhook_id=None, now=NOW)
    assert store.verify(BODY, sign(BODY, "two"))
    path.write_text("{broken")
    assert store.verify(BODY, sign(BODY, "two")) and store.last_error is not None


def test_receiver_rotation_end_to_end(tmp_path: Path) -> None:
    """Both secrets verify during the grace window; once it has passed the old one is refused."""
    secrets = tmp_path / "secrets.json"
    add_secret(secrets, "old-secret", webhook_id="wh_1", now=datetime.now(UTC))
    config = ReceiverConfig(
        landing_dir=tmp_path / "landing", secret_file=secrets, secrets_check_interval=0
    )
    with running_receiver(config) as rx:
        assert rx.post(follow_body(1), "old-secret").status_code == 200
        rotate_secret(
            secrets,
            "new-secret",
            webhook_id="wh_1",
            grace=timedelta(hours=24),
            now=datetime.now(UTC),
        )
        assert rx.post(follow_body(2), "old-secret").status_code == 200
        assert rx.post(follow_body(3), "new-secret").status_code == 200
        # The grace window ends: rewrite the entry as expired (what time passing would do).
        entries = [
            SecretEntry(
                e.secret, e.created_at, datetime.now(UTC) - timedelta(seconds=1), e.webhook_id
            )
            if e.secret == "old-secret"
            else e
            for e in read_secrets_file(secrets)
        ]
        write_secrets_file(secrets, entries)
        time.sleep(0.01)
        rejected = rx.post(follow_body(4), "old-secret")
        assert rejected.status_code == 401 and rejected.json() == {"error": "bad_signature"}
        assert rx.post(follow_body(5), "new-secret").status_code == 200
    assert sorted(landed_keys(tmp_path / "landing")) == [
        "evt_follow_1",
        "evt_follow_2",
        "evt_follow_3",
        "evt_follow_5",
    ]
