"""``velora sql``: query the published read-only snapshot, or the lake read-only when DuckLake is
configured (docs/analysts.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.warehouse.reading import ReadSource

EXIT_QUERY_FAILED = 1  # a statement failed; 2 (UserFacingError) means nothing could run


def register(subparsers: Any) -> None:
    from pipeline.sqlshell.formats import FORMATS

    parser = subparsers.add_parser(
        "sql",
        help="query the warehouse read-only (a prompt, -c SQL, --file or piped SQL)",
        description="Query the published read-only snapshot of the warehouse, or on DuckLake "
        "(VELORA_WAREHOUSE_BACKEND=ducklake) the lake's latest commit, read-only. With no -c or "
        "--file, SQL piped on stdin is run, or a prompt opens when stdin is a terminal.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("-c", "--command", dest="sql", help="run this SQL and exit")
    source.add_argument("-f", "--file", type=Path, help="run the SQL in this file ('-': stdin)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="default VELORA_DATA_DIR (snapshots in published/)",
    )
    parser.set_defaults(func=sql_command)


def _source(args: argparse.Namespace) -> ReadSource:
    """The lake when one is configured, else the published snapshots (of ``--data-dir``)."""
    import os

    from pipeline.config import Settings

    environ = dict(os.environ)
    if args.data_dir is not None:
        environ["VELORA_DATA_DIR"] = str(args.data_dir)
    return Settings.from_env(environ).read_source


def _read_source(args: argparse.Namespace) -> str | None:
    """The SQL to run once, or None for the interactive prompt."""
    from pipeline.errors import UserFacingError

    if args.sql is not None:
        return args.sql
    if args.file is not None and str(args.file) != "-":
        try:
            return args.file.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserFacingError(f"cannot read {args.file}: {exc.strerror}") from None
    if args.file is None and sys.stdin.isatty():
        return None
    return sys.stdin.read()


def sql_command(args: argparse.Namespace) -> int:
    from pipeline.sqlshell.repl import Repl, terminal_read_line
    from pipeline.sqlshell.run import run_sql
    from pipeline.sqlshell.snapshot import QueryError, current_snapshot

    source = _source(args)
    sql = _read_source(args)
    if sql is None:
        with current_snapshot(source):  # say now, not at the first statement, if none
            pass
        return Repl(source, args.format, sys.stdout, sys.stderr, terminal_read_line()).run()
    try:
        run_sql(source, sql, args.format, sys.stdout)
    except QueryError as exc:
        print(f"velora sql: error: {exc}", file=sys.stderr)
        return EXIT_QUERY_FAILED
    except BrokenPipeError:  # `velora sql ... | head`: the reader has all it wanted
        _silence_stdout()
    return 0


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
