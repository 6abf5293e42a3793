"""`velora webhooks subscribe|list|rotate-secret|delete|load` against a running twin."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.webhooks.cli import main
from pipeline.webhooks.secrets import read_secrets_file, read_subscriptions

twin_launcher = pytest.importorskip("pipeline.twin.launcher")


@pytest.fixture(scope="module")
def twin() -> Iterator[object]:
    with twin_launcher.running_twin(
        clock="frozen", creators=50, allow_http_webhooks=True
    ) as handle:
        yield handle


@pytest.fixture
def env(twin: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VELORA_API_BASE_URL", twin.base_url)  # type: ignore[attr-defined]
    monkeypatch.setenv("VELORA_CLIENT_ID", "twin-client")
    monkeypatch.setenv("VELORA_CLIENT_SECRET", "twin-secret")
    monkeypatch.setenv("VELORA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VELORA_WEBHOOK_SECRET_FILE", raising=False)
    monkeypatch.delenv("VELORA_WEBHOOK_SECRET", raising=False)
    return tmp_path / "secrets" / "webhook_secrets.json"


def test_subscribe_list_rotate_delete(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "subscribe",
                "--url",
                "http://127.0.0.1:9/webhooks/velora",
                "--events",
                "channel.follow,channel.gift",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    entries = read_secrets_file(env)
    assert len(entries) == 1 and entries[0].secret not in out  # never printed by default
    assert stat.S_IMODE(os.stat(env).st_mode) == 0o600
    hook_id = entries[0].webhook_id
    assert hook_id and hook_id in out

    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [h["id"] for h in listed] == [hook_id] and all("secret" not in h for h in listed)

    assert main(["rotate-secret", hook_id, "--grace-hours", "2", "--show-secret"]) == 0
    out = capsys.readouterr().out
    entries = read_secrets_file(env)
    old, new = entries
    assert old.expires_at is not None and new.expires_at is None
    assert f"secret: {new.secret}" in out and old.secret not in out

    assert main(["delete", hook_id]) == 0
    assert read_secrets_file(env) == []
    assert main(["list"]) == 0
    assert "no webhooks" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "expected_path", "expected_channels"),
    [
        pytest.param([], "/webhooks/velora/{id}", None, id="app-token-own-path-channel-unknown"),
        pytest.param(
            ["--channel", "alice", "--channel", "bob", "--channel", "alice"],
            "/webhooks/velora/{id}",
            ("alice", "bob"),
            id="named-channels-deduplicated",
        ),
        pytest.param(["--keep-url"], "/webhooks/velora", None, id="keep-url-shared-path"),
    ],
)
def test_subscribe_moves_the_webhook_to_its_own_path_and_records_its_channels(
    env: Path,
    twin: object,
    extra: list[str],
    expected_path: str,
    expected_channels: tuple[str, ...] | None,
) -> None:
    url = "http://127.0.0.1:9/webhooks/velora"
    assert main(["subscribe", "--url", url, "--events", "channel.follow", *extra]) == 0
    (hook_id, subscription), *_ = read_subscriptions(env).items()
    wanted = "http://127.0.0.1:9" + expected_path.format(id=hook_id)
    assert subscription.url == wanted and subscription.channels == expected_channels
    # Velora itself delivers to the recorded URL: the twin's copy of the webhook agrees.
    remote = {hook.id: hook.url for hook in twin.state.webhooks.all()}  # type: ignore[attr-defined]
    assert remote[hook_id] == wanted
    assert main(["delete", hook_id]) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["subscribe", "--url", "ftp://x", "--events", "channel.follow"],
            "--url must start",
            id="bad-url-scheme",
        ),
        pytest.param(["delete", "wh_does_not_exist"], "404", id="unknown-webhook"),
        pytest.param(
            ["rotate-secret", "wh_nope", "--grace-hours", "-1"],
            "must not be negative",
            id="negative-grace",
        ),
    ],
)
def test_bad_input_is_a_clear_error(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_wrong_credentials_are_a_clear_error(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VELORA_CLIENT_SECRET", "wrong")
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert "401" in err and "Traceback" not in err


def test_load_without_landing_dir_is_a_clear_error(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_serve_without_any_secret_refuses_to_start(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve"]) == 2
    assert "no webhook secret" in capsys.readouterr().err
