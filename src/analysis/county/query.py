"""``python -m analysis query participation --towns DIR --year Y …``: participation across towns.

The same SQL steps as the roll-up (the study part only) give each town's 参学率 per period — on the
town's own period days, so a town's numbers are those of its own report — and the county's, on the
county's period days. Answers are per town, never per member: a cross-town answer names no one.
Periods are chosen as in the town query (``--period``, ``--quarter``, ``--from``/``--to``), by the
county's period days; the output goes through the town query's output functions: a table in the
terminal, one row per town and period in CSV, and in xlsx a sheet per town plus that long table.
"""

from __future__ import annotations

import argparse

import pandas as pd
from rich.console import Console

from analysis.common import formatting, paths
from analysis.common.errors import AnalysisError
from analysis.county import layout
from analysis.county.engine import STUDY_STEPS, connect
from analysis.county.layout import COUNTY_SCOPE
from analysis.county.rollup import TOTAL_LABEL, period_rates
from analysis.query.participation import empty_selection, select_periods


def study_terms(county: layout.County) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(periods, study_cells) of every scope, from the roll-up's study steps."""
    with connect(county) as engine:
        engine.run(STUDY_STEPS)
        return engine.frame("periods", "scope, period"), engine.frame(
            "study_cells", "scope, branch, period, period_day, town"
        )


def _scope_rates(cells: pd.DataFrame, scope: str) -> pd.DataFrame:
    return period_rates(cells[cells["scope"] == scope])


def participation_by_town(cells: pd.DataFrame, chosen: pd.DataFrame, towns: list[str]) -> pd.DataFrame:
    """Rows: each town, then 全县合计; per chosen period its 参学率 (active members who studied ÷ active
    members, on the scope's own period day) and, last, 期数 / 参学率 (the mean over the chosen periods
    the scope has). Columns: 镇, one per period label, 期数, 参学率."""
    labels = list(chosen["period"])
    rows = []
    for scope, label in [*((t, t) for t in towns), (COUNTY_SCOPE, TOTAL_LABEL)]:
        rates = _scope_rates(cells, scope).set_index("period")["rate"].reindex(labels)
        row: dict[str, object] = {"镇": label}
        row |= {p: rates[p] for p in labels}
        known = rates.dropna()
        row["期数"] = len(known)
        row["参学率"] = float(known.mean()) if len(known) else None
        rows.append(row)
    return pd.DataFrame(rows, columns=["镇", *labels, "期数", "参学率"])


def periods_by_town(cells: pd.DataFrame, chosen: pd.DataFrame, towns: list[str]) -> pd.DataFrame:
    """One row per chosen period and town (and the county): the period's day for that scope, members who
    studied, members expected, 参学率. Counts only: no names cross towns. Columns: 期次, 日期, 镇, 完成人数,
    应参学人数, 未学习人数, 参学率."""
    scopes = [*((t, t) for t in towns), (COUNTY_SCOPE, TOTAL_LABEL)]
    rates = {label: _scope_rates(cells, scope).set_index("period") for scope, label in scopes}
    rows = []
    for period in chosen["period"]:
        for _, label in scopes:
            if period not in rates[label].index:
                continue
            r = rates[label].loc[period]
            rows.append(
                {
                    "期次": period,
                    "日期": r["date"],
                    "镇": label,
                    "完成人数": int(r["numerator"]),
                    "应参学人数": int(r["denominator"]),
                    "未学习人数": int(r["denominator"] - r["numerator"]),
                    "参学率": float(r["rate"]),
                }
            )
    return pd.DataFrame(
        rows, columns=["期次", "日期", "镇", "完成人数", "应参学人数", "未学习人数", "参学率"]
    )


def _refuse_member_options(args: argparse.Namespace) -> None:
    for option, text in (("branch", "--branch"), ("member", "--member"), ("activities", "--activities")):
        if getattr(args, option, None):
            raise AnalysisError(
                f"跨镇查询（--towns）不支持 {text}",
                hint="跨镇查询只给出各镇和全县的人数与参学率；个人和团支部明细请在各镇分别查询。",
            )


def run_towns_query(args: argparse.Namespace, console: Console) -> int:
    """The cross-town answer, printed or written with the town query's output functions."""
    from analysis.common import terminal
    from analysis.query.output import RATE_COLUMNS, period_headers, print_frame, write_tables

    _refuse_member_options(args)
    if args.year is None:
        raise AnalysisError("跨镇查询需要 --year（汇总年度）", hint="例如：--towns 各镇数据 --year 2022。")
    root = paths.resolve(args.towns)
    county = layout.discover(root, args.year)
    if not county.having("study_records"):
        raise AnalysisError(f"各镇 {args.year} 年的数据中都没有青年大学习记录")
    periods, cells = study_terms(county)
    county_periods = periods[periods["scope"] == COUNTY_SCOPE].rename(columns={"period_day": "date"})
    chosen = select_periods(
        county_periods.sort_values(["date", "period"]),
        args.period,
        args.quarter,
        args.date_from,
        args.date_to,
        year=args.year,
    )
    if chosen.empty:
        raise empty_selection(county_periods, args.year, args.quarter)
    first, last = chosen["date"].min(), chosen["date"].max()
    scope = (
        args.quarter.upper()
        if args.quarter
        else f"{formatting.day(first)}至{formatting.day(last)}（{len(chosen)} 期）"
    )
    towns = [t.name for t in county.having("study_records")]
    source = f"{root}（{len(county.towns)} 个镇 {args.year} 年处理后数据）"
    by_period = periods_by_town(cells, chosen, towns)
    if args.missing:
        frame = by_period[["期次", "日期", "镇", "未学习人数", "应参学人数"]]
        title = f"各镇 {scope} 未学习人数"
        if args.format == "table":
            print_frame(frame, console, title)
            return 0
        notes = [
            (
                "各镇未学习人数",
                "每期每镇当天在团、没有学习记录的团员人数（不列姓名）；期次日期按各镇自己的记录确定。",
            )
        ]
        return write_tables({"各镇未学习人数": frame}, args, console, title, source, notes)
    wide = participation_by_town(cells, chosen, towns)
    title = f"各镇 {scope} 青年大学习参学率"
    if args.format == "table":
        labels = list(chosen["period"])
        headers = period_headers(chosen[["period", "date"]])
        for narrow in (None, True):
            table = terminal.frame_table(
                console, wide, title, rates=[*labels, *RATE_COLUMNS], headers=headers, narrow=narrow
            )
            if terminal.fits(console, table):
                console.print(table)
                return 0
        print_frame(wide[["镇", "期数", "参学率"]], console, title)
        console.print(f"（共 {len(labels)} 期，逐期参学率请用 --format xlsx 或加宽终端窗口）")
        return 0
    if args.format == "csv":
        return write_tables({"各镇各期参学率": by_period}, args, console, title, source, [])
    notes = [
        ("各镇参学率", "各镇（及全县合计）所选各期参学率的平均，与各镇自己的参学率口径相同。"),
        ("各镇各期参学率", "每期每镇一行：完成人数 ÷ 当天在团的团员人数；全县合计由全县记录重新计算。"),
    ]
    sheets = {"各镇参学率": wide[["镇", "期数", "参学率"]], "各镇各期参学率": by_period}
    return write_tables(sheets, args, console, title, source, notes)
