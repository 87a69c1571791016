"""reports/<Y>/indicators.xlsx: the indicator summary (with last year and targets) and one sheet per
catalogue table, Chinese headers, formatted (widths, percentages, frozen header)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import safe_io
from analysis.indicators.catalogue import Catalogue
from analysis.indicators.keys import info
from analysis.indicators.labels import TABLE_TITLES, chinese, percent_columns


def _change_text(key: str, change: float | None) -> str:
    if change is None or pd.isna(change):
        return "—"
    ki = info(key)
    if ki.kind == "rate":
        return f"{change * 100:+.1f} 个百分点"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    return f"{sign}{ki.format(abs(change))}"


def summary_sheet(cat: Catalogue) -> pd.DataFrame:
    """指标汇总: name, this year, last year, change, target, met (display text), unit, key, raw value."""
    rows = []
    for _, r in cat.summary_table().iterrows():
        ki = info(r["key"])
        rows.append(
            {
                "指标": r["label"],
                "本年": ki.format(r["value"]),
                "上年": ki.format(None if pd.isna(r["previous"]) else r["previous"]),
                "变化": _change_text(r["key"], r["change"]),
                "目标": "—" if r["target"] is None or pd.isna(r["target"]) else ki.format(r["target"]),
                "是否达标": r["met"] or "",
                "单位": r["unit"] or ("" if ki.kind != "rate" else "%"),
                "指标键": r["key"],
                "数值（本年）": r["value"],
            }
        )
    return pd.DataFrame(rows)


def write_workbook(cat: Catalogue, path: Path) -> Path:
    """Write indicators.xlsx atomically; returns its path."""
    summary_title = TABLE_TITLES["summary"]
    sheets: dict[str, pd.DataFrame] = {summary_title: summary_sheet(cat)}
    percents: dict[str, list[str]] = {}
    for name, frame in cat.tables.items():
        title = TABLE_TITLES.get(name, name)
        sheets[title] = chinese(frame, name)
        percents[title] = percent_columns(frame, name)
    safe_io.write_xlsx(
        path,
        sheets,
        percent_columns=percents,
        titles={summary_title: f"{cat.town} {cat.year} 年工作指标"},
    )
    return path
