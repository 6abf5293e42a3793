"""The interactive ``velora sql`` prompt: statements end with ``;`` and may span lines.

Every statement is a run of its own (``run_sql``), so it reads the state current when it is
sent (the published snapshot, or the lake's latest commit): a long session follows the pipeline
and holds no connection between statements.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TextIO

from pipeline.errors import UserFacingError
from pipeline.sqlshell.formats import FORMATS
from pipeline.sqlshell.run import run_sql
from pipeline.sqlshell.snapshot import QueryError
from pipeline.sqlshell.statements import is_complete
from pipeline.warehouse.lake import LakeConfig
from pipeline.warehouse.reading import ReadSource

PROMPT = "velora> "
CONTINUATION = "   ...> "
HISTORY_FILE = Path("~/.velora_sql_history")
HISTORY_LENGTH = 1000
TABLES_SQL = (
    "SELECT schema_name || '.' || table_name AS \"table\", estimated_size AS approx_rows, "
    "column_count AS columns FROM duckdb_tables() "
    "WHERE NOT temporary AND database_name = current_database() "
    "ORDER BY schema_name, table_name;"
)
HELP = f"""\
statements end with ';' and may span lines; each reads the state current at that moment
.tables            every table of the snapshot (schemas core, marts, ops)
.schema TABLE      the columns of TABLE (e.g. .schema marts.channel_daily)
.format FORMAT     print results as {" | ".join(FORMATS)}
.snapshot          which snapshot (file, or lake commit) the next statement reads
.help              this text
.quit / .exit      leave (Ctrl-D too); Ctrl-C drops the statement being typed
"""

ReadLine = Callable[[str], str]


class Repl:
    def __init__(
        self, source: ReadSource, fmt: str, out: TextIO, err: TextIO, read_line: ReadLine
    ) -> None:
        self.source = source
        self.fmt = fmt
        self.out = out
        self.err = err
        self.read_line = read_line
        self.snapshot: str | None = None

    def run(self) -> int:
        """Read and run statements until ``.quit`` or end of input (errors are shown, then the
        session goes on, so it ends with 0)."""
        where = (
            f"the lake {self.source}"
            if isinstance(self.source, LakeConfig)
            else f"the snapshots published in {self.source}"
        )
        self.err.write(
            f"velora sql: {where}, read-only; statements end with ;  .help for commands\n"
        )
        buffer: list[str] = []
        while True:
            try:
                line = self.read_line(CONTINUATION if buffer else PROMPT)
            except EOFError:
                self.err.write("\n")
                return 0
            except KeyboardInterrupt:
                self.err.write("\n")
                buffer = []
                continue
            if not buffer and line.strip().startswith("."):
                if self.command(line.strip()) == "quit":
                    return 0
                continue
            if not buffer and not line.strip():
                continue
            buffer.append(line)
            text = "\n".join(buffer)
            if is_complete(text):
                buffer = []
                self.execute(text)

    def execute(self, sql: str) -> None:
        try:
            name = run_sql(self.source, sql, self.fmt, self.out)
        except (QueryError, UserFacingError) as exc:  # the session goes on after either
            self.err.write(f"error: {exc}\n")
            return
        except KeyboardInterrupt:
            self.err.write("interrupted\n")
            return
        if self.snapshot is not None and name != self.snapshot:
            self.err.write(f"(a new snapshot was published: that read {name})\n")
        self.snapshot = name

    def command(self, line: str) -> str | None:
        name, _, argument = line.partition(" ")
        argument = argument.strip().rstrip(";")
        if name in (".quit", ".exit", ".q"):
            return "quit"
        if name == ".tables":
            self.execute(TABLES_SQL)
        elif name == ".schema" and argument:
            # the analyst's own text into their own read-only session, like any statement
            self.execute(f"DESCRIBE {argument};")
        elif name == ".format" and argument in FORMATS:
            self.fmt = argument
        elif name == ".snapshot":
            from pipeline.warehouse import NoPublishedSnapshotError
            from pipeline.warehouse.reading import current_state

            try:
                state = current_state(self.source)
                shown = state.name if isinstance(self.source, LakeConfig) else state.key
                self.out.write(f"{shown}\n")
            except NoPublishedSnapshotError as exc:
                self.err.write(f"error: {exc}\n")
        elif name == ".help":
            self.out.write(HELP)
        else:
            self.err.write(f"unknown or incomplete command {line!r}; .help lists them\n")
        return None


def terminal_read_line() -> ReadLine:
    """``input`` with line editing and a history file, when readline is available."""
    try:
        import readline
    except ImportError:  # not every Python has it; the prompt works without
        return input
    history = HISTORY_FILE.expanduser()
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(HISTORY_LENGTH)

    import atexit

    atexit.register(_save_history, readline, history)
    return input


def _save_history(readline: ModuleType, history: Path) -> None:
    with contextlib.suppress(OSError):
        readline.write_history_file(history)
