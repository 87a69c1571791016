"""How numbers look to people: the one home for counts, rates, amounts, changes and dates as text
(terminal, notebooks, workbook labels) and as spreadsheet number formats (xlsx), so every output shows
a value the same way.

A value's *kind* decides its look, never its size: ``count`` (whole people, times, periods), ``rate``
(a fraction 0–1 shown as a percentage), ``number`` (hours, days, scores: one decimal when not whole)
and ``money`` (yuan: two decimals when not whole).
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

DASH = "—"
KINDS = ("count", "rate", "number", "money")

# spreadsheet number formats (Excel and WPS)
XLSX_COUNT = "#,##0"
XLSX_RATE = "0.0%"
XLSX_NUMBER = "#,##0.0"
XLSX_MONEY = "#,##0.00"
XLSX_DATE = "yyyy-mm-dd"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_MONTH = "yyyy-mm"
_XLSX_SIGNED = {
    "count": "+#,##0;-#,##0;0",
    "rate": "+0.0%;-0.0%;0.0%",  # a change of a rate, in percentage points (labelled 个百分点)
    "number": "+#,##0.0;-#,##0.0;0",
    "money": "+#,##0.00;-#,##0.00;0",
}
POINTS = "个百分点"


def is_missing(value: Any) -> bool:
    """None, NaN, NA and NaT."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _whole(value: float) -> bool:
    return float(value).is_integer()


def count(value: Any, missing: str = "") -> str:
    """1394 → "1,394"."""
    return missing if is_missing(value) else f"{round(float(value)):,}"


def percent(value: Any, missing: str = "", digits: int = 1) -> str:
    """0.8262 → "82.6%" (rates are stored as fractions)."""
    return missing if is_missing(value) else f"{float(value):.{digits}%}"


def number(value: Any, missing: str = "") -> str:
    """494 → "494", 383.5 → "383.5", 12000 → "12,000"."""
    if is_missing(value):
        return missing
    return f"{float(value):,.0f}" if _whole(value) else f"{float(value):,.1f}"


def money(value: Any, missing: str = "") -> str:
    """9500 → "9,500", 12.5 → "12.50"."""
    if is_missing(value):
        return missing
    return f"{float(value):,.0f}" if _whole(value) else f"{float(value):,.2f}"


def value(v: Any, kind: str = "count", missing: str = DASH) -> str:
    """A value of the given kind as text."""
    if kind == "rate":
        return percent(v, missing)
    if kind == "count":
        return count(v, missing)
    if kind == "money":
        return money(v, missing)
    return number(v, missing)


def change(v: Any, kind: str = "count", missing: str = DASH) -> str:
    """A year-over-year change: "+7", "−1", "±0"; for rates "+0.1 个百分点"."""
    if is_missing(v):
        return missing
    if kind == "rate":
        return f"{float(v) * 100:+.1f} {POINTS}"
    sign = "+" if v > 0 else ("−" if v < 0 else "±")
    return f"{sign}{value(abs(v), kind)}"


def day(v: Any, missing: str = "") -> str:
    """A date as 2022-03-05 (a time of day, if any, is dropped)."""
    if is_missing(v):
        return missing
    return f"{pd.Timestamp(v):%Y-%m-%d}"


def xlsx_format(kind: str, v: Any = None) -> str:
    """The spreadsheet number format of a value of this kind (whole numbers without decimals)."""
    if kind == "rate":
        return XLSX_RATE
    if kind == "count" or (v is not None and not is_missing(v) and _whole(v)):
        return XLSX_COUNT
    return XLSX_MONEY if kind == "money" else XLSX_NUMBER


def xlsx_change_format(kind: str, v: Any = None) -> str:
    """A signed format for a change (+7 / -1 / 0; +0.1% for a rate's change in percentage points)."""
    if kind in ("number", "money") and v is not None and not is_missing(v) and _whole(v):
        return _XLSX_SIGNED["count"]
    return _XLSX_SIGNED.get(kind, _XLSX_SIGNED["number"])


