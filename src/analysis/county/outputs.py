"""The county report folder: county.xlsx, county.json, figures/ and county.docx (a Word section).

Only aggregates leave the roll-up: counts, rates, town and branch names. No member key, person key or
name is written, so one town's numbers in the county report cannot be used to find another town's
members.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.common import formatting
from analysis.common.config import YearTargets
from analysis.common.paths import FIGURES_DIR
from analysis.common.schemas import TABLE_LABELS
from analysis.county import charts
from analysis.county.rollup import (
    RANKED,
    TOTAL_LABEL,
    RollUp,
    branch_table,
    coverage,
    monthly_rates,
    rankings,
    town_table,
)
from analysis.indicators.catalogue import Catalogue, _json_number
from analysis.indicators.keys import BRANCH_RATE_PREFIX, info, ordered
from analysis.report.section import Section
from analysis.safety import safe_io

XLSX, JSON, DOCX = "county.xlsx", "county.json", "county.docx"
FIGURES = {
    "study_rate": ("01_town_study_rate", "各镇青年大学习团员参学率"),
    "indicators": ("02_town_indicators", "各镇主要指标对比"),
    "monthly": ("03_town_study_by_month", "各镇青年大学习逐月参学率"),
}
SHEET_TOWNS, SHEET_RANKS, SHEET_BRANCHES = "各镇指标", "各镇排名", "各团支部参学率"
SHEET_MONTHS, SHEET_KEYS, SHEET_NOTES = "逐月参学率", "全部指标明细", "说明"
NOTE = (
    "本文档由数据分析套件根据各镇导入后的数据自动汇总生成，全县合计由全部记录重新计算（不是各镇比率的平均）；"
    "完整数据见 county.xlsx。"
)


@dataclass
class CountyReport:
    """What ``write_report`` wrote."""

    folder: Path
    files: list[Path] = field(default_factory=list)


def header(key: str) -> str:
    """A key's Chinese column header with its unit, e.g. 团员总数（人）."""
    ki = info(key)
    return f"{ki.label}（{ki.unit}）" if ki.unit else ki.label


def _common(values: list[float | None]) -> float | None:
    known = {v for v in values if v is not None}
    return known.pop() if len(known) == 1 and None not in values else None


def county_targets(rollup: RollUp) -> YearTargets:
    """Targets of the county total: a rate target only when every town has the same one; the
    recruitment quota is rec.quota (the sum of the towns' quotas)."""
    targets = [t.config.targets(rollup.year) for t in rollup.county.towns]
    quota = rollup.total.get("rec.quota")
    return YearTargets(
        recruitment_quota=None if quota is None else int(quota),
        study_rate_target=_common([t.study_rate_target for t in targets]),
        checkin_rate_target=_common([t.checkin_rate_target for t in targets]),
    )


def county_json(rollup: RollUp) -> dict:
    """{"year", "county": {KEY: number}, "towns": {town: {KEY: number}}, "missing_inputs": {...}}: the
    county total and each town's indicators.json keys (the same numbers as the town's own file)."""
    return {
        "year": rollup.year,
        "county": {k: _json_number(v) for k, v in rollup.total.items()},
        "towns": {
            town: {k: _json_number(head[k]) for k in ordered(list(head))}
            for town, head in rollup.towns.items()
        },
        "missing_inputs": {table: towns for table, towns in coverage(rollup).items() if towns},
        "towns_without_year": list(rollup.county.without_year),
    }


