"""``velora warehouse migrate|publish|check``: maintenance of the warehouse.

Commands that join areas above the warehouse add themselves to the same group through
:func:`warehouse_subcommands` (``prune``: pipeline/harness/prune.py), so this module imports
nothing above ``pipeline/warehouse``.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "warehouse", help="warehouse maintenance (migrate, publish, check, prune)"
    )
    sub = parser.add_subparsers(dest="warehouse_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1], _subcommands=sub)
    sub.add_parser("migrate", help="apply pending migrations").set_defaults(func=migrate_command)
    sub.add_parser("publish", help="publish a new read-only snapshot").set_defaults(
        func=publish_command
    )
    check = sub.add_parser(
        "check", help="validate every registered table (core, webhook, marts) against its schema"
    )
    check.add_argument("--all", action="store_true", help="whole tables, not just the newest poll")
    check.set_defaults(func=check_command)


def warehouse_subcommands(subparsers: Any) -> Any:
    """The sub-command group of ``velora warehouse`` on ``subparsers`` (registered before)."""
    return subparsers.choices["warehouse"].get_default("_subcommands")


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
