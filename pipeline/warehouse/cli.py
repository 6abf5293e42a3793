"""``velora warehouse migrate|publish|check|prune``: maintenance of the DuckDB warehouse."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "warehouse", help="warehouse maintenance (migrate, publish, check, prune)"
    )
    sub = parser.add_subparsers(dest="warehouse_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])
    sub.add_parser("migrate", help="apply pending migrations").set_defaults(func=migrate_command)
    sub.add_parser("publish", help="publish a new read-only snapshot").set_defaults(
        func=publish_command
    )
    check = sub.add_parser(
        "check", help="validate every registered table (core, webhook, marts) against its schema"
    )
    check.add_argument("--all", action="store_true", help="whole tables, not just the newest poll")
    check.set_defaults(func=check_command)
    prune = sub.add_parser(
        "prune",
        help="drop old live bodies and thin old samples to the 5-minute grid (docs/warehouse.md)",
    )
    prune.add_argument(
        "--days", type=int, default=None, help="days kept in full (default VELORA_RETENTION_DAYS)"
    )
    prune.add_argument(
        "--dry-run", action="store_true", help="print what would be removed, change nothing"
    )
    prune.set_defaults(func=prune_command)


def _user_error(message: str) -> Exception:
    from pipeline.errors import UserFacingError

    return UserFacingError(message)


def migrate_command(args: argparse.Namespace) -> int:
    from pipeline.config import Settings
    from pipeline.warehouse import WarehouseError, connect, migrate

    settings = Settings.from_env()
    try:
        conn = connect(settings.warehouse)
    except WarehouseError as exc:
        raise _user_error(str(exc)) from None
    try:
        applied = migrate(conn)
    finally:
        conn.close()
    print(
        f"{settings.warehouse}: up to date"
        + (f" (applied {', '.join(applied)})" if applied else "")
    )
    return 0


def publish_command(args: argparse.Namespace) -> int:
    from pipeline.config import Settings
    from pipeline.warehouse import WarehouseError, publish, published_note

    settings = Settings.from_env()
    try:
        path = publish(settings.warehouse, settings.published_dir)
    except WarehouseError as exc:
        raise _user_error(str(exc)) from None
    print(published_note(path))
    return 0


def check_command(args: argparse.Namespace) -> int:
    from pipeline.config import Settings
    from pipeline.schemas import TABLES
    from pipeline.warehouse import WarehouseError, connect
    from pipeline.warehouse.tables import check_table

    settings = Settings.from_env()
    try:
        conn = connect(settings.warehouse, read_only=True)
    except WarehouseError as exc:
        raise _user_error(str(exc)) from None
    failed = 0
    try:
        for table in TABLES:
            report = check_table(conn, table, scope="all" if args.all else "latest")
            failed += 0 if report.passed else 1
            print(("ok    " if report.passed else "FAIL  ") + report.summary)
    finally:
        conn.close()
    return 1 if failed else 0


def prune_command(args: argparse.Namespace) -> int:
    # The command is the one place that joins the three: ingest names the live endpoints, marts
    # say which days are built, the warehouse prunes (pipeline/warehouse/retention.py).
    from pipeline.config import Settings
    from pipeline.ingest.jobs import jobs_in_group
    from pipeline.marts.retention import prune
    from pipeline.warehouse import WarehouseError, connect

    settings = Settings.from_env()
    keep = args.days if args.days is not None else settings.retention_days
    if keep is None:
        raise _user_error("retention is off: pass --days N or set VELORA_RETENTION_DAYS")
    try:
        conn = connect(settings.warehouse)
    except WarehouseError as exc:
        raise _user_error(str(exc)) from None
    try:
        planned, result = prune(conn, keep, endpoints=jobs_in_group("live"), dry_run=args.dry_run)
    except ValueError as exc:
        raise _user_error(str(exc)) from None
    finally:
        conn.close()
    verb = "would remove" if args.dry_run else "removed"
    print(
        f"{settings.warehouse}: keeping {keep} days in full (days before {planned.horizon}); "
        f"{len(result.days)} day(s) to prune"
    )
    for day in result.days:
        print(
            f"  {day.day}: {verb} {day.bodies_dropped:,} live bodies, "
            f"{day.samples_dropped:,} samples; {day.samples_regridded:,} samples now at 5 min"
        )
    print(
        f"total: {verb} {result.total('bodies_dropped'):,} live bodies and "
        f"{result.total('samples_dropped'):,} samples"
        + (" (dry run: nothing changed)" if args.dry_run else "")
    )
    if planned.unbuilt:
        print(
            f"skipped {len(planned.unbuilt)} old day(s) whose marts have no recorded build "
            f"({planned.unbuilt[0]}..{planned.unbuilt[-1]}): build them with "
            "`velora marts build --from DAY` or `velora rebuild`, then prune again"
        )
    return 0
