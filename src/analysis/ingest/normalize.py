"""Value normalisation: text, names, numbers, dates, 青年大学习 period labels, identity strings.

All functions accept the raw cell values as read (str, float, int, datetime, None) and work on whole
columns; expensive parsing is done once per distinct value.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.common.columns import STR, factorizable, map_unique, map_unique_str, typed_column
from analysis.common.text import BRANCH_SUFFIXES as BRANCH_SUFFIXES  # re-exported: the home is text.py
from analysis.common.text import PLACEHOLDERS, SPACES, clean_text, compact, is_blank, is_placeholder
from analysis.common.text import stem as stem
from analysis.safety.personal_numbers import ID18

# ---------------------------------------------------------------- text

_SPACES = SPACES
_DOTS = re.compile(r"(?<=[\u3400-\u9fff])\s*[•・･‧∙⋅.．。·]\s*(?=[\u3400-\u9fff])")
_CJK = re.compile(r"[\u3400-\u9fff]")


def blank_mask(series: pd.Series) -> pd.Series:
    """Vectorised is_blank over a column (missing, or text of only spaces of any kind)."""
    text = series.astype("str")
    stripped = text.str.strip()
    only_spaces = stripped.eq("").fillna(False).astype(bool)
    # zero-width characters are not spaces to str.strip: a cell of them (and spaces) starts with one
    # once stripped; only those few cells go through the regex
    odd = stripped.str.startswith(("\u200b", "\ufeff")).fillna(False).to_numpy(dtype=bool)
    if odd.any():  # positional: a melted sheet's index repeats
        cleaned = text[odd].str.replace("[\u200b\ufeff]", "", regex=True).str.strip().eq("")
        only_spaces[odd] = cleaned.fillna(False).to_numpy(dtype=bool)
    return (series.isna() | only_spaces).astype(bool)


def present_mask(series: pd.Series) -> pd.Series:
    """Cells that hold something (the complement of blank_mask)."""
    return ~blank_mask(series)


def normalize_name(value: Any) -> str | None:
    """A person's name for matching: NFKC, no spaces, middle dots of minority names unified to ·."""
    text = compact(value)
    if not text:
        return None
    text = _DOTS.sub("·", text)
    return text


def text_column(series: pd.Series) -> pd.Series:
    """A column of clean text (str dtype, NA for blanks)."""
    return map_unique_str(series, clean_text)


_PLACEHOLDER_LEN = max(map(len, PLACEHOLDERS)) + 4  # spaces around one


def without_placeholders(series: pd.Series) -> pd.Series:
    """An optional column with its placeholders (无, 暂无, /, -, —, 空, (空), 否 …) turned into missing cells."""
    if series.dtype.kind in "mMfiub" or series.isna().all():  # dates and numbers hold no placeholder
        return series
    short = series.astype("str").str.len().le(_PLACEHOLDER_LEN).fillna(False).to_numpy(dtype=bool)
    if not short.any():  # a long column of timestamps or names: nothing as short as a placeholder
        return series
    hit = np.zeros(len(series), dtype=bool)
    hit[short] = map_unique(series[short], is_placeholder).astype(bool).to_numpy() & series[short].notna()
    return series.where(~hit) if hit.any() else series


# ---------------------------------------------------------------- yes / no

_TRUE = {
    "是",
    "√",
    "✓",
    "✔",
    "已打卡",
    "已完成",
    "完成",
    "已学习",
    "已学",
    "1",
    "Y",
    "YES",
    "TRUE",
    "T",
    "有",
    "打卡",
    "正常",  # a check-in platform's 打卡状态: 正常 / 外勤 / 迟到 … are punches, 未打卡 / 缺卡 are not
    "外勤",
    "迟到",
    "早退",
    "地点异常",
    "补卡",
}
_FALSE = {
    "否",
    "×",
    "✗",
    "✘",
    "未打卡",
    "缺卡",
    "旷工",
    "未完成",
    "未学习",
    "未学",
    "0",
    "N",
    "NO",
    "FALSE",
    "F",
    "无",
    "-",
}


