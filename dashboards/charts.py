"""Altair charts with units in the axis titles, tooltips and readable axes.

Builders return ``alt.Chart`` (pure: no Streamlit), so pages stay declarative and tests can read
the spec. Counts never get decimal axes (``0.000000``): integer fields use ``format="~s"``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _day_axis(title: str | None = None) -> alt.X:
    return alt.X("day:T", title=title, axis=alt.Axis(format="%b %d", labelAngle=0))


def daily_line(frame: pd.DataFrame, field: str, unit: str, color: str | None = None) -> alt.Chart:
    """One point per day, ``field`` on the y axis titled with its unit."""
    encodings: dict[str, object] = {
        "x": _day_axis(),
        "y": alt.Y(f"{field}:Q", title=unit, axis=alt.Axis(format="~s")),
        "tooltip": [
            alt.Tooltip("day:T", title="Day", format="%Y-%m-%d"),
            alt.Tooltip(f"{field}:Q", title=unit, format=",.1f"),
        ],
    }
    if color is not None:
        encodings["color"] = alt.Color(f"{color}:N", title=None)
        encodings["tooltip"] = [*encodings["tooltip"], alt.Tooltip(f"{color}:N")]  # type: ignore[misc]
    return alt.Chart(frame).mark_line(point=True).encode(**encodings)  # type: ignore[arg-type]


def daily_bars(frame: pd.DataFrame, fields: dict[str, str], unit: str) -> alt.Chart:
    """Stacked bars per day of the ``fields`` (column → legend label)."""
    long = frame.melt(id_vars=["day"], value_vars=list(fields), var_name="series", value_name="v")
    long["series"] = long["series"].map(lambda name: fields[str(name)])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(
                "yearmonthdate(day):O", title=None, axis=alt.Axis(format="%b %d", labelAngle=0)
            ),
            y=alt.Y("sum(v):Q", title=unit, axis=alt.Axis(format="~s")),
            color=alt.Color("series:N", title=None),
            tooltip=[
                alt.Tooltip("yearmonthdate(day):T", title="Day", format="%Y-%m-%d"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("sum(v):Q", title=unit, format=",.0f"),
            ],
        )
    )


def share_bars(frame: pd.DataFrame, label: str, field: str, unit: str) -> alt.Chart:
    """Horizontal bars, biggest first, with the share in the tooltip."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{label}:N", title=None, sort="-x"),
            x=alt.X(f"{field}:Q", title=unit, axis=alt.Axis(format="~s")),
            tooltip=[
                alt.Tooltip(f"{label}:N", title="Category"),
                alt.Tooltip(f"{field}:Q", title=unit, format=",.1f"),
                alt.Tooltip("share_of_hours_watched:Q", title="Share", format=".1%"),
            ],
        )
    )


def share_area(frame: pd.DataFrame) -> alt.Chart:
    """Each category's share of a day's hours watched, stacked to 100 %."""
    return (
        alt.Chart(frame)
        .mark_area()
        .encode(
            x=_day_axis(),
            y=alt.Y(
                "share_of_hours_watched:Q",
                title="share of hours watched",
                stack="normalize",
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("category_slug:N", title="Category"),
            tooltip=[
                alt.Tooltip("day:T", title="Day", format="%Y-%m-%d"),
                alt.Tooltip("category_slug:N", title="Category"),
                alt.Tooltip("share_of_hours_watched:Q", title="Share", format=".1%"),
                alt.Tooltip("hours_watched:Q", title="Hours watched", format=",.1f"),
            ],
        )
    )


def heatmap(frame: pd.DataFrame, field: str, unit: str) -> alt.Chart:
    """Day of week × hour of day (local), ``field`` as the colour."""
    data = frame.assign(weekday_name=frame["weekday"].map(lambda d: WEEKDAYS[int(d) - 1]))
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="hour of day"),
            y=alt.Y("weekday_name:O", title=None, sort=WEEKDAYS),
            color=alt.Color(f"{field}:Q", title=unit),
            tooltip=[
                alt.Tooltip("weekday_name:N", title="Day"),
                alt.Tooltip("hour:O", title="Hour"),
                alt.Tooltip(f"{field}:Q", title=unit, format=",.1f"),
            ],
        )
    )


def viewer_curve(samples: pd.DataFrame, markers: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Sampled viewers of one stream, with a rule per event (raid, follow, sub, ...)."""
    line = (
        alt.Chart(samples)
        .mark_line(point=True)
        .encode(
            x=alt.X("snapshot_at:T", title=None, axis=alt.Axis(format="%H:%M")),
            y=alt.Y("viewer_count:Q", title="viewers (sampled)", axis=alt.Axis(format="~s")),
            tooltip=[
                alt.Tooltip("snapshot_at:T", title="Poll", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("viewer_count:Q", title="Viewers (sampled)", format=","),
                alt.Tooltip("category_slug:N", title="Category"),
            ],
        )
    )
    rules = (
        alt.Chart(markers)
        .mark_rule(strokeDash=[4, 3])
        .encode(
            x="event_at:T",
            color=alt.Color("kind:N", title="Event"),
            tooltip=[
                alt.Tooltip("event_at:T", title="At", format="%H:%M:%S"),
                alt.Tooltip("kind:N", title="Event"),
                alt.Tooltip("amount:Q", title="Amount"),
                alt.Tooltip("who:N", title="Who"),
            ],
        )
    )
    return alt.layer(line, rules)


def time_line(frame: pd.DataFrame, x: str, field: str, unit: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:T", title=None),
            y=alt.Y(f"{field}:Q", title=unit, axis=alt.Axis(format="~s")),
            tooltip=[
                alt.Tooltip(f"{x}:T", title="At", format="%Y-%m-%d %H:%M"),
                alt.Tooltip(f"{field}:Q", title=unit, format=",.1f"),
            ],
        )
    )
