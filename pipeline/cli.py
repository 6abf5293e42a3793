"""The ``velora`` command: a thin dispatcher.

Each area registers its sub-commands from its own ``cli.py``; heavy imports (numpy, duckdb,
uvicorn) happen inside the chosen sub-command so ``velora --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pipeline.config import ConfigError
from pipeline.errors import UserFacingError

__all__ = ["UserFacingError", "build_parser", "main"]

# module path -> it defines ``register(subparsers)``; each sub-command sets ``func(args) -> int``.
AREA_MODULES = (
    "pipeline.twin.cli",
    "pipeline.harness.cli",
    "pipeline.webhooks.cli",
    "pipeline.warehouse.cli",
    "pipeline.harness.prune",  # adds `velora warehouse prune`: after pipeline.warehouse.cli
    "pipeline.marts.cli",
    "pipeline.sqlshell.cli",
    "pipeline.harness.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="velora", description="Velora Analytics command line")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in AREA_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # an area that is not installed simply has no commands; any other import error is real
            if exc.name and (module_name + ".").startswith(exc.name + "."):
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except (UserFacingError, ConfigError) as exc:
        print(f"velora {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