def xlsx_date_format(values: Iterable[Any]) -> str:
    """yyyy-mm-dd, or with the time when any value has one."""
    for v in values:
        if isinstance(v, dt.datetime) and (v.hour or v.minute or v.second or v.microsecond):
            return XLSX_DATETIME
    return XLSX_DATE


# --------------------------------------------------------------------------------------------------
# Tables as text (terminal, notebooks)
# --------------------------------------------------------------------------------------------------


def column_kind(series: pd.Series, rate: bool = False) -> str:
    """What a column holds, from its type: rate (when the caller says so), count (integers), number,
    date, datetime, bool or text."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        present = series.dropna()
        return "datetime" if len(present) and (present != present.dt.normalize()).any() else "date"
    if pd.api.types.is_numeric_dtype(dtype):
        if rate:
            return "rate"
        return "count" if pd.api.types.is_integer_dtype(dtype) else "number"
    return "text"


NUMERIC_KINDS = frozenset({"count", "rate", "number", "money"})
FIGURE = "figure"  # a number already written as text: shown as is, right-aligned
RIGHT_ALIGNED = NUMERIC_KINDS | {FIGURE}


def cell_text(v: Any, kind: str) -> str:
    """One cell as text for its column's kind (missing → empty)."""
    if is_missing(v):
        return ""
    if kind == "rate":
        return percent(v)
    if kind == "count":
        return count(v)
    if kind == "number":
        return number(v)
    if kind == "money":
        return money(v)
    if kind == "date":
        return day(v)
    if kind == "datetime":
        return f"{pd.Timestamp(v):%Y-%m-%d %H:%M}"
    if kind == "bool":
        return "是" if v else "否"
    if isinstance(v, pd.Timestamp | dt.date):
        return day(v)
    return str(v)


def column_kinds(frame: pd.DataFrame, rates: Iterable[str] = ()) -> dict[str, str]:
    """Kind of every column; ``rates`` names the columns holding fractions shown as percentages."""
    chosen = {str(c) for c in rates}
    return {c: column_kind(frame[c], str(c) in chosen) for c in frame.columns}


def text_frame(
    frame: pd.DataFrame, rates: Iterable[str] = (), kinds: dict[str, str] | None = None
) -> pd.DataFrame:
    """Every cell as display text (counts as integers, rates as percentages, dates as days)."""
    kinds = kinds or column_kinds(frame, rates)
    return pd.DataFrame(
        {c: [cell_text(v, kinds[c]) for v in frame[c].tolist()] for c in frame.columns},
        index=frame.index,
        dtype=object,
    )


class Shown:
    """What a notebook cell shows for a value: HTML (or Markdown) for people, and the same words as
    plain text instead of a Python repr."""

    def __init__(self, text: str, html_text: str | None = None, markdown: str | None = None) -> None:
        self.text, self.html, self.markdown = text, html_text, markdown

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str | None:
        return self.html

    def _repr_markdown_(self) -> str | None:
        return self.markdown


def note(text: str) -> Shown:
    """A sentence shown as text (not as a quoted Python string)."""
    return Shown(text, markdown=text)


def table(
    frame: pd.DataFrame,
    rates: Iterable[str] = (),
    colours: dict[str, str] | None = None,
    kinds: dict[str, str] | None = None,
) -> Shown:
    """A frame shown without its index, every value formatted by its column's kind; numbers right-aligned.
    ``colours`` maps a cell text to a background colour (e.g. {"√": "#C6EFCE"})."""
    kinds = kinds or column_kinds(frame, rates)
    texts = text_frame(frame, kinds=kinds)
    colours = colours or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in texts.columns)
    body = []
    for row in texts.itertuples(index=False):
        cells = []
        for column, text in zip(texts.columns, row, strict=True):
            style = ["text-align:right"] if kinds[column] in RIGHT_ALIGNED else ["text-align:left"]
            if text in colours:
                style.append(f"background-color:{colours[text]}")
            cells.append(f'<td style="{";".join(style)}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    markup = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    plain = texts.to_string(index=False) if len(texts.columns) else ""
    return Shown(plain, html_text=markup)
