"""``velora warehouse prune``: retention by hand (docs/warehouse.md § Volume).

The one command that joins three areas: ingest names the live endpoints, the marts say which days
are built, the warehouse prunes (pipeline/warehouse/retention.py). So it lives here, above them,
and adds itself to the ``velora warehouse`` group.
"""

from __future__ import annotations

import argparse
from typing import Any

from pipeline.errors import UserFacingError
from pipeline.warehouse.cli import warehouse_subcommands


def register(subparsers: Any) -> None:
    prune = warehouse_subcommands(subparsers).add_parser(
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


def prune_command(args: argparse.Namespace) -> int:
    from pipeline.config import Settings
    from pipeline.ingest.jobs import jobs_in_group
    from pipeline.marts.retention import prune
    from pipeline.warehouse import WarehouseError, connect

    settings = Settings.from_env()
    keep = args.days if args.days is not None else settings.retention_days
    if keep is None:
        raise UserFacingError("retention is off: pass --days N or set VELORA_RETENTION_DAYS")
    try:
        conn = connect(settings.warehouse)
    except WarehouseError as exc:
        raise UserFacingError(str(exc)) from None
    try:
        planned, result = prune(conn, keep, endpoints=jobs_in_group("live"), dry_run=args.dry_run)
    except ValueError as exc:
        raise UserFacingError(str(exc)) from None
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
