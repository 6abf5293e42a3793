"""The DuckLake backend: the catalog in PostgreSQL, the data as Parquet files (docs/scaling.md).

Contract: :func:`open_lake` returns an in-memory DuckDB connection with the lake attached as
``velora`` and selected (``USE``), so every SQL file of the file backend runs unchanged: ``core.x``
resolves inside the lake. Many processes may open the same lake for writing; each commit is an
optimistic DuckLake transaction that DuckLake itself retries on conflict
(``ducklake_max_retry_count``); the conflicts it does not retry, and the double appends it does
not see, are handled by pipeline/warehouse/commits.py, so nothing is silently lost or doubled. Readers open it read-only and see every committed state, with no published copy.

Extensions load from the pinned PyPI wheels (``duckdb-extension-*==<duckdb version>``), never from
the network: auto-install and auto-load are off, so a mismatch fails here, loudly.

DuckLake has no PRIMARY KEY / UNIQUE and no RETURNING. Migrations drop the key clauses
(:func:`lake_ddl`); every write is an anti-join or a MERGE, which need neither.
"""

from __future__ import annotations

import importlib.util
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from pipeline.warehouse.errors import WarehouseError

LAKE_ALIAS = "velora"
# Conflicting commits (two writers touching one table's same files) are retried by DuckLake with
# exponential backoff; 100 ms * 1.5^n over 30 tries spans minutes, far above a commit's length.
RETRY_SETTINGS = {
    "ducklake_max_retry_count": 30,
    "ducklake_retry_wait_ms": 100,
    "ducklake_retry_backoff": 1.5,
}
_EXTENSION_PACKAGES = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "httpfs": "duckdb_extension_httpfs",
}
_COLUMN_KEY = re.compile(r"\s+PRIMARY\s+KEY\b", re.IGNORECASE)
_TABLE_KEY = re.compile(r",\s*PRIMARY\s+KEY\s*\([^)]*\)", re.IGNORECASE)


@dataclass(frozen=True)
class S3Access:
    """Credentials and endpoint for an ``s3://`` data path (the standard ``AWS_*`` variables).
    ``endpoint`` is set for S3-compatible stores (SeaweedFS, MinIO): ``http://host:port``."""

    key_id: str
    secret: str = field(repr=False)
    region: str = "us-east-1"
    endpoint: str | None = None


@dataclass(frozen=True)
class LakeConfig:
    """Where the lake lives. ``catalog`` is a DuckLake metadata string: ``postgres:dbname=...
    host=... port=... user=...`` for many machines, or a ``.ducklake`` file path (one process
    only). ``data_path`` is a local directory or an ``s3://bucket/prefix/`` (with ``s3``)."""

    catalog: str
    data_path: str
    s3: S3Access | None = None

    def __str__(self) -> str:  # for messages; the catalog string may hold a password
        return f"DuckLake {_redacted(self.catalog)} (data {self.data_path})"


def _redacted(catalog: str) -> str:
    return re.sub(r"(password=)\S+", r"\1***", catalog)


def _quote_literal(text: str) -> str:
    # ATTACH and LOAD take no bound parameters: escape as a SQL string literal
    return "'" + text.replace("'", "''") + "'"


def extension_path(name: str) -> Path:
    """The extension file shipped by its PyPI wheel for the installed DuckDB version."""
    package = _EXTENSION_PACKAGES[name]
    spec = importlib.util.find_spec(package)
    version = duckdb.__version__
    if spec is None or spec.origin is None:
        raise WarehouseError(
            f"DuckDB extension {name} is not installed: `make env` installs {package}=={version}"
        )
    found = Path(spec.origin).parent / "extensions" / f"v{version}" / f"{name}.duckdb_extension"
    if not found.exists():
        raise WarehouseError(
            f"{package} does not ship {name} for DuckDB {version} ({found} missing): "
            "pin duckdb and the extension wheels to the same version"
        )
    return found


def _needed_extensions(config: LakeConfig) -> list[str]:
    needed = []
    if config.catalog.startswith("postgres:"):
        needed.append("postgres_scanner")
    if config.data_path.startswith(("s3://", "http://", "https://")):
        needed.append("httpfs")
    return [*needed, "ducklake"]


