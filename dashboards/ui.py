"""Small Streamlit helpers every page shares: empty states and the sidebar's snapshot line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import pandas as pd
import streamlit as st

from dashboards import exports, filters, formatting, queries
from pipeline.config import ConfigError
from pipeline.marts import definitions

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


# --- Shared page furniture: filters in the URL, KPIs with definitions, downloads ------------
FILTER_KEYS = ("range", "from", "to", "compare", "tz")
_RANGE_LABELS = {**{str(days): f"Last {days} days" for days in filters.PRESETS}, "custom": "Custom"}

NOT_AUTHORIZED = (
    "{channel} has not authorized Velora Analytics, so its follows, subs, gifts, Volts and "
    "points never reach us (Velora only delivers webhooks of channels that connected the app). "
    "Viewer figures from the public live directory are still shown."
)


def filter_bar(snapshot: queries.Snapshot) -> filters.Filters:
    """Date range, compare toggle and timezone in the sidebar, kept in the URL's query params.

    The widgets' first values come from the URL (a shared link), and every change is written
    back to it, so the address bar always reproduces the view. Presets end on the last day the
    snapshot holds data of, so a seeded week is on screen even when it is not this week.
    """
    url = {key: st.query_params[key] for key in FILTER_KEYS if key in st.query_params}
    latest = queries.latest_day(snapshot, url.get("tz") or filters.DEFAULT_TIMEZONE)
    wanted = filters.Filters.from_params(url, latest)
    defaults = {
        "filter_range": wanted.preset,
        "filter_dates": (wanted.first_day, wanted.last_day),
        "filter_compare": wanted.compare,
        "filter_tz": wanted.timezone,
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    with st.sidebar:
        st.subheader("Filters")
        preset = st.selectbox(
            "Date range",
            list(_RANGE_LABELS),
            format_func=lambda key: _RANGE_LABELS[key],
            key="filter_range",
        )
        params: dict[str, str] = {"range": str(preset)}
        if preset == filters.CUSTOM:
            picked = st.date_input("Days", key="filter_dates")
            if isinstance(picked, tuple) and len(picked) == 2:
                params["from"], params["to"] = (day.isoformat() for day in picked)
            else:  # the second click of a range is still to come: keep the last full range
                params["from"], params["to"] = (
                    wanted.first_day.isoformat(),
                    wanted.last_day.isoformat(),
                )
        params["compare"] = (
            "1" if st.toggle("Compare to previous period", key="filter_compare") else "0"
        )
        params["tz"] = str(
            st.selectbox("Timezone (day boundaries)", filters.timezone_choices(), key="filter_tz")
        )
    latest = queries.latest_day(snapshot, params["tz"])
    chosen = filters.Filters.from_params(params, latest)
    for key, value in chosen.to_params().items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    for key in ("from", "to"):
        if key not in chosen.to_params() and key in st.query_params:
            del st.query_params[key]
    st.caption(chosen.label())
    return chosen


def kpi(
    column: Any,
    key: str,
    current: Any,
    previous: Any = None,
    *,
    fmt: Callable[[Any], str] = formatting.compact,
    label: str | None = None,
    inverse: bool = False,
) -> None:
    """One KPI: the value, its delta against the previous period, and its registry definition."""
    column.metric(
        label or definitions.metric(key).label,
        fmt(current),
        delta=formatting.delta(current, previous, fmt) if previous is not None else None,
        delta_color="inverse" if inverse else "normal",
        help=definitions.help_text(key),
    )


def downloads(frame: pd.DataFrame, name: str) -> None:
    """CSV and Parquet downloads of a table (built by ``dashboards.exports``)."""
    csv_col, parquet_col, _ = st.columns([1, 1, 4])
    csv_col.download_button(
        "CSV",
        exports.to_csv(frame),
        f"{name}.csv",
        "text/csv",
        key=f"csv_{name}",
        icon=":material/download:",
    )
    parquet_col.download_button(
        "Parquet",
        exports.to_parquet(frame),
        f"{name}.parquet",
        "application/vnd.apache.parquet",
        key=f"parquet_{name}",
        icon=":material/download:",
    )


def table(frame: pd.DataFrame, name: str, **kwargs: Any) -> None:
    """A table with its downloads underneath."""
    st.dataframe(frame, hide_index=True, width="stretch", **kwargs)
    downloads(frame, name)


def not_authorized(channel: str) -> None:
    st.info(NOT_AUTHORIZED.format(channel=channel), icon=":material/link_off:")