def parse_flag(value: Any) -> bool | None:
    """是/否, √/×, 1/0, 已打卡/未打卡 … → bool; blank → None; anything else → None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = (compact(value) or "").upper()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


# ---------------------------------------------------------------- numbers

_NUM = re.compile(r"^[-+]?\d+(?:\.\d+)?")


_CURRENCY = re.compile(r"^(?:¥|RMB|人民币)")


def parse_number(value: Any) -> float | None:
    """12, 12.0, "12", "１２人", "3.5小时", "1,036" → float; blank → None; unparsable → NaN."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = compact(value)
    if text is None or text in PLACEHOLDERS:  # 无, -, (空), 问卷星's (跳过)
        return None
    text = _CURRENCY.sub("", text.replace(",", ""))  # ¥1,500.00 / ￥800 / 人民币500元
    m = _NUM.match(text)
    if not m:
        return math.nan
    rest = text[m.end() :]
    if rest and not re.fullmatch(r"(人|人次|名|个|次|小时|h|H|时|元|元整|分|天|\.0+)?", rest):
        return math.nan
    return float(m.group())


def number_column(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(float column, mask of cells that were present but not a number)."""
    parsed = map_unique(series, parse_number)
    values = pd.to_numeric(parsed, errors="coerce").astype("float64")
    bad = parsed.map(lambda v: isinstance(v, float) and math.isnan(v)).astype(bool)
    return values, bad


# ---------------------------------------------------------------- chinese numerals

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(text: str) -> int | None:
    """'5', '十四', '二十', '二十三', '一百零二' → int; None if not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in "十百" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


# ---------------------------------------------------------------- dates

EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass(frozen=True)
class ParsedDate:
    """One parsed cell: a timestamp, its precision, and an alternative reading when ambiguous."""

    value: pd.Timestamp | None
    precision: str | None = None  # "time", "day" or "month"
    alternative: pd.Timestamp | None = None
    problem: str | None = None
    yearless: bool = False  # written without a year ("6.30", a float 6.3): the year came from the hint


_FULL = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}(?:\.\d+)?))?秒?)?$"
)
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD = re.compile(
    r"^(\d{1,2})\s*[./月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[T\s]*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}(?:\.\d+)?))?[分秒]?)?$"
)
# a date in Chinese numerals, as documents are dated: 二〇二二年一月十三日, 二〇一九年五月
_CN_DATE = re.compile(
    r"^([〇零○一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月份?(?:\s*([一二三四五六七八九十]{1,3})\s*[日号])?$"
)
_MONTH_ONLY = re.compile(r"^[（(]?\s*([一二三四五六七八九十]+|\d{1,2})\s*月份?\s*[)）]?$")


def _make(year: int, month: int, day: int, *rest: int) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(dt.datetime(year, month, day, *rest))
    except ValueError:
        return None


def _from_month_day(month: int, day_digits: str, year: int) -> ParsedDate:
    """'6.30' text → June 30; floats lose trailing zeros, so a float 6.3 may be June 3 or June 30."""
    day = int(day_digits)
    value = _make(year, month, day)
    if value is None:
        return ParsedDate(None, problem=f"“{month}.{day_digits}”不是有效日期")
    return ParsedDate(value, "day", yearless=True)


_WEEKDAY = re.compile(r"\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?$")


