"""``velora twin serve``: run the Velora twin over HTTP (uvicorn)."""

from __future__ import annotations

import argparse
import socket
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.twin.server.config import TwinConfig

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787


def _iso(text: str) -> datetime:
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    twin = subparsers.add_parser("twin", help="the local Velora twin (simulated API + webhooks)")
    twin_sub = twin.add_subparsers(dest="twin_command", metavar="SUBCOMMAND")
    twin.set_defaults(func=lambda args: (twin.print_help(), 2)[1])

    serve = twin_sub.add_parser("serve", help="serve the twin over HTTP")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--seed", type=int, default=42)
    serve.add_argument("--creators", type=int, default=2000)
    serve.add_argument("--clock", choices=("real", "accelerated", "frozen"), default="real")
    serve.add_argument(
        "--speed",
        type=float,
        default=60.0,
        help="twin seconds per wall second for --clock accelerated (default 60)",
    )
    serve.add_argument(
        "--start",
        type=_iso,
        default=None,
        help="twin start time, ISO 8601 (default: now; frozen: 2026-01-15T20:00Z)",
    )
    serve.add_argument("--rate-limit", type=int, default=800, help="requests/minute; 0 disables")
    serve.add_argument("--subscriber-rate-limit", type=int, default=120)
    serve.add_argument("--token-ttl", type=int, default=3600, help="token lifetime, twin seconds")
    serve.add_argument("--client-id", default="twin-client")
    serve.add_argument("--client-secret", default="twin-secret")
    faults = serve.add_argument_group("faults (for client tests; all default to off)")
    faults.add_argument("--fault-rate", type=_rate, default=0.0, help="share of 5xx responses")
    faults.add_argument("--timeout-rate", type=_rate, default=0.0)
    faults.add_argument("--slow-rate", type=_rate, default=0.0)
    faults.add_argument("--malformed-rate", type=_rate, default=0.0)
    faults.add_argument(
        "--storm-rate", type=_rate, default=0.0, help="chance that a request starts a 429 storm"
    )
    faults.add_argument("--storm-seconds", type=float, default=0.0)
    faults.add_argument("--timeout-delay", type=float, default=10.0)
    faults.add_argument("--slow-delay", type=float, default=1.5)
    faults.add_argument("--fault-seed", type=int, default=0)
    hooks = serve.add_argument_group("webhooks")
    hooks.add_argument("--webhook-duplicate-rate", type=_rate, default=0.02)
    hooks.add_argument("--webhook-reorder-rate", type=_rate, default=0.05)
    hooks.add_argument(
        "--webhook-retry-timestamp",
        choices=("first_attempt", "attempt"),
        default="first_attempt",
        help="X-Velora-Timestamp on retries: the first attempt's time (default) or each attempt's",
    )
    hooks.add_argument(
        "--webhook-concurrency",
        type=int,
        default=16,
        help="deliveries in flight at once (default 16); a receiver with group commit lands "
        "more per fsync when more are in flight",
    )
    hooks.add_argument(
        "--allow-http-webhooks",
        action="store_true",
        help="accept http:// webhook URLs (local receivers); Velora rejects them",
    )
    serve.set_defaults(func=serve_command)


def config_from_args(args: argparse.Namespace) -> TwinConfig:
    """The TwinConfig that ``velora twin serve`` flags describe (raises TwinConfigError)."""
    from pipeline.twin.server.config import FaultConfig, TwinConfig

    faults = FaultConfig(
        error_rate=args.fault_rate,
        timeout_rate=args.timeout_rate,
        slow_rate=args.slow_rate,
        malformed_rate=args.malformed_rate,
        storm_rate=args.storm_rate,
        storm_seconds=args.storm_seconds,
        timeout_delay=args.timeout_delay,
        slow_delay=args.slow_delay,
        seed=args.fault_seed,
    )
    return TwinConfig(
        seed=args.seed,
        creators=args.creators,
        clock=args.clock,
        speed=args.speed,
        start=args.start,
        rate_limit=args.rate_limit,
        subscriber_rate_limit=args.subscriber_rate_limit,
        token_ttl=args.token_ttl,
        client_id=args.client_id,
        client_secret=args.client_secret,
        faults=faults,
        webhook_duplicate_rate=args.webhook_duplicate_rate,
        webhook_reorder_rate=args.webhook_reorder_rate,
        webhook_retry_timestamp=args.webhook_retry_timestamp,
        webhook_concurrency=args.webhook_concurrency,
        allow_http_webhooks=args.allow_http_webhooks,
    )


def serve_command(args: argparse.Namespace) -> int:
    from pipeline.serving import port_is_free
    from pipeline.twin.server.config import TwinConfigError

    try:
        config = config_from_args(args)
    except TwinConfigError as exc:
        print(f"velora twin serve: error: {exc}", file=sys.stderr)
        return 2
    try:
        free = port_is_free(args.host, args.port)
    except OSError as exc:
        print(
            f"velora twin serve: error: cannot bind {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    if not free:
        print(
            f"velora twin serve: error: port {args.port} on {args.host} is already in use "
            f"(choose another with --port)",
            file=sys.stderr,
        )
        return 2
    return _serve(config, args.host, args.port)


def _serve(config: object, host: str, port: int) -> int:
    import uvicorn

    from pipeline.twin.server import create_app
    from pipeline.twin.server.config import TwinConfig

    assert isinstance(config, TwinConfig)
    try:
        app = create_app(config)
    except Exception as exc:  # a world that cannot be built is a configuration problem
        print(f"velora twin serve: error: cannot build the twin world: {exc}", file=sys.stderr)
        return 2
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, lifespan="on"
        )
    )
    shown_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown_host}:{port}"

    original_startup = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await original_startup(sockets=sockets)
        if server.started:
            clock = app.state.twin.clock
            print(
                f"Velora twin ready at {base_url} (clock {clock.mode}, "
                f"twin time {clock.now().isoformat()})",
                flush=True,
            )

    server.startup = startup  # type: ignore[method-assign]
    server.run()
    if not server.started:
        print(f"velora twin serve: error: could not start on {host}:{port}", file=sys.stderr)
        return 2
    return 0
