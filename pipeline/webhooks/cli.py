"""``velora webhooks serve|load|subscribe|list|delete|rotate-secret|silence``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.warehouse import Warehouse

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
        "--max-event-age-hours",
        type=float,
        default=None,
        help="refuse signed bodies whose own timestamp is older (default "
        "VELORA_WEBHOOK_MAX_EVENT_AGE_HOURS or 24; 0 turns it off, e.g. for a simulated clock)",
    )
    serve.add_argument(
        "--dedupe-hours",
        type=float,
        default=None,
        help="remember landed deliveries this long (default VELORA_WEBHOOK_DEDUPE_HOURS or 48)",
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

    subscribe = sub.add_parser(
        "subscribe",
        help="create a webhook, store its secret and the channel(s) it serves",
    )
    subscribe.add_argument(
        "--url",
        required=True,
        help="public HTTPS URL of the receiver's path (e.g. https://host/webhooks/velora); the "
        "webhook is then pointed at <url>/<webhook id>",
    )
    subscribe.add_argument(
        "--channel",
        action="append",
        default=None,
        metavar="USER_ID",
        help="a channel this subscription serves (repeatable). Default: the broadcaster of a "
        "user access token (VELORA_ACCESS_TOKEN), or none known for an app token",
    )
    subscribe.add_argument(
        "--keep-url",
        action="store_true",
        help="keep --url as given instead of the per-subscription path <url>/<webhook id>",
    )
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
    from pipeline.webhooks.jetstream import jetstream_config
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
    if args.fsync_workers < 1:
        raise UserFacingError("--fsync-workers must be at least 1")
    max_age = (
        settings.webhook_max_event_age_hours
        if args.max_event_age_hours is None
        else args.max_event_age_hours
    )
    dedupe = settings.webhook_dedupe_hours if args.dedupe_hours is None else args.dedupe_hours
    try:
        config = ReceiverConfig(
            landing_dir=args.landing_dir or settings.landing_dir,
            secret_file=secret_file,
            env_secret=env_secret(settings),
            max_event_age_seconds=max_age * 3600,
            dedupe_retention_seconds=dedupe * 3600,
            max_segment_bytes=args.segment_max_bytes,
            max_segment_age_seconds=args.segment_max_age,
            fsync_workers=args.fsync_workers,
            jetstream=jetstream_config(settings),
        )
    except ValueError as exc:
        raise UserFacingError(str(exc)) from None
    host = args.host or settings.webhook_host
    port = args.port or settings.webhook_port
    lands_in = (
        f"publishing to JetStream {config.jetstream.url} ({config.jetstream.stream})"
        if config.jetstream
        else f"landing in {config.landing_dir}"
    )
    print(
        f"velora webhooks: receiving on http://{host}:{port}{config.path} and "
        f"{config.path}/<webhook id>, {lands_in}",
        file=sys.stderr,
    )
    try:
        serve(config, host=host, port=port, log_level=args.log_level)
    except LandingLocked as exc:
        raise UserFacingError(str(exc)) from None
    return 0


def _load(args: argparse.Namespace) -> int:
    from pipeline.errors import UserFacingError
    from pipeline.webhooks.jetstream import jetstream_config
    from pipeline.webhooks.loader import load_sealed_segments

    settings = _settings()
    landing = args.landing_dir or settings.landing_dir
    warehouse = args.warehouse or settings.warehouse
    stream = jetstream_config(settings)
    if stream is not None and args.landing_dir is None:
        return _load_jetstream(stream, warehouse)
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


def _load_jetstream(stream: Any, warehouse: Warehouse) -> int:
    from pipeline.errors import UserFacingError
    from pipeline.webhooks.jetstream_loader import load_from_jetstream

    try:
        result = load_from_jetstream(stream, warehouse)
    except OSError as exc:  # refused / unreachable server
        raise UserFacingError(
            f"JetStream {stream.url} is unreachable: {type(exc).__name__}: {exc}"
        ) from None
    load = result.load
    print(
        f"loaded {result.batches} JetStream batches: {result.messages} messages, "
        f"{load.inserted} new events, {load.duplicates} duplicates, {load.quarantined} quarantined"
    )
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


def _served_channels(args: argparse.Namespace, settings: Any) -> tuple[str, ...] | None:
    """Which channel(s) the new subscription serves: ``--channel``, else the broadcaster a user
    token acts for (``GET /api/users/me``), else unknown. Client-credentials tokens are app-only
    (developer.velora.tv authentication), so they name no channel and are not asked."""
    from pipeline.client import VeloraApiError

    if args.channel:
        return tuple(dict.fromkeys(c.strip() for c in args.channel if c.strip()))
    if settings.client_secret or not settings.access_token:
        return None

    def me(api: Any) -> Any:
        try:
            return api.get_json("/api/users/me")
        except VeloraApiError as exc:
            if exc.status in (401, 403, 404):
                return None  # not a user token (or no user:read): no channel known
            raise

    response = _run_api(settings, me)
    doc = response.json() if response is not None else None
    user = doc.get("user", doc) if isinstance(doc, dict) else None
    user_id = user.get("id") or user.get("userId") if isinstance(user, dict) else None
    return (str(user_id),) if user_id else None


def _subscribe(args: argparse.Namespace) -> int:
    from pipeline.errors import UserFacingError
    from pipeline.webhooks.secrets import WebhookSubscription, add_secret, record_subscription

    events = _split_events(args.events)
    if not args.url.startswith(("http://", "https://")):
        raise UserFacingError(f"--url must start with http:// or https://, got {args.url!r}")
    settings = _settings()
    channels = _served_channels(args, settings)
    created = _as_dict(_run_api(settings, lambda api: api.create_webhook(args.url, events)))
    secret, hook_id = created.get("secret"), created.get("id")
    if not isinstance(secret, str) or not secret or not isinstance(hook_id, str) or not hook_id:
        raise UserFacingError(
            f"webhook {hook_id} created but the response had no id or secret; delete and retry"
        )
    url = args.url if args.keep_url else f"{args.url.rstrip('/')}/{hook_id}"
    now = datetime.now(UTC)
    # Stored before the URL moves, so a delivery on the new path always finds its secret.
    subscription = WebhookSubscription(hook_id, url, tuple(events), channels, now)
    add_secret(
        Path(settings.webhook_secret_file),
        secret,
        webhook_id=hook_id,
        now=now,
        subscription=subscription,
    )
    if url != args.url:
        try:
            _run_api(settings, lambda api: api.update_webhook(hook_id, url=url))
        except UserFacingError as exc:
            # The base path keeps working: the signing secret tells which subscription it is.
            print(
                f"warning: could not move webhook {hook_id} to {url} ({exc}); it stays on {args.url}"
            )
            url = args.url
            record_subscription(
                Path(settings.webhook_secret_file),
                dataclasses.replace(subscription, url=url),
            )
    served = ", ".join(channels) if channels else "channels named in each payload"
    print(f"created webhook {hook_id} -> {url} for {', '.join(created.get('events') or events)}")
    print(f"serves: {served}")
    print(f"secret stored in {settings.webhook_secret_file}")
    if args.show_secret:
        print(f"secret: {secret}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from pipeline.webhooks.secrets import read_subscriptions

    settings = _settings()
    hooks = [_as_dict(h) for h in _run_api(settings, lambda api: api.list_webhooks())]
    recorded = read_subscriptions(Path(settings.webhook_secret_file))
    safe = []
    for hook in hooks:
        row = {k: v for k, v in hook.items() if k != "secret"}
        local = recorded.get(str(hook.get("id")))
        # What this machine recorded when it subscribed; served_channels None: the channels
        # each payload names (an app-wide subscription).
        row["recorded_here"] = local is not None
        row["served_channels"] = list(local.channels) if local and local.channels else None
        safe.append(row)
    if args.json:
        print(json.dumps(safe, indent=2, default=str))
        return 0
    if not safe:
        print("no webhooks")
    for h in safe:
        served = h["served_channels"]
        serves = ",".join(served) if served else "payload-named"
        if not h["recorded_here"]:
            serves = "not subscribed from here"
        print(
            f"{h.get('id')}  {h.get('status', '?'):8}  {h.get('url')}  "
            f"{','.join(h.get('events') or [])}  serves={serves}"
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
    from pipeline.webhooks.silence import capture_started_at, covered_by, find_silent_channels

    settings = _settings()
    minutes = args.minutes or settings.webhook_silence_minutes
    if minutes <= 0:
        raise UserFacingError("--minutes must be positive")
    warehouse = args.warehouse or settings.warehouse
    import duckdb

    from pipeline.warehouse import WarehouseError, connect

    try:
        conn = connect(warehouse, read_only=True)
    except WarehouseError as exc:  # missing file, unreachable lake: says which
        raise UserFacingError(str(exc)) from None
    try:
        secrets_file = Path(settings.webhook_secret_file)
        since = capture_started_at(secrets_file)
        silent = find_silent_channels(
            conn, minutes, capture_since=since, covered_channels=covered_by(secrets_file)
        )
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
