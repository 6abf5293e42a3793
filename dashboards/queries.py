"""Every query the dashboards run, against what readers may open only (never the warehouse file).

Rules this module keeps (docs/architecture.md, design-notes "DuckDB locks"):
* On the DuckDB-file backend ``<data dir>/published/CURRENT`` names the current
  ``warehouse-<n>.duckdb``; we open that file read-only for one query and close it again, so we
  never block the pipeline's writer and always see a new snapshot as soon as ``CURRENT`` moves.
* On DuckLake the lake is attached read-only once per process and each query takes a cursor on
  it, so it reads the latest commit (``pipeline/warehouse/reading.py``); no snapshot is copied.
* Results are cached with ``st.cache_data`` keyed by the state's key (the snapshot's path, or
  the lake's commit id), so new data is a new cache key and the TTL only bounds memory.
* SQL lives in ``dashboards/sql/*.sql`` and takes named parameters; nothing user-typed is ever
  formatted into SQL.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboards.filters import Filters
from pipeline.config import Settings
from pipeline.marts import accuracy_doc, revenue
from pipeline.warehouse import NoPublishedSnapshotError, open_published
from pipeline.warehouse.lake import LakeConfig
from pipeline.warehouse.reading import (
    LakeUnavailableError,
    ReadSource,
    current_state,
    lake_cursor,
    lake_state,
)
from pipeline.webhooks.silence import find_silent_channels

SQL_DIR = Path(__file__).with_name("sql")
CACHE_TTL_SECONDS = 60
_MISSING_TABLE = re.compile(r"(?:Table|Schema) with name (\S+) does not exist", re.IGNORECASE)

# Tables the "Data health" page reports on, with the column that says how fresh they are.
SNAPSHOT_TABLES = (
    "core.stream_snapshots",
    "core.category_snapshots",
    "core.channel_profiles",
    "core.leaderboard_entries",
    "core.chat_stats",
    "core.clips",
    "ops.tracked_channels",
    "marts.live_totals",
)
EVENT_TABLES = (
    "core.webhook_events",
    "core.follows",
    "core.subscriptions",
    "core.subscription_ends",
    "core.gifts",
    "core.volts_tips",
    "core.points_redemptions",
    "core.raids",
    "core.stream_status_events",
)
QUARANTINE_TABLES = ("core.quarantine", "core.webhook_quarantine")
FRESHNESS_COLUMN = {
    **dict.fromkeys(SNAPSHOT_TABLES, "snapshot_at"),
    **dict.fromkeys(EVENT_TABLES, "event_at"),
}
FRESHNESS_COLUMN.update(dict.fromkeys(QUARANTINE_TABLES, "quarantined_at"))
FRESHNESS_COLUMN["core.clips"] = "last_seen_at"


class DataUnavailable(Exception):
    """Why a page has nothing to show. The message is written for the dashboard's reader."""


class NoPublishedSnapshot(DataUnavailable):
    """No ``CURRENT`` file, or it names a snapshot that is not there."""


class MissingTable(DataUnavailable):
    """The snapshot predates the table (or its area has not run yet)."""

    def __init__(self, table: str) -> None:
        super().__init__(f"The published snapshot has no table `{table}` yet.")
        self.table = table


class SchemaMismatch(DataUnavailable):
    """A table exists but lacks a column the dashboard expects."""


@dataclass(frozen=True)
class Snapshot:
    """The state every query of a page reads: a published snapshot file, or a lake commit."""

    name: str
    key: str  # the cache key: the snapshot file's path, or the lake and its commit id
    published_at: datetime  # the snapshot file's modification time or the commit's time, UTC
    source: ReadSource  # what queries open: the published directory, or the lake


def read_source() -> ReadSource:
    """What the dashboards read; from the environment on every call (tests move it)."""
    return Settings.from_env().read_source


