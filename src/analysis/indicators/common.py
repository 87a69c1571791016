"""Small shared helpers of the indicator functions."""

from __future__ import annotations

import pandas as pd


def year_bounds(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of ``year``."""
    return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)


def in_year(dates: pd.Series, year: int) -> pd.Series:
    """Mask of dates falling in ``year`` (missing dates are not in any year)."""
    return pd.to_datetime(dates).dt.year.eq(year).fillna(False).astype(bool)


def age_on(birth: pd.Series, day: pd.Timestamp) -> pd.Series:
    """Whole years of age on ``day`` (NA when the birth date is unknown)."""
    birth = pd.to_datetime(birth)
    years = day.year - birth.dt.year
    before_birthday = (birth.dt.month > day.month) | (
        (birth.dt.month == day.month) & (birth.dt.day > day.day)
    )
    return (years - before_birthday.astype("Int64")).astype("Int64")
