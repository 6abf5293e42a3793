"""Small Streamlit helpers every page shares: empty states and the sidebar's snapshot line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import pandas as pd
import streamlit as st

from dashboards import queries
from pipeline.config import ConfigError

HOW_TO_GET_DATA = (
    "To get data, run `make demo` (twin, pipeline and dashboard together) or "
    "`velora seed --days 1` (one day of history, published as a snapshot), then reload this page."
)


def show_unavailable(reason: str) -> None:
    st.info(f"{reason}\n\n{HOW_TO_GET_DATA}", icon=":material/database_off:")


def require_snapshot() -> queries.Snapshot:
    """The current snapshot, or an explanation on the page and the page stops there."""
    try:
        return queries.current_snapshot()
    except queries.DataUnavailable as exc:
        show_unavailable(str(exc))
    except ConfigError as exc:
        st.error(f"Configuration problem: {exc}")
    st.stop()


def load(fetch: Callable[..., pd.DataFrame], *args: Any, nothing_yet: str) -> pd.DataFrame | None:
    """Run a query; on a missing table or no rows, explain on the page and return ``None``."""
    try:
        frame = fetch(*args)
    except queries.SchemaMismatch as exc:
        st.warning(f"{exc}\n\nThe snapshot was written by an older or newer pipeline version.")
        return None
    except queries.DataUnavailable as exc:
        show_unavailable(str(exc))
        return None
    if frame.empty:
        show_unavailable(nothing_yet)
        return None
    return frame


def sidebar_snapshot() -> None:
    """Name and publish time of the snapshot every page reads."""
    with st.sidebar:
        try:
            snapshot = queries.current_snapshot()
        except queries.DataUnavailable:
            st.caption("Snapshot: none published yet")
            return
        except ConfigError as exc:
            st.caption(f"Snapshot: configuration problem ({exc})")
            return
        published = snapshot.published_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        st.caption(f"Snapshot: `{snapshot.name}`  \nPublished: {published}")


def format_count(value: Any) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{int(round(float(value))):,}"


def format_hours(value: Any) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{value:,.1f} h"


def format_time(value: Any) -> str:
    if value is None or pd.isna(value):
        return "–"
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M UTC")


def to_datetime(value: Any) -> datetime | None:
    """A query cell as a timezone-aware UTC ``datetime``; ``None`` for NULL/NaT."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return cast(datetime, stamp.to_pydatetime())


def format_short_time(value: Any) -> str:
    """Short enough for an ``st.metric`` (label the metric "(UTC)")."""
    if value is None or pd.isna(value):
        return "–"
    return pd.Timestamp(value).strftime("%b %d, %H:%M")