def current_snapshot(source: ReadSource | None = None) -> Snapshot:
    """The current state, or :class:`NoPublishedSnapshot` saying what is missing."""
    source = source if source is not None else read_source()
    try:
        if isinstance(source, LakeConfig):
            cursor = lake_cursor(source)
            try:
                state = lake_state(cursor, source)
            finally:
                cursor.close()
        else:
            state = current_state(source)
    except NoPublishedSnapshotError as exc:
        raise NoPublishedSnapshot(f"No published snapshot: {exc}.") from None
    except (LakeUnavailableError, duckdb.Error) as exc:
        raise NoPublishedSnapshot(f"Cannot read {source}: {exc}") from None
    except OSError as exc:  # CURRENT unreadable
        raise NoPublishedSnapshot(
            f"Cannot read the published snapshot in {source}: {exc}"
        ) from None
    return Snapshot(name=state.name, key=state.key, published_at=state.at, source=source)


@contextmanager
def open_current(source: ReadSource) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the current state, closed on exit (never kept across reruns)."""
    try:
        connection = (
            lake_cursor(source) if isinstance(source, LakeConfig) else open_published(source)
        )
    except NoPublishedSnapshotError as exc:
        raise NoPublishedSnapshot(f"No published snapshot: {exc}.") from None
    except (LakeUnavailableError, duckdb.Error) as exc:
        raise NoPublishedSnapshot(f"Cannot open {source}: {exc}") from None
    try:
        # Otherwise a missing table name is looked up among *Python variables* in scope
        # (duckdb replacement scans): a typo could silently query a function or a DataFrame.
        connection.execute("SET python_enable_replacements = false")
        yield connection
    finally:
        connection.close()


@functools.cache
def load_sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _run(source: ReadSource, sql_name: str, params: Mapping[str, Any]) -> pd.DataFrame:
    # open_current re-reads CURRENT (or the lake's latest commit): if newer data landed since the
    # caller resolved its snapshot we read it, which is only ever fresher than the key says.
    with open_current(source) as connection:
        try:
            return connection.execute(load_sql(sql_name), dict(params)).df()
        except duckdb.CatalogException as exc:
            found = _MISSING_TABLE.search(str(exc))
            if found:
                raise MissingTable(found.group(1).strip("\"'!")) from None
            raise SchemaMismatch(f"Query `{sql_name}` does not fit the snapshot: {exc}") from None
        except duckdb.BinderException as exc:
            raise SchemaMismatch(f"Query `{sql_name}` does not fit the snapshot: {exc}") from None


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached(
    snapshot_key: str,
    published_at: float,
    sql_name: str,
    params: tuple[tuple[str, Any], ...],
    _source: ReadSource,
) -> pd.DataFrame:
    # Keyed by the snapshot's full path (or lake commit) and time: a new snapshot, another data
    # dir, or a re-created data dir whose numbering restarted is a new key. The TTL only bounds
    # memory. ``_source`` is not hashed (Streamlit skips leading-underscore arguments).
    del snapshot_key, published_at
    return _run(_source, sql_name, dict(params))


def query(snapshot: Snapshot, sql_name: str, **params: Any) -> pd.DataFrame:
    """Run ``dashboards/sql/<sql_name>.sql`` with named parameters against ``snapshot``."""
    return _cached(
        snapshot.key,
        snapshot.published_at.timestamp(),
        sql_name,
        tuple(sorted(params.items())),
        snapshot.source,
    )


# --- Live now -------------------------------------------------------------------------------
def live_totals(snapshot: Snapshot) -> pd.DataFrame:
    """``snapshot_at, live_channels, total_viewers`` from ``marts.live_totals``, oldest first."""
    return query(snapshot, "live_totals")


def live_streams_now(snapshot: Snapshot) -> pd.DataFrame:
    """Streams in the latest ``source='live'`` snapshot, most viewers first."""
    return query(snapshot, "live_streams_now")


# --- Data health ----------------------------------------------------------------------------
def existing_tables(snapshot: Snapshot) -> set[str]:
    frame = query(snapshot, "existing_tables")
    return set(frame["table_name"])


def _latest_poll_cadence(snapshot: Snapshot, table: str) -> object:
    """The stored cadence of ``table``'s latest poll; None for tables that store none (events,
    clips, marts) or whose latest poll predates the column."""
    if FRESHNESS_COLUMN[table] != "snapshot_at":
        return None
    with contextlib.suppress(SchemaMismatch):
        return query(snapshot, "latest_poll_cadence", table_name=table)["cadence_minutes"].iloc[0]
    return None


def table_health(snapshot: Snapshot) -> pd.DataFrame:
    """Row count, latest time and latest poll's cadence (minutes, when stored) of every table the
    dashboards know, ``missing`` when absent."""
    present = existing_tables(snapshot)
    rows = []
    for table in (*SNAPSHOT_TABLES, *EVENT_TABLES, *QUARANTINE_TABLES):
        if table not in present:
            rows.append(
                {"table": table, "status": "missing", "rows": None, "latest": None,
                 "cadence_minutes": None}
            )  # fmt: skip
            continue
        count = int(query(snapshot, "table_row_count", table_name=table)["row_count"].iloc[0])
        latest = None
        # A table without the usual time column still has a row count worth showing.
        with contextlib.suppress(SchemaMismatch):
            latest = query(snapshot, f"latest_{FRESHNESS_COLUMN[table]}", table_name=table)[
                "latest"
            ].iloc[0]
        rows.append(
            {
                "table": table,
                "status": "ok" if count else "empty",
                "rows": count,
                "latest": latest,
                "cadence_minutes": _latest_poll_cadence(snapshot, table),
            }
        )
    frame = pd.DataFrame(rows)
    frame["latest"] = pd.to_datetime(frame["latest"], utc=True)
    frame["rows"] = frame["rows"].astype("Int64")
    frame["cadence_minutes"] = frame["cadence_minutes"].astype("Float64").astype("Int64")
    return frame


def quarantine_counts(snapshot: Snapshot) -> pd.DataFrame:
    """Rows that failed validation in polling (``core.quarantine``), per table and reason."""
    return query(snapshot, "quarantine_counts")


def webhook_quarantine_counts(snapshot: Snapshot) -> pd.DataFrame:
    """Webhook deliveries the loader could not use (``core.webhook_quarantine``), per reason."""
    return query(snapshot, "webhook_quarantine_counts")


# --- Shared: the period filters of every page (dashboards/filters.py) -----------------------
# Period queries take ``start_at``/``end_at`` (UTC instants of local midnights) and ``tz``: the
# marts' 15-minute intervals make day buckets exact in every zone.
def latest_day(snapshot: Snapshot, tz: str) -> date:
    """The last local day in ``tz`` the marts hold data of; today (UTC) when they hold none."""
    try:
        value = query(snapshot, "latest_day", tz=tz)["latest_day"].iloc[0]
    except DataUnavailable:
        value = None
    if value is None or pd.isna(value):
        return datetime.now(UTC).date()
    return date.fromisoformat(str(value)[:10])


def _period(period: Filters, *, local_days: bool = True) -> dict[str, Any]:
    """``start_at``/``end_at``, and ``tz`` for queries that bucket by local day."""
    args = period.query_args()
    if not local_days:
        del args["tz"]
    return args


# --- Overview -------------------------------------------------------------------------------
def platform_kpis(snapshot: Snapshot, period: Filters) -> pd.DataFrame:
    """One row: hours watched, airtime, channels live, concurrency and monetization totals."""
    return query(snapshot, "platform_kpis", **_period(period))


def platform_daily(snapshot: Snapshot, period: Filters) -> pd.DataFrame:
    return query(snapshot, "platform_daily", **_period(period))


def category_share(snapshot: Snapshot, period: Filters) -> pd.DataFrame:
    return query(snapshot, "category_share", **_period(period, local_days=False))


# --- Growth ---------------------------------------------------------------------------------
def growth_rankings(
    snapshot: Snapshot, as_of: date, window_days: int, metric: str, top_n: int = 50
) -> pd.DataFrame:
    """The ranking of the latest as-of day on or before ``as_of``, best first."""
    return query(
        snapshot,
        "growth_rankings",
        as_of=as_of,
        window_days=window_days,
        metric=metric,
        top_n=top_n,
    )


def follower_curves(
    snapshot: Snapshot, period: Filters, channel_ids: tuple[str, ...]
) -> pd.DataFrame:
    return query(snapshot, "follower_curves", channel_ids=list(channel_ids), **_period(period))


# --- Monetization ---------------------------------------------------------------------------
def monetization_period(
    snapshot: Snapshot, period: Filters, channel_id: str | None = None
) -> pd.DataFrame:
    """Per UTC day of the period: subs (new, renewed, gifted, ended, net), gifts, Volts, points."""
    return query(snapshot, "monetization_period", channel_id=channel_id, **_period(period))


def top_supporters(
    snapshot: Snapshot, period: Filters, channel_id: str | None = None, top_n: int = 20
) -> pd.DataFrame:
    return query(
        snapshot, "top_supporters_period", channel_id=channel_id, top_n=top_n, **_period(period)
    )


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached_revenue(
    snapshot_key: str,
    published_at: float,
    first_day: date,
    end_day: date,
    channel_id: str | None,
    assumptions: revenue.RevenueAssumptions,
    _source: ReadSource,
) -> pd.DataFrame:
    del snapshot_key, published_at  # part of the cache key only, as in ``_cached``
    with open_current(_source) as connection:
        try:
            rows = revenue.estimate(
                connection, first_day, end_day, channel_id=channel_id, assumptions=assumptions
            )
        except duckdb.CatalogException as exc:
            found = _MISSING_TABLE.search(str(exc))
            raise MissingTable(found.group(1).strip("\"'!") if found else str(exc)) from None
    return pd.DataFrame(
        rows,
        columns=[
            "day",
            "channel_id",
            "paid_subs",
            "gifted_subs",
            "volts",
            "sub_revenue",
            "volts_revenue",
            "estimated_revenue",
            "currency",
        ],
    )


def revenue_estimate(
    snapshot: Snapshot,
    period: Filters,
    channel_id: str | None = None,
    assumptions: revenue.RevenueAssumptions = revenue.DEFAULT,
) -> pd.DataFrame:
    """The revenue model (pipeline/marts/revenue.py) over the period's UTC days, priced with
    ``assumptions``: the page's edits are a per-query override, never written back."""
    return _cached_revenue(
        snapshot.key,
        snapshot.published_at.timestamp(),
        period.first_day,
        period.last_day + timedelta(days=1),
        channel_id,
        assumptions,
        snapshot.source,
    )


