"""``velora ingest --once`` and ``velora seed``: the pipeline driven outside the scheduler.

Both run ingest, then build the marts of the days they loaded, then publish once, so what
they leave behind is what the Dagster jobs would have (heavy imports happen inside the commands).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

UNREACHABLE_HINT = "is the twin running? start it with `velora twin serve`"


def register(subparsers: Any) -> None:
    ingest = subparsers.add_parser("ingest", help="poll the Velora API into the warehouse")
    ingest.add_argument("--once", action="store_true", help="run each selected job once, now")
    ingest.add_argument(
        "--select",
        default="all",
        help="comma-separated endpoint names and/or groups (live, leaderboards, hourly); default all",
    )
    ingest.add_argument("--no-publish", action="store_true", help="skip publishing a snapshot")
    ingest.set_defaults(func=ingest_command)

    seed = subparsers.add_parser("seed", help="seed history from a frozen-clock twin")
    seed.add_argument("--days", type=float, required=True, help="simulated days of history")
    seed.add_argument("--creators", type=int, default=2000, help="creators in the twin's world")
    seed.add_argument("--seed", type=int, default=42, help="the twin world's seed")
    seed.add_argument(
        "--select", default="all", help="endpoint names and/or groups to seed (live, all, ...)"
    )
    seed.add_argument("--cadence", type=int, default=5, help="minutes between live polls")
    seed.add_argument(
        "--leaderboard-cadence",
        type=int,
        default=None,
        help="minutes between leaderboard/chat polls (default: their schedule's)",
    )
    seed.add_argument(
        "--hourly-cadence",
        type=int,
        default=None,
        help="minutes between hourly-group polls (default: their schedule's)",
    )
    seed.add_argument("--no-marts", action="store_true", help="skip building the marts")
    seed.add_argument("--no-publish", action="store_true", help="skip publishing a snapshot")
    seed.add_argument(
        "--base-url", default=None, help="use an already running frozen-clock twin instead"
    )
    seed.add_argument(
        "--webhooks-in-background",
        action="store_true",
        help="with --base-url: let the twin deliver each advance's webhooks while the seed polls "
        "on (it waits for the last ones before it ends)",
    )
    seed.add_argument(
        "--load-webhooks",
        action="store_true",
        help="load the webhook receiver's sealed landing segments while seeding",
    )
    seed.set_defaults(func=seed_command)


def _user_error(message: str) -> Exception:
    from pipeline.errors import UserFacingError

    return UserFacingError(message)


def _select(selection: str) -> list[str]:
    from pipeline.ingest.jobs import select_jobs

    try:
        return select_jobs(selection)
    except ValueError as exc:
        raise _user_error(str(exc)) from None


def _check_reachable(base_url: str) -> None:
    import httpx

    try:
        httpx.get(f"{base_url}/api/streams/featured", timeout=5.0)
    except httpx.TransportError as exc:
        raise _user_error(
            f"cannot reach the Velora API at {base_url} ({exc}); {UNREACHABLE_HINT}"
        ) from None


def ingest_command(args: argparse.Namespace) -> int:
    if not args.once:
        raise _user_error("only `velora ingest --once` is supported here; schedules run in Dagster")
    from datetime import UTC, datetime

    from pipeline.cadence import cadence_minutes, poll_tick
    from pipeline.client import ClientConfig, VeloraClient
    from pipeline.config import Settings
    from pipeline.ingest.jobs import ENDPOINT_JOBS, GROUPS
    from pipeline.ingest.results import IngestError
    from pipeline.ingest.runner import run_endpoints
    from pipeline.marts import refresh
    from pipeline.warehouse import WarehouseError, connect, publish_for_readers, published_note

    settings = Settings.from_env()
    names = _select(args.select)
    _check_reachable(settings.api_base_url)
    now = datetime.now(UTC)
    failed = 0
    try:
        conn = connect(settings.warehouse)
    except WarehouseError as exc:
        raise _user_error(str(exc)) from None
    try:
        with VeloraClient(ClientConfig.from_settings(settings)) as client:
            for group in GROUPS:
                batch = [n for n in names if ENDPOINT_JOBS[n].group == group]
                if not batch:
                    continue
                poll_at = poll_tick(now, cadence_minutes(group, settings))
                print(
                    f"{group}: polling {', '.join(batch)} for {poll_at:%Y-%m-%d %H:%M} UTC ...",
                    flush=True,
                )
                try:
                    results = run_endpoints(
                        batch,
                        client=client,
                        warehouse_path=settings.warehouse,
                        poll_at=poll_at,
                        settings=settings,
                        conn=conn,
                    )
                except IngestError as exc:
                    if exc.unreachable:
                        raise _user_error(f"{exc}; {UNREACHABLE_HINT}") from None
                    results = list(exc.results)
                    failed += 1
                    print(f"  error: {exc}", file=sys.stderr)
                for result in results:
                    print(f"  {result.summary()}")
                    for failure in result.failures[:5]:
                        print(f"    failed: {failure}")
        # the marts of the days just polled, then one snapshot with both
        refresh(conn, now.date(), now.date())
        if not args.no_publish:
            print(published_note(publish_for_readers(conn, settings.published_dir)))
    finally:
        conn.close()
    return 1 if failed else 0


def seed_command(args: argparse.Namespace) -> int:
    from pipeline.cadence import CadenceError
    from pipeline.config import Settings
    from pipeline.harness.seed import SeedError, seed_history
    from pipeline.warehouse import WarehouseError

    if args.cadence < 1:
        raise _user_error(f"--cadence must be at least 1 minute, got {args.cadence}")
    if args.creators < 1:
        raise _user_error(f"--creators must be at least 1, got {args.creators}")
    names = _select(args.select)
    settings = Settings.from_env()
    group_cadences = {
        name: minutes
        for name, minutes in (
            ("leaderboards", args.leaderboard_cadence),
            ("hourly", args.hourly_cadence),
        )
        if minutes is not None
    }
    try:
        summary = seed_history(
            days=args.days,
            settings=settings,
            names=names,
            creators=args.creators,
            seed=args.seed,
            cadence_minutes=args.cadence,
            base_url=args.base_url,
            progress=_progress_on_stderr,
            build_marts=not args.no_marts,
            publish=not args.no_publish,
            group_cadences=group_cadences,
            webhooks_in_background=args.webhooks_in_background,
            load_webhooks=args.load_webhooks,
        )
    except (SeedError, WarehouseError, CadenceError) as exc:
        raise _user_error(str(exc)) from None
    if sys.stderr.isatty():
        print(file=sys.stderr)  # end the progress line
    rows = sum(summary.results.values())
    print(
        f"seeded {summary.steps} polls ({summary.start:%Y-%m-%d %H:%M} → {summary.end:%Y-%m-%d %H:%M} UTC): "
        f"{rows:,} rows in {summary.seconds:.1f} s"
    )
    for endpoint, loaded in sorted(summary.results.items()):
        print(f"  {endpoint}: {loaded:,} rows")
    if summary.errors:
        print(f"  {len(summary.errors)} polls reported errors (first: {summary.errors[0]})")
    if summary.webhook_events_loaded:
        print(f"  loaded {summary.webhook_events_loaded:,} landed webhook events meanwhile")
    if summary.published:
        print(f"published {summary.published}")
    return 0


def _progress_on_stderr(line: str) -> None:
    """Progress on stderr: one line redrawn in place on a terminal, else one line per report."""
    if sys.stderr.isatty() and line.lstrip().startswith("["):
        print(f"\r{line}", end="", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)