def parse_date(value: Any, year_hint: int | None = None, month_only: bool = False) -> ParsedDate:
    """Parse one cell in any of the shapes of docs/definitions.md, section 6, item 6.

    ``year_hint`` completes month.day dates ("6.30"); ``month_only`` reads the column as year-month
    (入团年月): "2019.10", "2019年10月", and a float 2019.1 (trailing zero lost: October, reported).
    """
    if is_blank(value):
        return ParsedDate(None)
    if isinstance(value, pd.Timestamp):
        return ParsedDate(value, "time" if value != value.normalize() else "day")
    if isinstance(value, dt.datetime):
        ts = pd.Timestamp(value)
        return ParsedDate(ts, "time" if ts != ts.normalize() else "day")
    if isinstance(value, dt.date):
        return ParsedDate(pd.Timestamp(value), "day")
    if isinstance(value, bool):
        return ParsedDate(None, problem=f"“{value}”不是日期")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _parse_number_date(float(value), year_hint, month_only)
    text = clean_text(value)
    assert text is not None
    text = _WEEKDAY.sub("", text.replace("\u2014", "-").replace("\u2013", "-"))  # 2022/01/07 星期五
    text = _digits_date(text)
    if m := _FULL.match(text):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if m.group(4):
            sec = float(m.group(6) or 0)
            ts = _make(y, mo, d, int(m.group(4)), int(m.group(5)), int(sec))
            return (
                ParsedDate(ts, "time")
                if ts is not None
                else ParsedDate(None, problem=f"“{text}”不是有效日期")
            )
        ts = _make(y, mo, d)
        return ParsedDate(ts, "day") if ts is not None else ParsedDate(None, problem=f"“{text}”不是有效日期")
    if m := _YM.match(text):
        y, mo = int(m.group(1)), int(m.group(2))
        ts = _make(y, mo, 1)
        if month_only and text.endswith(".1") and ts is not None:
            # "2019.1" as text means January, but a 2019.10 typed as a number also reads "2019.1" once a
            # large file is read column-wise: keep January, say so
            return ParsedDate(
                ts,
                "month",
                _make(y, 10, 1),
                problem=f"入团年月“{text}”按 {y} 年 1 月处理；如原为 {y}.10（10 月）请核对",
            )
        return (
            ParsedDate(ts, "month") if ts is not None else ParsedDate(None, problem=f"“{text}”不是有效年月")
        )
    if m := _COMPACT.match(text):
        ts = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if ts is not None:
            return ParsedDate(ts, "day")
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _parse_number_date(float(text), year_hint, month_only)
    if (m := _MD.match(text)) and not month_only:
        if year_hint is None:
            return ParsedDate(None, problem=f"“{text}”缺少年份")
        day = _from_month_day(int(m.group(1)), m.group(2), year_hint)
        if m.group(3) and day.value is not None:  # 3月7日 20:15, 3月7日20时15分: the year from the hint
            ts = _make(year_hint, day.value.month, day.value.day, int(m.group(3)), int(m.group(4)))
            if ts is None:
                return ParsedDate(None, problem=f"“{text}”不是有效日期")
            return ParsedDate(ts + pd.Timedelta(seconds=int(float(m.group(5) or 0))), "time", yearless=True)
        return day
    return ParsedDate(None, problem=f"“{text}”不是可识别的日期")


def _digits_date(text: str) -> str:
    """二〇二二年一月十三日 → 2022年1月13日 (the year digit by digit, month and day as numbers); other text
    unchanged."""
    m = _CN_DATE.match(text)
    if not m:
        return text
    year = "".join(str(_CN_DIGITS.get(ch, 0)) for ch in m.group(1))
    month = chinese_number(m.group(2))
    day = chinese_number(m.group(3)) if m.group(3) else None
    if not month or (m.group(3) and not day):
        return text
    return f"{year}年{month}月" + (f"{day}日" if day else "")


def _parse_number_date(number: float, year_hint: int | None, month_only: bool) -> ParsedDate:
    if math.isnan(number):
        return ParsedDate(None)
    if 1900 <= number < 2100 and month_only:
        # 入团年月 stored as a number: 2019.1 was typed "2019.10" or "2019.1"; 2019.05 is May
        year = int(number)
        frac = f"{number:.2f}".split(".")[1]
        digits = repr(number).split(".")[1] if "." in repr(number) else "0"
        if digits == "1":
            ts = _make(year, 10, 1)
            return ParsedDate(
                ts,
                "month",
                _make(year, 1, 1),
                problem=f"入团年月“{number}”可能为 {year} 年 10 月或 1 月，按 10 月处理",
            )
        month = int(frac)
        ts = _make(year, month, 1)
        return (
            ParsedDate(ts, "month") if ts is not None else ParsedDate(None, problem=f"“{number}”不是有效年月")
        )
    if 1 <= number < 13 and not month_only:
        if year_hint is None:
            return ParsedDate(None, problem=f"“{number}”缺少年份")
        month = int(number)
        digits = repr(number).split(".")[1] if "." in repr(number) else ""
        if not digits or digits == "0":
            return ParsedDate(None, problem=f"“{number:g}”不是日期")
        parsed = _from_month_day(month, digits, year_hint)
        if len(digits) == 1 and parsed.value is not None:
            alt = _make(year_hint, month, int(digits) * 10)
            if alt is not None:
                return ParsedDate(parsed.value, "day", alt, yearless=True)
        return parsed
    if 20000 <= number <= 80000:
        ts = EXCEL_EPOCH + pd.to_timedelta(number, unit="D")
        ts = ts.round("s")
        return ParsedDate(ts, "time" if ts != ts.normalize() else "day")
    return ParsedDate(None, problem=f"“{number:g}”不是日期")


