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
    docs = sub.add_parser(
        "docs", help="rewrite the generated blocks of docs/metrics.md and docs/warehouse.md"
    )
    docs.add_argument("--root", default=".", help="the repository checkout (default: here)")
    docs.add_argument("--check", action="store_true", help="only fail when a block is stale")
    docs.set_defaults(func=_docs)


def _open(args: argparse.Namespace) -> Any:
    from pipeline.config import Settings
    from pipeline.errors import UserFacingError
    from pipeline.warehouse import WarehouseError, connect

    settings = Settings.from_env()
    path = args.warehouse or settings.warehouse
    try:
        return settings, connect(path)
    except WarehouseError as exc:
        raise UserFacingError(str(exc)) from None


def _say(result: Any) -> None:
    counts = ", ".join(f"{table} {rows:,}" for table, rows in result.rows.items())
    print(f"  {result.mart} {result.start}..{result.end - timedelta(days=1)}: {counts}", flush=True)


def _rebuild(args: argparse.Namespace) -> int:
    from pipeline.marts import rebuild_all
    from pipeline.warehouse import publish_for_readers, published_note

    settings, conn = _open(args)
    try:
        results = rebuild_all(conn, progress=_say)
        if not results:
            print("core holds no data yet: nothing to build")
        elif not args.no_publish:
            print(published_note(publish_for_readers(conn, settings.published_dir)))
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


def _docs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.errors import UserFacingError
    from pipeline.marts import docblocks

    root = Path(args.root)
    missing = [b.document for b in docblocks.DOC_BLOCKS if not (root / b.document).is_file()]
    if missing:
        raise UserFacingError(f"not a checkout of the project: {', '.join(missing)} missing")
    if args.check:
        stale = docblocks.stale_documents(root)
        for document in stale:
            print(f"{document} is stale: run `velora marts docs`")
        return 1 if stale else 0
    changed = docblocks.write_documents(root)
    print(f"rewrote {', '.join(changed)}" if changed else "generated docs are up to date")
    return 0