# --- Creator and stream ---------------------------------------------------------------------
def mart_channels(snapshot: Snapshot) -> pd.DataFrame:
    """``channel_id, username, hours_watched`` of every channel in the marts, most watched first."""
    return query(snapshot, "mart_channels")


def channel_period(snapshot: Snapshot, period: Filters, channel_id: str) -> pd.DataFrame:
    return query(snapshot, "channel_period", channel_id=channel_id, **_period(period))


def category_peers(snapshot: Snapshot, period: Filters, channel_id: str) -> pd.DataFrame:
    return query(
        snapshot, "category_peers", channel_id=channel_id, **_period(period, local_days=False)
    )


def creator_sessions(snapshot: Snapshot, period: Filters, channel_id: str) -> pd.DataFrame:
    return query(
        snapshot, "creator_sessions", channel_id=channel_id, **_period(period, local_days=False)
    )


def channel_clips(
    snapshot: Snapshot, period: Filters, channel_id: str, top_n: int = 10
) -> pd.DataFrame:
    start, end = period.bounds()
    return query(
        snapshot, "channel_clips", channel_id=channel_id, start_at=start, end_at=end, top_n=top_n
    )


def channel_webhook_events(snapshot: Snapshot, channel_id: str) -> pd.DataFrame:
    """``events`` = 0 means the channel never delivered a real webhook (not authorized)."""
    return query(snapshot, "channel_webhook_events", channel_id=channel_id)