def date_column(series: pd.Series, year_hint: int | None = None, month_only: bool = False) -> pd.DataFrame:
    """Parse a whole column → DataFrame(value, precision, alternative, problem).

    The common machine format "2022-03-06 19:45:12" is parsed vectorised; every other distinct value
    once through :func:`parse_date`.
    """
    obj = series if isinstance(series.dtype, pd.StringDtype) else series.astype(object)
    out = pd.DataFrame(
        {
            "value": pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]"),
            "precision": pd.Series(None, index=series.index, dtype=object),
            "alternative": pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]"),
            "problem": pd.Series(None, index=series.index, dtype=object),
            "yearless": pd.Series(False, index=series.index, dtype=bool),
        }
    )
    if isinstance(series.dtype, pd.StringDtype):  # read column-wise: every present cell is text
        is_str = series.notna().astype(bool)
    else:
        is_str = obj.map(lambda v: isinstance(v, str))
    fast = pd.Series(False, index=series.index)
    if is_str.any() and not month_only:
        strs = obj[is_str].astype("str").str.strip()
        # the machine format of exports, parsed in C; anything else falls through to parse_date
        parsed = pd.to_datetime(strs, format="%Y-%m-%d %H:%M:%S", errors="coerce")
        short = parsed.isna() & strs.str.len().eq(10)
        if short.any():
            parsed[short] = pd.to_datetime(strs[short], format="%Y-%m-%d", errors="coerce")
        ok = parsed.notna()
        if ok.any():
            idx = parsed.index[ok]
            out.loc[idx, "value"] = parsed[ok].astype("datetime64[us]")
            out.loc[idx, "precision"] = np.where(strs[ok].str.len() > 10, "time", "day")
            fast.loc[idx] = True
    rest = obj[~fast]
    if len(rest):
        cache: dict[Hashable, ParsedDate] = {}

        def one(v: Any) -> ParsedDate:
            key = (type(v).__name__, v if not isinstance(v, float) or not math.isnan(v) else "nan")
            try:
                return cache[key]
            except KeyError:
                cache[key] = parse_date(v, year_hint, month_only)
                return cache[key]
            except TypeError:
                return parse_date(v, year_hint, month_only)

        parsed_list = [one(v) for v in rest]
        out.loc[rest.index, "value"] = pd.Series(
            [p.value for p in parsed_list], index=rest.index, dtype="datetime64[us]"
        )
        out.loc[rest.index, "precision"] = [p.precision for p in parsed_list]
        out.loc[rest.index, "alternative"] = pd.Series(
            [p.alternative for p in parsed_list], index=rest.index, dtype="datetime64[us]"
        )
        out.loc[rest.index, "problem"] = [p.problem for p in parsed_list]
        out.loc[rest.index, "yearless"] = [p.yearless for p in parsed_list]
    return out


def month_of(value: Any, year_hint: int | None = None) -> pd.Timestamp | None:
    """'2022年1月', '2022-01', '1月', '一月份', datetime → first day of that month."""
    if is_blank(value):
        return None
    text = clean_text(value) if isinstance(value, str) else None
    if text and (m := _MONTH_ONLY.match(text)):
        month = chinese_number(m.group(1))
        if year_hint is None or not month or not 1 <= month <= 12:
            return None
        return pd.Timestamp(year_hint, month, 1)
    parsed = parse_date(value, year_hint, month_only=bool(text and _YM.match(text)))
    if parsed.value is None:
        return None
    return pd.Timestamp(parsed.value.year, parsed.value.month, 1)


