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
_REMEMBERED = "filter_params"
_CHANGED_BY_WIDGET = "filter_changed_by_widget"
_RANGE_LABELS = {**{str(days): f"Last {days} days" for days in filters.PRESETS}, "custom": "Custom"}

NOT_AUTHORIZED = (
    "{channel} has not authorized Velora Analytics, so its follows, subs, gifts, Volts and "
    "points never reach us (Velora only delivers webhooks of channels that connected the app). "
    "Viewer figures from the public live directory are still shown."
)


def _widget_params() -> dict[str, str]:
    state = st.session_state
    params = {
        "range": str(state["filter_range"]),
        "compare": "1" if state["filter_compare"] else "0",
        "tz": str(state["filter_tz"]),
    }
    picked = state.get("filter_dates")
    if params["range"] == filters.CUSTOM and isinstance(picked, tuple) and len(picked) == 2:
        params["from"], params["to"] = (day.isoformat() for day in picked)
    elif params["range"] == filters.CUSTOM:  # the second click of a range is still to come
        remembered = state.get(_REMEMBERED, {})
        params["from"], params["to"] = remembered.get("from", ""), remembered.get("to", "")
    return params


def _remember_widgets() -> None:
    st.session_state[_REMEMBERED] = _widget_params()
    st.session_state[_CHANGED_BY_WIDGET] = True


def filter_bar(snapshot: queries.Snapshot) -> filters.Filters:
    """Date range, compare toggle and timezone in the sidebar, kept in the URL's query params.

    The URL is the source of truth: a shared link sets the widgets; a widget change (its
    callback) rewrites the URL. The choice is also kept in non-widget state, which survives a
    page switch, so the filters follow the reader from page to page. Presets end on the last day
    the snapshot holds data of, so a seeded week is on screen even when it is not this week.
    """
    url = {key: st.query_params[key] for key in FILTER_KEYS if key in st.query_params}
    remembered: dict[str, str] = st.session_state.get(_REMEMBERED, {})
    if url and not st.session_state.pop(_CHANGED_BY_WIDGET, False):
        remembered = url  # a shared link, or the address bar edited
    latest = queries.latest_day(snapshot, remembered.get("tz") or filters.DEFAULT_TIMEZONE)
    wanted = filters.Filters.from_params(remembered, latest)
    st.session_state["filter_range"] = wanted.preset
    st.session_state["filter_dates"] = (wanted.first_day, wanted.last_day)
    st.session_state["filter_compare"] = wanted.compare
    st.session_state["filter_tz"] = wanted.timezone
    with st.sidebar:
        st.subheader("Filters")
        st.selectbox(
            "Date range",
            list(_RANGE_LABELS),
            format_func=lambda key: _RANGE_LABELS[key],
            key="filter_range",
            on_change=_remember_widgets,
        )
        if wanted.preset == filters.CUSTOM:
            st.date_input("Days", key="filter_dates", on_change=_remember_widgets)
        st.toggle("Compare to previous period", key="filter_compare", on_change=_remember_widgets)
        st.selectbox(
            "Timezone (day boundaries)",
            filters.timezone_choices(),
            key="filter_tz",
            on_change=_remember_widgets,
        )
    st.session_state[_REMEMBERED] = wanted.to_params()
    for key in FILTER_KEYS:
        value = wanted.to_params().get(key)
        if value is None:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != value:
            st.query_params[key] = value
    st.caption(wanted.label())
    return wanted


_FORMAT_BY_UNIT: dict[str, Callable[[Any], str]] = {
    "hours": formatting.duration,
    "percent": formatting.percent,
    "follows per hour": lambda v: formatting.compact(v) if v is None else f"{float(v):.2f}",
}


def kpi(
    column: Any,
    key: str,
    current: Any,
    previous: Any = None,
    *,
    fmt: Callable[[Any], str] | None = None,
    label: str | None = None,
    inverse: bool = False,
) -> None:
    """One KPI: the value, its delta against the previous period, and its registry definition.
    The format follows the metric's unit in the registry (hours as 4h 05m) unless ``fmt``."""
    fmt = fmt or _FORMAT_BY_UNIT.get(definitions.metric(key).unit, formatting.compact)
    column.metric(
        label or definitions.metric(key).label,
        fmt(current),
        delta=formatting.delta(current, previous, fmt) if previous is not None else None,
        delta_color="inverse" if inverse else "normal",
        help=definitions.help_text(key),
    )


def downloads(frame: pd.DataFrame, name: str) -> None:
    """CSV and Parquet downloads of a table (built by ``dashboards.exports``). The bytes are
    built only when the reader clicks (Streamlit's deferred download): building both files of
    every table on every run cost Monetization 0.2 s a run. No rerun on the click either."""
    csv_col, parquet_col, _ = st.columns([1, 1, 4])
    csv_col.download_button(
        "CSV",
        lambda: exports.to_csv(frame),
        f"{name}.csv",
        "text/csv",
        key=f"csv_{name}",
        on_click="ignore",
        icon=":material/download:",
    )
    parquet_col.download_button(
        "Parquet",
        lambda: exports.to_parquet(frame),
        f"{name}.parquet",
        "application/vnd.apache.parquet",
        key=f"parquet_{name}",
        on_click="ignore",
        icon=":material/download:",
    )


def metric_column(key: str, label: str, fmt: str = "%.1f") -> Any:
    """A table column of a registered metric: its format and its definition as the help."""
    return st.column_config.NumberColumn(label, format=fmt, help=definitions.help_text(key))


# A table shows at most this many rows; its downloads hold every row. The platform's revenue
# estimate is one row per channel-day (8,749 rows, 0.7 MB to the browser, for a week of 2,000
# creators), which no reader scrolls through in a page.
MAX_TABLE_ROWS = 500


def table(frame: pd.DataFrame, name: str, **kwargs: Any) -> None:
    """A table (its first ``MAX_TABLE_ROWS`` rows) with downloads of all of it underneath."""
    st.dataframe(frame.head(MAX_TABLE_ROWS), hide_index=True, width="stretch", **kwargs)
    if len(frame) > MAX_TABLE_ROWS:
        st.caption(
            f"Showing the first {MAX_TABLE_ROWS:,} of {len(frame):,} rows; "
            "the downloads hold all of them."
        )
    downloads(frame, name)


def channel_picker(
    channels: pd.DataFrame, label: str, *, none_label: str | None = None
) -> str | None:
    """A channel select kept in the URL (``?channel=`` username or id; the username is written
    back). With ``none_label`` the first option picks no channel and returns None."""
    names = dict(zip(channels["channel_id"], channels["username"], strict=True))
    options = ([""] if none_label is not None else []) + list(channels["channel_id"])
    wanted = st.query_params.get("channel", "")
    choice = st.selectbox(
        label,
        options,
        index=next((i for i, c in enumerate(options) if c and wanted in (c, names.get(c))), 0),
        format_func=lambda c: str(none_label) if c == "" else str(names.get(c) or c),
    )
    if not choice:
        st.query_params.pop("channel", None)
        return None
    st.query_params["channel"] = str(names.get(choice) or choice)
    return str(choice)


def not_authorized(channel: str) -> None:
    st.info(NOT_AUTHORIZED.format(channel=channel), icon=":material/link_off:")


def page(title: str) -> tuple[queries.Snapshot, filters.Filters]:
    """Every page's top: the title, the snapshot (or an explanation) and the shared filters."""
    st.title(title)
    snapshot = require_snapshot()
    return snapshot, filter_bar(snapshot)


def chart(spec: Any) -> None:
    st.altair_chart(spec, width="stretch")