def workbook_sheets(rollup: RollUp) -> tuple[dict[str, pd.DataFrame], dict[str, list[str]]]:
    """The sheets of county.xlsx (Chinese headers) and their percentage columns."""
    towns = town_table(rollup)
    keys = [c for c in towns.columns if c != "town"]
    main = towns.rename(columns={"town": "镇", **{k: header(k) for k in keys}})
    percents = {SHEET_TOWNS: [header(k) for k in keys if info(k).kind == "rate"]}

    ranks = rankings(rollup)
    rank_cols: dict[str, str] = {"town": "镇"}
    for key, descending in RANKED:
        if key in ranks.columns:
            rank_cols[key] = header(key)
            rank_cols[f"{key}:rank"] = f"{info(key).label}·名次（{'高' if descending else '低'}者在前）"
    ranks = ranks.rename(columns=rank_cols)
    percents[SHEET_RANKS] = [
        header(k) for k, _ in RANKED if info(k).kind == "rate" and header(k) in ranks.columns
    ]

    branches = branch_table(rollup).rename(
        columns={
            "town": "镇",
            "branch": "团支部",
            "periods": "期数",
            "rate": "参学率",
            "band": "档次",
            "rank": "镇内排名",
        }
    )
    percents[SHEET_BRANCHES] = ["参学率"]

    monthly = monthly_rates(rollup)
    months = (
        monthly.pivot_table(index="town", columns="month", values="rate", aggfunc="first")
        .reindex(columns=range(1, 13))
        .reindex([*(t for t in rollup.towns if t in set(monthly["town"])), TOTAL_LABEL])
        .dropna(how="all")
    )
    months.columns = [f"{m}月" for m in months.columns]
    months = months.rename_axis("镇").reset_index()
    percents[SHEET_MONTHS] = [f"{m}月" for m in range(1, 13)]

    long_rows = []
    for town, head in [*rollup.towns.items(), (TOTAL_LABEL, rollup.total)]:
        for key in ordered(list(head)):
            long_rows.append({"镇": town, "指标键": key, "指标": info(key).label, "数值": head[key]})
    long = pd.DataFrame(long_rows, columns=["镇", "指标键", "指标", "数值"])

    sheets = {
        SHEET_TOWNS: main,
        SHEET_RANKS: ranks,
        SHEET_BRANCHES: branches,
        SHEET_MONTHS: months,
        SHEET_KEYS: long,
        SHEET_NOTES: notes_table(rollup),
    }
    return sheets, percents


def notes_table(rollup: RollUp) -> pd.DataFrame:
    """说明: how the numbers were made and which towns lack which input."""
    lines = [
        f"汇总年度：{rollup.year} 年；参加汇总的镇：{len(rollup.towns)} 个（{'、'.join(rollup.towns)}）。",
        "各镇的指标与该镇自己 indicators.json 中的数值相同（口径见 docs/indicators.md）。",
        "全县合计由全县全部记录重新计算，不是各镇比率的平均：例如全县参学率是各期"
        "（期次日期按全县记录时间的中位数确定）全县在团团员中参学人数的比例，再对各期求平均。",
        "某项数据缺失的镇不计入该项的全县合计（见下）；全县发展团员指标为各镇指标之和。",
        "本表只含人数、比率和团支部名称，不含任何团员的姓名或成员键。",
    ]
    if rollup.county.without_year:
        lines.append(f"没有 {rollup.year} 年数据、未参加汇总的镇：{'、'.join(rollup.county.without_year)}。")
    for table, towns in coverage(rollup).items():
        if towns:
            lines.append(f"缺少“{TABLE_LABELS[table]}”的镇：{'、'.join(towns)}。")
    return pd.DataFrame({"说明": lines})


