"""Which periods a bulletin covers: one period (by any spelling the query command reads, or the latest
one whose export looks complete), a quarter or a month of the year; the scope before it (for the change
against the previous period) and the quarter so far (for who has not studied yet this quarter).

Periods are the year's ``study.study_periods`` rows (period, date, …) in date order; a period belongs
to the quarter and month of its date (the day of its median record time), as in ``query``."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.common import formatting
from analysis.common.errors import AnalysisError
from analysis.query.participation import (
    SPECIAL,
    parse_quarter,
    quarter_bounds,
    select_periods,
    short_label,
)

PERIOD, QUARTER, MONTH = "period", "quarter", "month"
LATEST = "latest"
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
_MONTH = re.compile(r"^(?:(\d{4})\s*[-年./]\s*)?(\d{1,2})\s*月?$")
_UNSAFE = str.maketrans({":": "：", "/": "／", "\\": "＼", "*": "＊", "?": "？", '"': "＂", "<": "＜", ">": "＞", "|": "｜"})  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """The periods of one bulletin and the periods it is compared with."""

    kind: str  # PERIOD, QUARTER or MONTH
    label: str  # 第12季第5期 / 2022Q2 / 2022年5月: the bulletin's folder (see `folder_name`)
    words: str  # how sentences name it: 第12季第5期 / 2022年第二季度 / 2022年5月
    periods: pd.DataFrame  # the scope's periods (period, date, …), in date order
    previous: pd.DataFrame  # the scope before it within the year (empty for the first)
    previous_words: str  # 上期（第12季第4期） / 上季度 / 上月 ("" when there is none)
    quarter_so_far: pd.DataFrame  # the quarter's periods up to the scope's last one
    quarter_words: str  # 2022年第一季度（截至第12季第5期）

    @property
    def single(self) -> bool:
        """One period (not a cumulative quarter or month)."""
        return self.kind == PERIOD

    @property
    def since(self) -> str:
        """较上期 / 较上季度 / 较上月: what a change is against."""
        return {QUARTER: "较上季度", MONTH: "较上月"}.get(self.kind, "较上期")

    @property
    def last_date(self) -> pd.Timestamp:
        return pd.Timestamp(self.periods["date"].max())


def period_words(label: str) -> str:
    """A period as sentences name it: 第12季第5期 as is, a 特辑 by its name (五四特辑（05-04）)."""
    if label.startswith(SPECIAL):
        return short_label(label).replace("(", "（").replace(")", "）")
    return label


def folder_name(label: str) -> str:
    """A scope's label as a folder name on every system (a 特辑's ":" and other reserved characters as
    their full-width forms)."""
    return label.translate(_UNSAFE).strip().rstrip(".")


def _ordered(periods: pd.DataFrame) -> pd.DataFrame:
    return periods.sort_values(["date", "period"], kind="stable").reset_index(drop=True)


def _quarter_of(day: pd.Timestamp) -> int:
    return (day.month - 1) // 3 + 1


def _quarter_so_far(periods: pd.DataFrame, last: pd.Timestamp) -> pd.DataFrame:
    start, _ = quarter_bounds(last.year, _quarter_of(last))
    return periods[(periods["date"] >= start) & (periods["date"] <= last)].reset_index(drop=True)


def _quarter_words(year: int, last: pd.Timestamp, through: str) -> str:
    return f"{year}年{QUARTER_NAMES[_quarter_of(last)]}（截至{through}）"


def period_scope(periods: pd.DataFrame, label: str) -> Scope:
    """The bulletin of one period, named as ``query --period`` accepts it (第12季第5期, 12-5, 五四特辑 …)."""
    periods = _ordered(periods)
    chosen = select_periods(periods, labels=[label])
    name = str(chosen["period"].iloc[0])
    at = int(periods.index[periods["period"] == name][0])
    previous = periods.iloc[at - 1 : at] if at > 0 else periods.iloc[0:0]
    before = str(previous["period"].iloc[0]) if len(previous) else ""
    last = pd.Timestamp(periods["date"].iloc[at])
    return Scope(
        kind=PERIOD,
        label=name,
        words=period_words(name),
        periods=periods.iloc[at : at + 1].reset_index(drop=True),
        previous=previous.reset_index(drop=True),
        previous_words=f"上期（{period_words(before)}）" if before else "",
        quarter_so_far=_quarter_so_far(periods, last),
        quarter_words=_quarter_words(last.year, last, period_words(name)),
    )


def quarter_scope(periods: pd.DataFrame, year: int, text: str) -> Scope:
    """The cumulative bulletin of a quarter of ``year`` (2022Q2, Q2, 二季度 … as ``query --quarter``)."""
    periods = _ordered(periods)
    q_year, quarter = parse_quarter(text, year)
    if q_year != year:
        raise AnalysisError(
            f"{q_year}年{QUARTER_NAMES[quarter]}不在 {year} 年内",
            hint=f"通报 {q_year} 年的季度请加 --year {q_year}。",
        )
    chosen = _nonempty(
        select_periods(periods, quarter=f"{year}Q{quarter}"), f"{year}年{QUARTER_NAMES[quarter]}"
    )
    previous = select_periods(periods, quarter=f"{year}Q{quarter - 1}") if quarter > 1 else periods.iloc[0:0]
    words = f"{year}年{QUARTER_NAMES[quarter]}"
    return Scope(
        kind=QUARTER,
        label=f"{year}Q{quarter}",
        words=words,
        periods=chosen,
        previous=previous,
        previous_words="上季度" if len(previous) else "",
        quarter_so_far=chosen,
        quarter_words=words,
    )


def parse_month(text: str, year: int) -> int:
    """A month as typed (5, 05, 5月, 2022-05, 2022年5月) → its number; the year must be ``year``."""
    m = _MONTH.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise AnalysisError(f"月份“{text}”格式不对", hint="请写成 5、5月 或 2022-05 的形式。")
    if m.group(1) and int(m.group(1)) != year:
        raise AnalysisError(
            f"{m.group(1)}年{int(m.group(2))}月不在 {year} 年内",
            hint=f"通报 {m.group(1)} 年的月份请加 --year {m.group(1)}。",
        )
    return int(m.group(2))


def _month_periods(periods: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    start = pd.Timestamp(year, month, 1)
    end = start + pd.offsets.MonthEnd(0)
    return select_periods(periods, date_from=formatting.day(start), date_to=formatting.day(end))


def month_scope(periods: pd.DataFrame, year: int, text: str) -> Scope:
    """The cumulative bulletin of a month of ``year``."""
    periods = _ordered(periods)
    month = parse_month(text, year)
    words = f"{year}年{month}月"
    chosen = _nonempty(_month_periods(periods, year, month), words)
    previous = _month_periods(periods, year, month - 1) if month > 1 else periods.iloc[0:0]
    last = pd.Timestamp(chosen["date"].max())
    return Scope(
        kind=MONTH,
        label=words,
        words=words,
        periods=chosen,
        previous=previous,
        previous_words="上月" if len(previous) else "",
        quarter_so_far=_quarter_so_far(periods, last),
        quarter_words=_quarter_words(year, last, f"{month}月底"),
    )


def _nonempty(chosen: pd.DataFrame, words: str) -> pd.DataFrame:
    if chosen.empty:
        raise AnalysisError(
            f"{words}没有青年大学习期次",
            hint="请检查季度或月份是否写对，或确认这段时间的导出已放入原始数据文件夹。",
        )
    return chosen


@dataclass(frozen=True)
class Skipped:
    """A period newer than the one `latest_complete` chose, and the branches whose export it lacks."""

    period: str
    branches: tuple[str, ...]


def latest_complete(periods: pd.DataFrame, gaps: pd.DataFrame) -> tuple[str, list[Skipped]]:
    """The latest period no branch lacks (``gaps``: the (branch, period) pairs the completeness check
    finds without any record, see `numbers.data_gaps`), and the newer periods passed over with why.
    When every period has a gap, the latest one (the bulletin then marks its gaps)."""
    periods = _ordered(periods)
    if periods.empty:
        raise AnalysisError("本年度还没有任何青年大学习期次", hint="请把学习记录的导出放入原始数据文件夹。")
    missing = gaps.groupby("period")["branch"].agg(lambda s: tuple(sorted(s))).to_dict()
    skipped: list[Skipped] = []
    for label in reversed(periods["period"].tolist()):
        if label not in missing:
            return label, skipped
        skipped.append(Skipped(label, missing[label]))
    return str(periods["period"].iloc[-1]), []