def month_section(text: Any) -> int | None:
    """A ledger's month section row such as '（三月份）' or '3月' → 3."""
    t = compact(text)
    if not t or len(t) > 8:
        return None
    m = _MONTH_ONLY.match(t)
    if not m:
        return None
    month = chinese_number(m.group(1))
    return month if month and 1 <= month <= 12 else None


# ---------------------------------------------------------------- 青年大学习 periods

_SEASON = re.compile(r"第?([\d一二三四五六七八九十百]+)季[,，\-—_\s]*第?([\d一二三四五六七八九十百]+)期")
_YEARLY = re.compile(r"(\d{4})年?[,，\-—_\s]*第?([\d一二三四五六七八九十百]+)期")
_BARE = re.compile(r"^第?([\d一二三四五六七八九十百]+)期?$")
_YEAR_MONTH = re.compile(r"(20\d{2})(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Period:
    """A canonical 青年大学习 period label: '第12季第5期', '2022年第12期' or '特辑:五四特辑'."""

    label: str | None
    special: bool = False
    needs_year: bool = False  # a bare number: the year comes from the record dates
    number: int | None = None


def canonical_period(value: Any) -> Period:
    """Canonicalise one raw period label (Chinese or Arabic numerals, spaces, 特辑 kept distinct)."""
    text = compact(value)
    if not text:
        return Period(None)
    text = re.sub(r"^(青?年)?大学习", "", text.replace("青年大学习", "")).strip("《》<>\"'“”:：") or text
    if "特辑" in text or "特别节目" in text:
        title = re.sub(r"[（(].*?[)）]", "", text) or text
        return Period(f"特辑:{title}", special=True)
    if m := _SEASON.search(text):
        season, number = chinese_number(m.group(1)), chinese_number(m.group(2))
        if season and number:
            return Period(f"第{season}季第{number}期", number=number)
    if m := _YEARLY.search(text):
        number = chinese_number(m.group(2))
        if number:
            return Period(f"{int(m.group(1))}年第{number}期", number=number)
    if m := _YEAR_MONTH.fullmatch(text):  # an export named by its month (…-202205.xlsx)
        return Period(f"{int(m.group(1))}年{int(m.group(2))}月")
    if m := _BARE.match(text):
        number = chinese_number(m.group(1))
        if number:
            return Period(None, needs_year=True, number=number)
    return Period(text)


# ---------------------------------------------------------------- identity strings

_ID18 = re.compile(rf"(?<![0-9])({ID18})(?![0-9A-Za-z])")
# a 学号 / 卡号 / 工号; also the last four characters of an ID card used as one ("102X张伟")
_STUDENT_NO = re.compile(r"[A-Za-z]*\d{4,}[A-Za-z0-9]*|(?<![0-9A-Za-z])\d{3}[Xx](?![0-9A-Za-z])")
# a masked ID number: digits, a run of * (or ＊ folded by NFKC), the last 3–4 characters ("420503********2068")
_MASKED_ID = re.compile(r"(?<![0-9A-Za-z])\d{0,14}\*{3,}\d{0,10}?(\d{3}[\dXx])(?![0-9A-Za-z])")


def code_text(value: Any) -> str | None:
    """团员编号 / 学号 / 编号 stored as numbers → their digits ("20190101.0" → "20190101"), upper-cased."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = compact(value)
    if text and re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    return text.upper() if text else None


_CODE = re.compile(r"[A-Z]{0,4}\d{4,20}[A-Z0-9]{0,4}")


def is_code(value: Any) -> bool:
    """A number or code that may identify a person (20190348, S2021001): four digits or more, no name."""
    text = code_text(value)
    return bool(text and _CODE.fullmatch(text))


def is_running(values: list[Any]) -> bool:
    """Codes that only grow down the sheet (1, 2, 3 …; a platform's serial 3000006, 3000024 …): a row
    number, not an identity."""
    texts = [code_text(v) or "" for v in values]
    keys: list[Any] = [int(t) for t in texts] if all(t.isdigit() for t in texts) else texts
    return len(keys) >= 2 and all(a < b for a, b in itertools.pairwise(keys))


@dataclass(frozen=True)
class Identity:
    name: str | None
    student_no: str | None
    id_number: str | None
    id_tail: str | None = None  # the last four characters of a masked ID number ("2068", "102X")


_PLAIN_NAME = re.compile(r"[\u3400-\u9fff·•・．.]{1,20}")


_PLAIN_NAME_RE2 = "[\u3400-\u9fff·•・．.]{1,20}"  # the same class as _PLAIN_NAME, for Arrow's regex engine
_DOT_BETWEEN_RE2 = "([\u3400-\u9fff])[•・･‧∙⋅.．。]([\u3400-\u9fff])"


def identity_fields(series: pd.Series) -> dict[str, pd.Series]:
    """split_identity over a column: plain names (the vast majority) are normalised on Arrow in one go,
    other shapes ("20190101张三" …) one distinct value at a time. Returns name / student_no / id_number
    as Arrow string columns."""
    if series.isna().all():  # the sheet has no such column
        empty = pd.Series(None, index=series.index, dtype=STR)
        return {"name": empty, "student_no": empty.copy(), "id_number": empty.copy(), "id_tail": empty.copy()}
    codes, uniques = pd.factorize(factorizable(series), use_na_sentinel=True)
    u = pd.Series(uniques, dtype=object)
    values = u.to_numpy()
    names: list[Any] = [None] * (len(u) + 1)  # the last slot serves missing cells (code -1)
    students: list[Any] = [None] * (len(u) + 1)
    ids: list[Any] = [None] * (len(u) + 1)
    tails: list[Any] = [None] * (len(u) + 1)
    if len(u):
        text = u.where(u.map(lambda v: isinstance(v, str))).astype("str").str.strip()  # " 张三　" too
        plain = text.str.fullmatch(_PLAIN_NAME_RE2).fillna(False).to_numpy(dtype=bool)
        folded = text[plain].str.normalize("NFKC")
        for _ in range(2):  # overlapping matches: 阿.依.古
            folded = folded.str.replace(_DOT_BETWEEN_RE2, "\\1·\\2", regex=True)
        for i, name in zip(np.flatnonzero(plain).tolist(), folded.tolist(), strict=True):
            names[i] = name
        for i in np.flatnonzero(~plain).tolist():
            ident = split_identity(values[i])
            names[i], students[i], ids[i], tails[i] = (
                ident.name,
                ident.student_no,
                ident.id_number,
                ident.id_tail,
            )
    return {
        "name": typed_column(names, codes, series.index),
        "student_no": typed_column(students, codes, series.index),
        "id_number": typed_column(ids, codes, series.index),
        "id_tail": typed_column(tails, codes, series.index),
    }


def split_identity(value: Any) -> Identity:
    """'张三', '20190101张三', '20190101 张三', '20190101-张三', '张三-20190101', '张三(20190101)' →
    (name, 学号, 身份证号)."""
    if isinstance(value, str) and _PLAIN_NAME.fullmatch(value):  # the common case: just a name
        return Identity(normalize_name(value), None, None)
    if is_blank(value):
        return Identity(None, None, None)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value) or ""
    id_number = id_tail = None
    if m := _ID18.search(text):
        id_number = m.group(1).upper()
        text = text[: m.start()] + " " + text[m.end() :]
    elif m := _MASKED_ID.search(text):
        id_tail = m.group(1).upper()
        text = text[: m.start()] + " " + text[m.end() :]
    student = None
    if m := _STUDENT_NO.search(text):
        student = m.group(0).upper()
        text = text[: m.start()] + " " + text[m.end() :]
    name = re.sub(r"[()（）\[\]【】\-—_/|:：,，;；]+", " ", text)
    name = normalize_name(name)
    return Identity(name or None, student, id_number, id_tail)
