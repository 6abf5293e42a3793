"""Download builders: every table as CSV or Parquet bytes, and the creator's session export.

Pure functions (pandas + pyarrow), unit-tested; pages only hand the bytes to
``st.download_button``. Times are written as ISO 8601 with their UTC offset so a spreadsheet in
another timezone reads the same instant.
"""

from __future__ import annotations

import io

import pandas as pd

# Twitch's old channel export ("Stream summary" CSV) named these columns; we keep its names
# where we have the figure, so a creator's spreadsheet formulas keep working.
TWITCH_SESSION_COLUMNS = {
    "started_at": "Start Time",
    "ended_at": "End Time",
    "title": "Title",
    "category_slug": "Category",
    "average_viewers": "Average Viewers",
    "peak_viewers": "Max Viewers",  # our sampled peak: Twitch's was exact
    "minutes_watched": "Minutes Watched",
    "minutes_streamed": "Minutes Streamed",
    "new_followers": "New Followers",
    "chatters": "Chatters",
    "clips": "Clips Created",
    "raids_received": "Raids Received",
    "end_source": "End Source",
}


def _portable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_convert("UTC")
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV without the index; timestamps in ISO 8601 with offset."""
    out = _portable(frame)
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].map(lambda t: t.isoformat() if pd.notna(t) else "")
    return out.to_csv(index=False).encode("utf-8")


def to_parquet(frame: pd.DataFrame) -> bytes:
    """Parquet with the column types kept (timestamps stay timezone-aware, counts stay ints)."""
    buffer = io.BytesIO()
    _portable(frame).reset_index(drop=True).to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def creator_sessions(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions (the ``creator_sessions`` query) in Twitch's channel-export columns.

    Hours become minutes (Twitch exported minutes); columns we do not have are left out rather
    than filled with zeros.
    """
    out = sessions.copy()
    if "hours_watched" in out:
        out["minutes_watched"] = (out["hours_watched"] * 60).round().astype("Int64")
    if "hours_live" in out:
        out["minutes_streamed"] = (out["hours_live"] * 60).round().astype("Int64")
    if "average_viewers" in out:
        out["average_viewers"] = out["average_viewers"].round(1)
    kept = [column for column in TWITCH_SESSION_COLUMNS if column in out]
    return pd.DataFrame(out[kept]).rename(columns=TWITCH_SESSION_COLUMNS)