def stream_session(snapshot: Snapshot, stream_id: str) -> pd.DataFrame:
    """Rows ``which='this'`` and (when there is one) ``which='previous'``."""
    return query(snapshot, "stream_session", stream_id=stream_id)


def stream_samples(snapshot: Snapshot, stream_id: str) -> pd.DataFrame:
    return query(snapshot, "stream_samples", stream_id=stream_id)


def stream_markers(
    snapshot: Snapshot, channel_id: str, stream_id: str, start_at: datetime, end_at: datetime
) -> pd.DataFrame:
    return query(
        snapshot,
        "stream_markers",
        channel_id=channel_id,
        stream_id=stream_id,
        start_at=start_at,
        end_at=end_at,
    )


def stream_chat(
    snapshot: Snapshot, channel_id: str, start_at: datetime, end_at: datetime
) -> pd.DataFrame:
    return query(snapshot, "stream_chat", channel_id=channel_id, start_at=start_at, end_at=end_at)


# --- Categories and schedule ----------------------------------------------------------------
def category_slugs(snapshot: Snapshot) -> pd.DataFrame:
    return query(snapshot, "category_slugs")


def category_rankings(snapshot: Snapshot, period: Filters) -> pd.DataFrame:
    return query(snapshot, "category_rankings", **_period(period))


