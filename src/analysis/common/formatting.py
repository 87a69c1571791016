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
import re
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
POINTS = "个百分点"
_XLSX_SIGNED = {
    "count": "+#,##0;-#,##0;0",
    # a change of a rate, stored in percentage points (0.5 means half a point): "+0.5 个百分点"
    "rate": f'+0.0" {POINTS}";-0.0" {POINTS}";0" {POINTS}"',
    "number": "+#,##0.0;-#,##0.0;0",
    "money": "+#,##0.00;-#,##0.00;0",
}


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


def percent(value: Any, missing: str = "", digits: int = 1, signed: bool = False) -> str:
    """0.8262 → "82.6%" (rates are stored as fractions); ``signed``: "+82.6%"."""
    if is_missing(value):
        return missing
    return f"{float(value):+.{digits}%}" if signed else f"{float(value):.{digits}%}"


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


def shown_points(v: Any) -> float:
    """A rate as its shown percentage, as a number: 0.82649 → 82.6 (what ``percent`` writes)."""
    return float(f"{float(v) * 100:.1f}")


def shown_change(current: Any, previous: Any, kind: str = "count") -> float | None:
    """Current − previous as a reader can check it from the shown values: for a rate, the difference of
    the two percentages as shown (82.6% − 82.5% → 0.001, never 0.0014 shown as "+0.1" beside values
    differing by 0.1 although the unrounded change rounds to 0.2); None when either is missing."""
    if is_missing(current) or is_missing(previous):
        return None
    if kind == "rate":
        return round(shown_points(current) - shown_points(previous), 1) / 100
    return float(current) - float(previous)


def points(change_fraction: Any) -> float | None:
    """A rate's change (a fraction, e.g. 0.001) in percentage points, as stored in the workbook (0.1)."""
    return None if is_missing(change_fraction) else round(float(change_fraction) * 100, 1)


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


def change_words(v: Any, kind: str = "count", unit: str = "", sep: str = " ", missing: str = DASH) -> str:
    """A year-over-year change in words, as sentences say it: "增加 3名", "减少 1.5小时",
    "提高 1.2 个百分点" (a rate's change), "持平". ``sep`` goes between the word, the number and 个百分点
    ("" in table cells: "增加3名")."""
    if is_missing(v):
        return missing
    if abs(float(v)) < 1e-9:
        return "持平"
    if kind == "rate":
        return f"{'提高' if v > 0 else '下降'}{sep}{abs(float(v)) * 100:.1f}{sep}{POINTS}"
    return f"{'增加' if v > 0 else '减少'}{sep}{value(abs(v), kind)}{unit}"


def day(v: Any, missing: str = "") -> str:
    """A date as 2022-03-05 (a time of day, if any, is dropped)."""
    if is_missing(v):
        return missing
    return f"{pd.Timestamp(v):%Y-%m-%d}"


def moment(v: Any, missing: str = "") -> str:
    """A date and time as 2022-03-05 14:30."""
    if is_missing(v):
        return missing
    return f"{pd.Timestamp(v):%Y-%m-%d %H:%M}"


def xlsx_format(kind: str, v: Any = None) -> str:
    """The spreadsheet number format of a value of this kind (whole numbers without decimals)."""
    if kind == "rate":
        return XLSX_RATE
    if kind == "count" or (v is not None and not is_missing(v) and _whole(v)):
        return XLSX_COUNT
    return XLSX_MONEY if kind == "money" else XLSX_NUMBER


def xlsx_change_format(kind: str, v: Any = None) -> str:
    """A signed format for a change (+7 / -1 / 0; "+0.1 个百分点" for a rate's change, whose cell holds
    the percentage points: see ``points``)."""
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
        return moment(v)
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
    """A frame shown without its index, every value formatted by its column's kind; numbers right-aligned,
    text (and its header) left-aligned. ``colours`` maps a cell text to a background colour (e.g. {"√": "#C6EFCE"})."""
    kinds = kinds or column_kinds(frame, rates)
    texts = text_frame(frame, kinds=kinds)
    colours = colours or {}

    def align(column: Any) -> str:  # the header over its cells (JupyterLab right-aligns all by default)
        return "text-align:right" if kinds[column] in RIGHT_ALIGNED else "text-align:left"

    head = "".join(f'<th style="{align(c)}">{html.escape(str(c))}</th>' for c in texts.columns)
    body = []
    for row in texts.itertuples(index=False):
        cells = []
        for column, text in zip(texts.columns, row, strict=True):
            style = [align(column)]
            if text in colours:
                style.append(f"background-color:{colours[text]}")
            cells.append(f'<td style="{";".join(style)}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    markup = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    plain = texts.to_string(index=False) if len(texts.columns) else ""
    return Shown(plain, html_text=markup)


# --------------------------------------------------------------------------------------------------
# Typography of Chinese running text (the summary document, the notebooks' sentences, chart captions)
# --------------------------------------------------------------------------------------------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FULL_WIDTH = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’…—·"
_SPACE = "[ \u00a0\u2009\u3000]+"
_ISO_DATE = re.compile(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d.])")
_AFTER_NUMBER = re.compile(rf"(?<=[\d%‰％]){_SPACE}(?=[{_HAN}{_FULL_WIDTH}])")
_BEFORE_NUMBER = re.compile(rf"(?<=[{_HAN}{_FULL_WIDTH}]){_SPACE}(?=[\d+\-−±])")
_CAPTION_LABEL = re.compile(r"^([图表]\d+ )")
_TRAILING_ZERO = re.compile(rf"(?<![\d.])(\d+)\.0(?=%|{POINTS})")


def typeset(text: str) -> str:
    """The one typography rule for numbers, units and dates in Chinese text (GB/T 15834, GB/T 15835
    practice), applied to every text of the summary document and the notebooks' sentences:

    - no space between a number and a Chinese word or unit, before or after it: "团员300名",
      "13,824人次", "提高0.1个百分点", "开展“青年大学习”51期";
    - dates as 2022年5月10日 (an ISO date 2022-05-10 is rewritten; "2022 年 12 月 31 日" loses its
      spaces by the rule above);
    - percentages and percentage points without a trailing .0: "90%", "提高1个百分点" (82.6% stays).

    Spaces between two numbers ("表1 2022年…"), after a caption's number ("图3 各团支部…") and around
    Latin words are kept. Applying it twice changes nothing (a text that passes the rule is returned as
    is)."""
    label = _CAPTION_LABEL.match(text)
    if label:
        return label[1] + typeset(text[label.end(1) :])
    text = _ISO_DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", text)
    text = _AFTER_NUMBER.sub("", text)
    text = _BEFORE_NUMBER.sub("", text)
    return _TRAILING_ZERO.sub(r"\1", text)
