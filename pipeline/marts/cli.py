"""``velora rebuild`` and ``velora marts build``: derive the marts from core outside Dagster."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import Any


def register(subparsers: Any) -> None:
    rebuild = subparsers.add_parser(
        "rebuild", help="re-derive every mart from core, over every day core holds"
    )
    rebuild.add_argument("--warehouse", default=None, help="default VELORA_WAREHOUSE")
    rebuild.add_argument("--no-publish", action="store_true", help="skip the read-only snapshot")
    rebuild.set_defaults(func=_rebuild)

    marts = subparsers.add_parser("marts", help="build or list the marts")
    sub = marts.add_subparsers(dest="marts_command", metavar="ACTION", required=True)
    build = sub.add_parser("build", help="rebuild some UTC days of some marts")
    build.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
    build.add_argument("--to", dest="end", type=date.fromisoformat, help="last day (inclusive)")
    build.add_argument("--select", default="all", help="comma-separated marts (default all)")
    build.add_argument("--warehouse", default=None)
    build.set_defaults(func=_build)
    sub.add_parser("list", help="every mart with its grain and upstream").set_defaults(func=_list)
    definitions = sub.add_parser(
        "definitions", help="print every metric's definition (the block of docs/metrics.md)"
    )
    definitions.add_argument(
        "--write", metavar="PATH", help="rewrite the definitions block of this file instead"
    )
    definitions.set_defaults(func=_definitions)


def _open(args: argparse.Namespace) -> Any:
    from pipeline.config import Settings
    from pipeline.errors import UserFacingError
    from pipeline.warehouse import WarehouseError, connect

    settings = Settings.from_env()
    path = args.warehouse or settings.warehouse_path
    try:
        return settings, connect(path)
    except WarehouseError as exc:
        raise UserFacingError(str(exc)) from None


def _say(result: Any) -> None:
    counts = ", ".join(f"{table} {rows:,}" for table, rows in result.rows.items())
    print(f"  {result.mart} {result.start}..{result.end - timedelta(days=1)}: {counts}", flush=True)


def _rebuild(args: argparse.Namespace) -> int:
    from pipeline.marts import rebuild_all
    from pipeline.warehouse import publish_from

    settings, conn = _open(args)
    try:
        results = rebuild_all(conn, progress=_say)
        if not results:
            print("core holds no data yet: nothing to build")
        elif not args.no_publish:
            print(f"published {publish_from(conn, settings.published_dir)}")
    finally:
        conn.close()
    return 0


def _build(args: argparse.Namespace) -> int:
    from pipeline.errors import UserFacingError
    from pipeline.marts import MARTS, build_days

    names = list(MARTS) if args.select == "all" else [n.strip() for n in args.select.split(",")]
    unknown = [n for n in names if n not in MARTS]
    if unknown:
        raise UserFacingError(f"unknown mart(s) {', '.join(unknown)}; marts: {', '.join(MARTS)}")
    end = (args.end or args.start) + timedelta(days=1)
    if end <= args.start:
        raise UserFacingError("--to must not be before --from")
    _, conn = _open(args)
    try:
        build_days(conn, names, args.start, end, progress=_say)
    finally:
        conn.close()
    return 0


def _list(args: argparse.Namespace) -> int:
    from pipeline.marts import MARTS

    for mart in MARTS.values():
        print(f"{mart.name}: {', '.join(mart.tables)} (grain {', '.join(mart.grain)})")
        print(f"    {mart.description}; reads {', '.join(mart.upstream)}")
    return 0


def _definitions(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.errors import UserFacingError
    from pipeline.marts import definitions

    if not args.write:
        print(definitions.render_markdown())
        return 0
    path = Path(args.write)
    if not path.is_file():
        raise UserFacingError(f"{path} does not exist")
    changed = definitions.write_docs(path)
    print(f"{path}: {'definitions rewritten' if changed else 'already up to date'}")
    return 0
