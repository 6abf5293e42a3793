"""``velora webhooks serve|load|subscribe|list|delete|rotate-secret|silence``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_EVENTS = (
    "channel.follow",
    "channel.subscribe",
    "channel.subscription.gift",
    "channel.subscription.end",
    "channel.volts",
    "channel.points.redeem",
    "channel.raid",
    "stream.online",
    "stream.offline",
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("webhooks", help="receive, load and manage Velora webhooks")
    sub = parser.add_subparsers(dest="webhooks_command", metavar="ACTION", required=True)

    serve = sub.add_parser("serve", help="run the webhook receiver (uvicorn)")
    serve.add_argument(
        "--host", default=None, help="bind address (default VELORA_WEBHOOK_HOST or 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, default=None, help="port (default VELORA_WEBHOOK_PORT or 8788)"
    )
    serve.add_argument("--landing-dir", type=Path, default=None, help="default <data>/landing")
    serve.add_argument(
        "--tolerance-seconds",
        type=int,
        default=None,
        help="X-Velora-Timestamp window (default 600)",
    )
    serve.add_argument("--segment-max-bytes", type=int, default=64 * 1024 * 1024)
    serve.add_argument(
        "--segment-max-age", type=float, default=30.0, help="seconds before a segment is sealed"
    )
    serve.add_argument(
        "--fsync-workers",
        type=int,
        default=1,
        help="overlapping fsync threads (default 1: the writer syncs inline)",
    )
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=_serve)

    load = sub.add_parser("load", help="load sealed landing segments into the warehouse")
    load.add_argument("--landing-dir", type=Path, default=None)
    load.add_argument("--warehouse", type=Path, default=None)
    load.set_defaults(func=_load)

    subscribe = sub.add_parser("subscribe", help="create a webhook and store its secret")
    subscribe.add_argument("--url", required=True, help="public URL of the receiver")
    subscribe.add_argument(
        "--events",
        nargs="+",
        default=list(DEFAULT_EVENTS),
        help="event types (space or comma separated)",
    )
    subscribe.add_argument("--show-secret", action="store_true", help="also print the secret")
    subscribe.set_defaults(func=_subscribe)

    lister = sub.add_parser("list", help="list webhooks (never shows secrets)")
    lister.add_argument("--json", action="store_true")
    lister.set_defaults(func=_list)

    delete = sub.add_parser("delete", help="delete a webhook and forget its secrets")
    delete.add_argument("webhook_id")
    delete.set_defaults(func=_delete)

    rotate = sub.add_parser(
        "rotate-secret",
        help="rotate a webhook secret; the old one stays valid for the grace window",
    )
    rotate.add_argument("webhook_id")
    rotate.add_argument(
        "--grace-hours",
        type=float,
        default=24.0,
        help="how long the old secret stays valid (default 24)",
    )
    rotate.add_argument("--show-secret", action="store_true")
    rotate.set_defaults(func=_rotate)

    silence = sub.add_parser("silence", help="tracked live channels without recent webhooks")
    silence.add_argument(
        "--minutes", type=int, default=None, help="default VELORA_WEBHOOK_SILENCE_MINUTES (30)"
    )
    silence.add_argument("--warehouse", type=Path, default=None)
    silence.set_defaults(func=_silence)


def _settings() -> Any:
    from pipeline.config import Settings

    return Settings.from_env()


def env_secret(settings: Any) -> str | None:
    return settings.webhook_secret


def _serve(args: argparse.Namespace) -> int:
    from pipeline.errors import UserFacingError
    from pipeline.webhooks.landing import LandingLocked
    from pipeline.webhooks.receiver import ReceiverConfig
    from pipeline.webhooks.secrets import SecretsFileError, read_secrets_file
    from pipeline.webhooks.server import serve

    settings = _settings()
    secret_file = Path(settings.webhook_secret_file)
    try:
        has_file_secret = bool(read_secrets_file(secret_file))
    except SecretsFileError as exc:
        raise UserFacingError(str(exc)) from None
    if not has_file_secret and not env_secret(settings):
        raise UserFacingError(
            f"no webhook secret: run `velora webhooks subscribe` (writes {secret_file}) "
            "or set VELORA_WEBHOOK_SECRET"
        )
    config = ReceiverConfig(
        landing_dir=args.landing_dir or settings.landing_dir,
        secret_file=secret_file,
        env_secret=env_secret(settings),
        tolerance_seconds=args.tolerance_seconds or settings.webhook_tolerance_seconds,
        max_segment_bytes=args.segment_max_bytes,
        max_segment_age_seconds=args.segment_max_age,
        fsync_workers=args.fsync_workers,
    )
    if args.fsync_workers < 1:
        raise UserFacingError("--fsync-workers must be at least 1")
    if args.tolerance_seconds is not None and args.tolerance_seconds <= 0:
        raise UserFacingError("--tolerance-seconds must be positive")
    host = args.host or settings.webhook_host
    port = args.port or settings.webhook_port
    print(
        f"velora webhooks: receiving on http://{host}:{port}/webhooks/velora, landing in {config.landing_dir}",
        file=sys.stderr,
    )
    try:
        serve(config, host=host, port=port, log_level=args.log_level)
    except LandingLocked as exc:
        raise UserFacingError(str(exc)) from None
    return 0


def _load(args: argparse.Namespace) -> int:
    from pipeline.errors import UserFacingError
    from pipeline.webhooks.loader import load_sealed_segments

    settings = _settings()
    landing = args.landing_dir or settings.landing_dir
    warehouse = args.warehouse or settings.warehouse_path
    if not Path(landing).is_dir():
        raise UserFacingError(f"landing directory {landing} does not exist (has the receiver run?)")
    try:
        result = load_sealed_segments(landing, warehouse)
    except Exception as exc:  # warehouse lock / migration errors carry their own explanation
        if type(exc).__module__.startswith(("pipeline.warehouse", "duckdb")):
            raise UserFacingError(str(exc)) from None
        raise
    print(
        f"loaded {result.segments} segments: {result.records} records, {result.inserted} new events, "
        f"{result.duplicates} duplicates, {result.test_events} test events, {result.quarantined} quarantined"
    )
    for line in result.errors[:20]:
        print(f"  quarantined: {line}", file=sys.stderr)
    return 0


def _run_api(settings: Any, call: Any) -> Any:
    """Run one management call with the project client; its typed errors become one-line errors."""
    from pipeline.client import ClientConfig, VeloraApiError, VeloraClient
    from pipeline.errors import UserFacingError

    if not settings.client_id and not settings.access_token:
        raise UserFacingError(
            "managing webhooks needs an app: set VELORA_CLIENT_ID and VELORA_CLIENT_SECRET "
            "(or VELORA_ACCESS_TOKEN)"
        )
    try:
        with VeloraClient(ClientConfig.from_settings(settings)) as client:
            return call(client)
    except (VeloraApiError, ValueError) as exc:
        raise UserFacingError(str(exc)) from None


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return dict(vars(obj))


def _split_events(values: list[str]) -> list[str]:
    return [e.strip() for v in values for e in v.split(",") if e.strip()]


def _subscribe(args: argparse.Namespace) -> int:
    from pipeline.errors import UserFacingError
    from pipeline.webhooks.secrets import add_secret

    events = _split_events(args.events)
    if not args.url.startswith(("http://", "https://")):
        raise UserFacingError(f"--url must start with http:// or https://, got {args.url!r}")
    settings = _settings()
    created = _as_dict(_run_api(settings, lambda api: api.create_webhook(args.url, events)))
    secret = created.get("secret")
    if not isinstance(secret, str) or not secret:
        raise UserFacingError(
            f"webhook {created.get('id')} created but the response had no secret; rotate it"
        )
    add_secret(
        Path(settings.webhook_secret_file),
        secret,
        webhook_id=created.get("id"),
        now=datetime.now(UTC),
    )
    print(
        f"created webhook {created.get('id')} -> {created.get('url')} for {', '.join(created.get('events') or events)}"
    )
    print(f"secret stored in {settings.webhook_secret_file}")
    if args.show_secret:
        print(f"secret: {secret}")
    return 0


def _list(args: argparse.Namespace) -> int:
    hooks = [_as_dict(h) for h in _run_api(_settings(), lambda api: api.list_webhooks())]
    safe = [{k: v for k, v in h.items() if k != "secret"} for h in hooks]
    if args.json:
        print(json.dumps(safe, indent=2, default=str))
        return 0
    if not safe:
        print("no webhooks")
    for h in safe:
        print(
            f"{h.get('id')}  {h.get('status', '?'):8}  {h.get('url')}  {','.join(h.get('events') or [])}"
        )
    return 0


def _delete(args: argparse.Namespace) -> int:
    from pipeline.webhooks.secrets import remove_webhook_secrets

    settings = _settings()
    _run_api(settings, lambda api: api.delete_webhook(args.webhook_id))
    removed = remove_webhook_secrets(Path(settings.webhook_secret_file), args.webhook_id)
    print(f"deleted webhook {args.webhook_id} ({removed} stored secrets removed)")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from pipeline.errors import UserFacingError
    from pipeline.webhooks.secrets import rotate_secret

    if args.grace_hours < 0:
        raise UserFacingError("--grace-hours must not be negative")
    settings = _settings()
    doc = _as_dict(_run_api(settings, lambda api: api.rotate_webhook_secret(args.webhook_id)))
    secret = doc.get("secret")
    if not isinstance(secret, str) or not secret:
        raise UserFacingError(f"rotate-secret for {args.webhook_id} returned no secret")
    now = datetime.now(UTC)
    grace = timedelta(hours=args.grace_hours)
    expired = rotate_secret(
        Path(settings.webhook_secret_file), secret, webhook_id=args.webhook_id, grace=grace, now=now
    )
    print(
        f"rotated secret of {args.webhook_id}; {expired} old secret(s) valid until {(now + grace).isoformat(timespec='seconds')}"
    )
    if args.show_secret:
        print(f"secret: {secret}")
    return 0


def _silence(args: argparse.Namespace) -> int:
    from pipeline.errors import UserFacingError
    from pipeline.webhooks.silence import capture_started_at, find_silent_channels

    settings = _settings()
    minutes = args.minutes or settings.webhook_silence_minutes
    if minutes <= 0:
        raise UserFacingError("--minutes must be positive")
    warehouse = args.warehouse or settings.warehouse_path
    if not Path(warehouse).exists():
        raise UserFacingError(f"warehouse {warehouse} does not exist")
    import duckdb

    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        since = capture_started_at(Path(settings.webhook_secret_file))
        silent = find_silent_channels(conn, minutes, capture_since=since)
    except duckdb.CatalogException as exc:
        raise UserFacingError(f"warehouse is missing tables for the silence check: {exc}") from None
    finally:
        conn.close()
    if not silent:
        print(f"no live tracked channel has been silent for {minutes} minutes")
    for ch in silent:
        last = ch.last_event_at.isoformat(timespec="seconds") if ch.last_event_at else "never"
        print(
            f"{ch.channel_id} {ch.username or ''}: live ({ch.viewer_count} viewers), last webhook {last}"
        )
    return 1 if silent else 0


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.webhooks.cli ACTION ...``: the same commands without loading the
    other areas' CLIs (faster start for tests and process supervisors)."""
    from pipeline.config import ConfigError
    from pipeline.errors import UserFacingError

    parser = argparse.ArgumentParser(prog="velora")
    subparsers = parser.add_subparsers(dest="command", required=True)
    register(subparsers)
    args = parser.parse_args(["webhooks", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args) or 0)
    except (UserFacingError, ConfigError) as exc:
        print(f"velora webhooks: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