def sentences(rollup: RollUp) -> list[str]:
    """The section's narrative, built from the numbers (county total first, then the spread of towns)."""
    total, towns = rollup.total, rollup.towns
    out = [f"{rollup.year} 年全县共汇总 {len(towns)} 个镇的数据。"]
    if "org.members" in total:
        out.append(
            f"截至 {rollup.year} 年 12 月 31 日，全县共有团员 {formatting.count(total['org.members'])} 名，"
            f"分布在 {formatting.count(total['org.branches'])} 个团支部。"
        )
    rate = total.get("study.member_rate")
    if rate is not None:
        ranked = sorted(
            ((t, h["study.member_rate"]) for t, h in towns.items() if "study.member_rate" in h),
            key=lambda item: (-item[1], item[0]),
        )
        text = f"全县“青年大学习”团员平均参学率为 {formatting.percent(rate)}"
        if len(ranked) > 1:
            (best, hi), (worst, lo) = ranked[0], ranked[-1]
            text += (
                f"，最高的是{best}（{formatting.percent(hi)}），最低的是{worst}（{formatting.percent(lo)}）"
            )
        out.append(text + "。")
    checkin = total.get("cadre.checkin_rate")
    if checkin is not None:
        out.append(f"全县团干部每月学习打卡率平均为 {formatting.percent(checkin)}。")
    if "rec.new_members" in total:
        quota = total.get("rec.quota")
        text = f"全县发展团员 {formatting.count(total['rec.new_members'])} 名"
        if quota is not None:
            text += f"，各镇指标合计 {formatting.count(quota)} 名"
        out.append(text + "。")
    if "act.count" in total:
        out.append(
            f"全县开展活动 {formatting.count(total['act.count'])} 次，参与 {formatting.count(total['act.person_times'])} 人次，"
            f"志愿服务 {formatting.number(total['act.volunteer_hours'])} 小时。"
        )
    return out


def _display_table(rollup: RollUp) -> tuple[list[str], list[list[str]]]:
    """The towns table of the Word section: main keys as display text, the county row last."""
    towns = town_table(rollup)
    keys = [k for k in ("org.members", "study.member_rate", "study.never", "cadre.checkin_rate", "act.count",
                        "rec.new_members") if k in towns.columns]  # fmt: skip
    columns = ["镇", *(info(k).label for k in keys)]
    rows = [
        [row["town"], *("—" if pd.isna(row[k]) else info(k).format(row[k]) for k in keys)]
        for _, row in towns.iterrows()
    ]
    return columns, rows


def write_report(rollup: RollUp, folder: Path, name: str = "全县") -> CountyReport:
    """Write county.xlsx, county.json, figures/*.png|svg and county.docx into ``folder``."""
    from analysis.report.summary_doc import write_summary

    folder.mkdir(parents=True, exist_ok=True)
    report = CountyReport(folder)
    sheets, percents = workbook_sheets(rollup)
    safe_io.write_xlsx(
        folder / XLSX,
        sheets,
        percent_columns=percents,
        titles={SHEET_TOWNS: f"{name} {rollup.year} 年各镇工作指标"},
    )
    safe_io.atomic_write_text(folder / JSON, json.dumps(county_json(rollup), ensure_ascii=False, indent=1))
    report.files += [folder / XLSX, folder / JSON]

    towns = town_table(rollup)
    towns = towns[towns["town"] != TOTAL_LABEL]
    targets = county_targets(rollup)
    section = Section(folder, "county", "各镇对比", 1)
    section.say(sentences(rollup))
    fig_name, caption = FIGURES["study_rate"]
    section.figure(
        charts.town_study_rate(
            towns, rollup.year, rollup.total.get("study.member_rate"), targets.study_rate_target
        ),
        fig_name,
        f"{rollup.year}年{caption}",
    )
    columns, rows = _display_table(rollup)
    section.items.append(
        {
            "type": "table",
            "caption": f"{rollup.year}年各镇主要指标",
            "columns": columns,
            "rows": rows,
            "truncated": False,
        }
    )
    fig_name, caption = FIGURES["indicators"]
    section.figure(charts.town_indicators(towns, rollup.year), fig_name, f"{rollup.year}年{caption}")
    fig_name, caption = FIGURES["monthly"]
    section.figure(
        charts.study_rate_by_month(monthly_rates(rollup), rollup.year, TOTAL_LABEL),
        fig_name,
        f"{rollup.year}年{caption}",
    )
    section.save()
    report.files += sorted((folder / FIGURES_DIR).glob("*.png"))

    headline = {k: v for k, v in rollup.total.items() if not k.startswith(BRANCH_RATE_PREFIX)}
    catalogue = Catalogue(year=rollup.year, town=name, headline=headline, targets=targets)
    write_summary(
        catalogue,
        folder,
        folder / DOCX,
        title=f"{name}各镇{rollup.year}年度工作数据对比（草稿）",
        note=NOTE,
    )
    report.files.append(folder / DOCX)
    return report
