"""Column helpers: apply a function once per distinct value of a long column and spread the results
back over its rows as typed (Arrow string, bool) columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa


def factorizable(series: pd.Series) -> pd.Series:
    """Arrow string columns are factorised as they are (fast); anything else as Python objects."""
    return series if isinstance(series.dtype, pd.StringDtype) else series.astype(object)


def map_unique_fields(
    series: pd.Series, func: Callable[[Any], Any], fields: tuple[str, ...]
) -> dict[str, pd.Series]:
    """Apply ``func`` once per distinct value and return the named attributes of its results as columns:
    a field whose results are all text (or None) becomes an Arrow string column, one of booleans a bool
    column, anything else an object column (no per-row Python objects for the first two)."""
    codes, uniques = pd.factorize(factorizable(series), use_na_sentinel=True)
    results = [func(v) for v in uniques] + [func(None)]
    return {name: typed_column([getattr(r, name) for r in results], codes, series.index) for name in fields}


STR = pd.StringDtype("pyarrow", na_value=np.nan)


def typed_column(values: list[Any], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """The per-distinct-value ``values`` spread over the rows by ``codes`` (-1: the last value)."""
    codes = np.where(codes < 0, len(values) - 1, codes)
    if all(v is None or isinstance(v, str) for v in values):
        taken = pa.array(values, type=pa.string()).take(pa.array(codes))
        return pd.Series(taken, index=index, dtype=STR)
    column = np.empty(len(values), dtype=object)
    column[:] = values  # element-wise: tuples stay tuples
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        column = column.astype(bool)
    return pd.Series(column[codes], index=index)


def map_unique(series: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """Apply ``func`` once per distinct value (fast on long columns with few distinct values)."""
    values = factorizable(series)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [func(v) for v in uniques] + [func(None)]
    mapped = np.empty(len(results), dtype=object)
    mapped[:] = results  # element-wise: tuples stay tuples
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def map_unique_str(series: pd.Series, func: Callable[[Any], str | None]) -> pd.Series:
    """map_unique for a function that returns text or None: the result is an Arrow string column built
    from the distinct results (no per-row Python objects)."""
    codes, uniques = pd.factorize(factorizable(series), use_na_sentinel=True)
    results = pa.array([func(v) for v in uniques] + [func(None)], type=pa.string())
    taken = results.take(pa.array(np.where(codes < 0, len(results) - 1, codes)))
    return pd.Series(taken, index=series.index, dtype=STR)
