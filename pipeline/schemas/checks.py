"""Reusable Pandera (polars) checks."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from pipeline.pandera_polars import pa

# A poll tick is the *scheduled* time; the fetch happens a little later, so a timestamp a few
# minutes after the tick is real, not from the future. Anything beyond this is a bad clock/value.
FUTURE_TOLERANCE = timedelta(minutes=15)


def not_after(column: str, reference: str, tolerance: timedelta = FUTURE_TOLERANCE) -> pa.Check:
    """Row-wise: ``column`` (nullable) is not later than ``reference`` + ``tolerance``."""

    def check(data: pa.PolarsData) -> pl.LazyFrame:
        value = pl.col(column)
        return data.lazyframe.select(
            (value.is_null() | (value <= pl.col(reference) + tolerance)).alias("ok")
        )

    return pa.Check(check, name=f"{column}_not_after_{reference}")