def category_share_daily(snapshot: Snapshot, period: Filters) -> pd.DataFrame:
    return query(snapshot, "category_share_daily", **_period(period))


def category_channels(
    snapshot: Snapshot, period: Filters, category_slug: str, top_n: int = 25
) -> pd.DataFrame:
    return query(
        snapshot,
        "category_channels",
        category_slug=category_slug,
        top_n=top_n,
        **_period(period),
    )


def schedule_heatmap(
    snapshot: Snapshot, period: Filters, category_slug: str | None = None
) -> pd.DataFrame:
    return query(snapshot, "schedule_heatmap", category_slug=category_slug, **_period(period))


def channel_schedule(snapshot: Snapshot, period: Filters, channel_id: str) -> pd.DataFrame:
    return query(snapshot, "channel_schedule", channel_id=channel_id, **_period(period))


# --- Data health: webhooks and accuracy -----------------------------------------------------


def webhook_health(snapshot: Snapshot) -> pd.DataFrame:
    return query(snapshot, "webhook_health")


def last_runs(snapshot: Snapshot) -> pd.DataFrame:
    """The newest run of every ingest job and mart (``ops.run_log``), with its last 24 hours."""
    return query(snapshot, "last_runs")


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached_silent(
    snapshot_key: str, published_at: float, minutes: int, _source: ReadSource
) -> pd.DataFrame:
    del snapshot_key, published_at
    with open_current(_source) as connection:
        try:
            silent = find_silent_channels(connection, minutes)
        except duckdb.CatalogException as exc:
            found = _MISSING_TABLE.search(str(exc))
            raise MissingTable(found.group(1).strip("\"'!") if found else str(exc)) from None
    return pd.DataFrame(
        [vars(channel) for channel in silent],
        columns=["channel_id", "username", "live_snapshot_at", "viewer_count", "last_event_at"],
    )


def silent_channels(snapshot: Snapshot, minutes: int) -> pd.DataFrame:
    """The silence alarm (pipeline/webhooks/silence.py) on the snapshot: live channels that
    delivered before but sent nothing for ``minutes``."""
    return _cached_silent(snapshot.key, snapshot.published_at.timestamp(), minutes, snapshot.source)


def accuracy_table(path: Path = accuracy_doc.ACCURACY_JSON) -> pd.DataFrame | None:
    """The measured accuracy of the sampled metrics, or None when it was not measured yet."""
    rows = accuracy_doc.accuracy_rows(path)
    return None if rows is None else pd.DataFrame(rows)


def period_sessions(snapshot: Snapshot, period: Filters, top_n: int = 200) -> pd.DataFrame:
    """The period's sessions of every channel, most watched first (the Stream page's picker)."""
    return query(snapshot, "period_sessions", top_n=top_n, **_period(period, local_days=False))