# The first ATTACH of a new lake creates DuckLake's catalog tables. Writers that start together
# (the multiprocess executor's first steps) race there: PostgreSQL makes the losers wait for the
# winner's commit, then fails them on a duplicate key; attaching again finds the winner's catalog.
_INIT_RACE = re.compile(r"Failed to initialize DuckLake.*(duplicate key|already exists)", re.S)
_ATTACH_ATTEMPTS = 5


def _attach(conn: duckdb.DuckDBPyConnection, target: str, options: str) -> None:
    for attempt in range(1, _ATTACH_ATTEMPTS + 1):
        try:
            conn.execute(f"ATTACH {target} AS {LAKE_ALIAS} ({options})")
            return
        except duckdb.Error as exc:
            if attempt == _ATTACH_ATTEMPTS or not _INIT_RACE.search(str(exc)):
                raise
            time.sleep(0.05 * attempt)


def open_lake(
    config: LakeConfig, read_only: bool = False, snapshot_version: int | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the lake attached as ``velora`` and in use; with
    ``snapshot_version``, the lake as it was at that commit (readers pin one state)."""
    conn = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    try:
        for name in _needed_extensions(config):
            conn.execute(f"LOAD {_quote_literal(str(extension_path(name)))}")
        if config.s3 is not None:
            conn.execute(_s3_secret(config.s3))
        if not config.data_path.startswith(("s3://", "http://", "https://")):
            Path(config.data_path).mkdir(parents=True, exist_ok=True)
        options = f"DATA_PATH {_quote_literal(config.data_path)}"
        if read_only:
            options += ", READ_ONLY"
        if snapshot_version is not None:
            options += f", SNAPSHOT_VERSION {int(snapshot_version)}"
        _attach(conn, _quote_literal("ducklake:" + config.catalog), options)
        conn.execute(f"USE {LAKE_ALIAS}")
        for name, value in RETRY_SETTINGS.items():
            conn.execute(f"SET {name} = {value}")
    except duckdb.Error as exc:
        conn.close()
        raise WarehouseError(f"cannot open {config}: {exc}") from exc
    return conn


def _s3_secret(access: S3Access) -> str:
    # CREATE SECRET takes no bound parameters: every value is escaped as a literal
    options = {"KEY_ID": access.key_id, "SECRET": access.secret, "REGION": access.region}
    extra = ""
    if access.endpoint:
        parts = urlsplit(access.endpoint if "//" in access.endpoint else "//" + access.endpoint)
        options["ENDPOINT"] = parts.netloc
        # S3-compatible servers take bucket names in the path, not as a subdomain
        extra = f", URL_STYLE 'path', USE_SSL {'false' if parts.scheme == 'http' else 'true'}"
    listed = ", ".join(f"{key} {_quote_literal(value)}" for key, value in options.items())
    return f"CREATE OR REPLACE SECRET velora_lake_s3 (TYPE s3, {listed}{extra})"


def is_lake(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``conn``'s current database is a DuckLake."""
    rows = conn.execute(
        "SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return bool(rows) and rows[0][0] == "ducklake"


def lake_ddl(sql: str) -> str:
    """A migration's DDL without the PRIMARY KEY clauses DuckLake refuses. The file backend keeps
    them as a second guard; on both, idempotency comes from the writes' anti-joins and MERGEs."""
    return _COLUMN_KEY.sub("", _TABLE_KEY.sub("", sql))


def current_lake_snapshot(conn: duckdb.DuckDBPyConnection) -> int:
    """The id of the lake's latest committed snapshot (a reader's cache key)."""
    rows = conn.execute("SELECT * FROM ducklake_current_snapshot(?)", [LAKE_ALIAS]).fetchall()
    return int(rows[0][0])


def lake_snapshot_time(conn: duckdb.DuckDBPyConnection, version: int) -> datetime:
    """When snapshot ``version`` was committed (UTC)."""
    rows = conn.execute(
        f"SELECT snapshot_time FROM {LAKE_ALIAS}.snapshots() WHERE snapshot_id = ?",  # noqa: S608
        [version],
    ).fetchall()
    if not rows:
        raise WarehouseError(f"the lake has no snapshot {version}")
    return rows[0][0].astimezone(UTC)
