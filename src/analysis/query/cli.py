"""``python -m analysis query participation …``: answers in the terminal, as CSV or as xlsx.

Column types decide how a value looks (counts as integers, rates as percentages, dates as days), in
every format. Summary rows (a branch's rate per period) are a table footer in the terminal, their own
file next to a CSV, and a separate, typed row below the data in xlsx.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from rich.console import Console

from analysis.common import formatting, paths, terminal
from analysis.common.config import load_config
from analysis.common.errors import AnalysisError, ConfigError
from analysis.indicators import study
from analysis.ingest.branches import BranchResolver
from analysis.processed import load
from analysis.query.output import (
    GREEN,
    MARKS,
    RATE_COLUMNS,
    RED,
    notes_frame,
    output_path,
    period_headers,
    print_frame,
    side_file,
    write_tables,
)
from analysis.query.participation import (
    DONE,
    LEFT,
    MOVED_OUT,
    NOT_DONE,
    NOT_JOINED,
    NOT_YET_IN,
    GridResult,
    LearnerGrid,
    activity_grid,
    activity_participation,
    all_pairs,
    empty_selection,
    find_members,
    has_roster,
    learner_branches,
    learner_grid,
    learner_history,
    member_history,
    missed_by_person,
    missing,
    namesake_details,
    never_studied,
    order_namesakes,
    parse_quarter,
    participation_grid,
    pick_member,
    resolve_branch,
    select_periods,
)
from analysis.safety import safe_io

STUDY_COLUMNS = ["period", "recorded_at", "member_id", "match", "person_key", "name", "name_norm", "branch"]
RATE_ROW = "支部参学率"
LEARNERS_ROW = "参学人数"
RATES_SHEET = "各期参学率"
LEGEND = (
    f"{DONE} 已学习；{NOT_DONE} 当天在本支部、没有学习记录；{NOT_JOINED} 当天尚未入团；"
    f"{MOVED_OUT} / {NOT_YET_IN} 当天在其他团支部（转出后 / 转入前）；{LEFT} 当天已离团。"
)
SHORT_CELLS = {NOT_JOINED: "未入", MOVED_OUT: "转出", NOT_YET_IN: "未转", LEFT: "离团"}
SHORT_TOTALS = {"参学期数": "参学\n期数", "应参学期数": "应参\n期数"}
SHORT_LEGEND = (
    f"（{DONE} 已学习；{NOT_DONE} 未学习；未入 = 当天尚未入团；转出 / 未转 = 当天在其他团支部（转出后 / 转入前）；"
    "离团 = 当天已离团）"
)
NO_ROSTER_NOTE = (
    "没有团员名册：下面只列出有学习记录的人和人数；参学率、未学习名单和个人应参学期数需要团员名册"
    "（把名册导出放入原始数据文件夹后重新导入）。"
)


def _paths(args: argparse.Namespace) -> tuple[int, Path, Path | None]:
    if args.year is None or getattr(args, "sample", False):
        sample = paths.sample_paths(args.year or paths.SAMPLE_YEAR)
        processed = paths.resolve(args.processed) if args.processed else sample.processed
        config = paths.resolve(args.config) if args.config else sample.config
        return sample.year, processed, config
    yp = paths.year_paths(args.year, processed=args.processed, config=args.config)
    return args.year, yp.processed, yp.config


def _resolver(config_path: Path | None) -> BranchResolver | None:
    if config_path is None or not config_path.is_file():
        return None
    try:
        return BranchResolver(load_config(config_path))
    except ConfigError:
        return None


def run_query(args: argparse.Namespace, console: Console) -> int:
    if getattr(args, "towns", None):  # across towns: the county roll-up's SQL (analysis.county.query)
        from analysis.county.query import run_towns_query

        return run_towns_query(args, console)
    year, processed, config_path = _paths(args)
    tables = load.processed(processed, year)  # no data yet: says which command to run
    tables.preload("study_records", STUDY_COLUMNS)
    resolver = _resolver(config_path)
    branch = resolve_branch(tables, args.branch, resolver) if args.branch else None
    roster = has_roster(tables)
    source = f"{processed}（{year} 年处理后数据）"

    if args.activities:
        return _activities(tables, args, console, branch, year, roster, source)

    records = tables.study_records
    if records is None:
        raise AnalysisError(
            f"{year} 年的数据中没有青年大学习记录", hint="请确认导出文件已放入原始数据文件夹并重新导入。"
        )
    year_periods = study.study_periods(records, year)
    periods = select_periods(year_periods, args.period, args.quarter, args.date_from, args.date_to, year=year)
    if periods.empty:
        raise empty_selection(year_periods, year, args.quarter)
    scope = _scope(args, periods, year)
    if not roster:
        return _without_roster(tables, periods, args, console, branch, scope, source)
    if args.member:
        return _member(tables, periods, args, console, branch, scope, source)
    if getattr(args, "never", False):
        frame = never_studied(tables, periods, branch)
        title = f"{branch or '全镇'} {scope} 一次也没有学习的团员"
        if args.format == "table":
            _print_never(frame, console, title)
            return 0
        notes = [
            ("从未学习", "所选各期中至少有一期当天在团、但一期也没有学习记录的团员（按团支部、姓名排列）。")
        ]
        return write_tables({"从未学习": frame}, args, console, title, source, notes)
    if args.missing:
        frame = missing(tables, periods, branch)
        title = f"{branch or '全镇'} {scope} 未学习名单"
        if args.format == "table":
            _print_missing(frame, console, title, len(periods))
            return 0
        notes = [("未学习名单", "每期当天在团、没有学习记录的团员（按期次、团支部、姓名排列）。")]
        sheets = {"未学习名单": frame}
        if args.format == "xlsx":  # a CSV holds one table: the rows per period
            sheets["按人汇总"] = missed_by_person(frame)
            notes.append(("按人汇总", "每人一行：所选各期中未学习的期数和期次（按团支部、未学习期数排列）。"))
        return write_tables(sheets, args, console, title, source, notes)

    branches = [branch] if branch else sorted(set(tables.members["branch"]))
    pairs = all_pairs(tables, periods, branch)
    grids = [g for g in (participation_grid(tables, periods, b, pairs) for b in branches) if len(g.grid)]
    if args.format == "table":
        for g in grids:
            print_grid(g, console, f"{g.branch} {scope} 青年大学习参学情况")
        return 0
    return _write_grids(grids, args, console, f"参学情况 {scope}", source)


def _scope(args: argparse.Namespace, periods: pd.DataFrame, year: int) -> str:
    if args.quarter:
        q_year, q = parse_quarter(args.quarter, year)
        return f"{q_year}Q{q}"
    first, last = periods["date"].min(), periods["date"].max()
    return f"{first:%Y-%m-%d}至{last:%Y-%m-%d}（{len(periods)} 期）"


# --------------------------------------------------------------------------------------------------
# Terminal
# --------------------------------------------------------------------------------------------------


def print_grid(g: GridResult | LearnerGrid, console: Console, title: str) -> None:
    """Members × periods with the branch's rate (or, without a roster, the number of learners) per period
    as the footer; when the periods do not fit the window, one line per member with the totals."""
    labels = list(g.periods["period"])
    if isinstance(g, GridResult):
        rates = g.period_rates.set_index("period")["rate"]
        footer = {"姓名": RATE_ROW} | {p: formatting.percent(rates.get(p)) for p in labels}
        footer["参学率"] = formatting.percent(rates.mean())
    else:
        counts = g.learners.set_index("period")["learners"]
        footer = {"姓名": LEARNERS_ROW} | {p: formatting.count(counts.get(p)) for p in labels}
    headers = period_headers(g.periods)
    options = dict(rates=RATE_COLUMNS, marks=MARKS, footer=footer, mark_columns=labels)
    attempts = (
        (None, g.grid, headers),
        (True, g.grid, headers),
        # the compact style with two-character cells and two-line totals' titles: a quarter fits 120 columns
        (True, g.grid.replace(SHORT_CELLS), headers | SHORT_TOTALS),
    )
    for narrow, grid, titles in attempts:
        # the header and footer alone first: rows only widen a table, and measuring them all is slow
        probe = terminal.frame_table(console, grid.iloc[:0], title, narrow=narrow, headers=titles, **options)  # type: ignore[arg-type]
        if not terminal.fits(console, probe):
            continue
        table = terminal.frame_table(console, grid, title, narrow=narrow, headers=titles, **options)  # type: ignore[arg-type]
        if terminal.fits(console, table):
            console.print(table)
            if grid is not g.grid:
                console.print(SHORT_LEGEND)
            return
    totals = [c for c in ("姓名", "参学期数", "应参学期数", "参学率") if c in g.grid.columns]
    console.print(terminal.frame_table(console, g.grid[totals], title, rates=RATE_COLUMNS))
    console.print(f"（共 {len(labels)} 期，逐期明细请用 --format xlsx 或加宽终端窗口）")
    if isinstance(g, GridResult):
        console.print(f"{g.branch} 各期平均参学率：{footer['参学率']}")


def _print_missing(frame: pd.DataFrame, console: Console, title: str, n_periods: int) -> None:
    """Once per branch: each member once, with how many and which of the periods they missed."""
    if frame.empty:
        console.print(f"{title}：所选各期团员均已学习。")
        return
    console.print(f"[bold]{title}[/]（所选共 {n_periods} 期）")
    people = missed_by_person(frame)
    for branch, group in people.groupby("团支部", sort=True):
        times = int(group["未学习期数"].sum())
        console.print(f"\n[bold]{branch}[/]：{len(group)} 人未学习，共 {times} 人次")
        for row in group.itertuples(index=False):
            console.print(f"  {row.姓名}  缺 {row.未学习期数} 期：{row.未学习期次}")


def _print_never(frame: pd.DataFrame, console: Console, title: str) -> None:
    if frame.empty:
        console.print(f"{title}：没有。所选各期中每名团员至少学习过一期。")
        return
    console.print(f"[bold]{title}[/]：共 {len(frame)} 人")
    for branch, group in frame.groupby("团支部", sort=True):
        console.print(f"\n[bold]{branch}[/]（{len(group)} 人）：{'、'.join(group['姓名'])}")


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


def _write_grids(
    grids: list[GridResult] | list[LearnerGrid],
    args: argparse.Namespace,
    console: Console,
    title: str,
    source: str,
) -> int:
    output = output_path(args, title)
    by_period = pd.concat([_period_table(g) for g in grids], ignore_index=True)
    roster = bool(grids) and isinstance(grids[0], GridResult)
    side_title = RATES_SHEET if roster else LEARNERS_ROW
    if args.format == "csv":
        rows = [g.grid.assign(团支部=g.branch)[["团支部", *g.grid.columns]] for g in grids]
        safe_io.write_csv(pd.concat(rows, ignore_index=True), output, percent_columns=RATE_COLUMNS)
        side = side_file(output, side_title)
        safe_io.write_csv(by_period, side, percent_columns=RATE_COLUMNS)
        console.print(f"已写入 {output}（每人一行）与 {side}（每个团支部每期一行）")
        return 0
    sheets: dict[str, pd.DataFrame] = {}
    cell_formats: dict[str, dict[str, list[str | None]]] = {}
    for g in grids:
        sheets[g.branch], cell_formats[g.branch] = _grid_sheet(g)
    sheets[side_title] = by_period
    what = "支部参学率：当期完成人数 ÷ 当天在本支部的团员人数" if roster else "有学习记录的人数"
    notes = [(g.branch, "每人一行、每期一列" + ("，末行为各期支部参学率" if roster else "")) for g in grids]
    notes += [(side_title, f"每个团支部每期一行：{what}。"), ("单元格", LEGEND)]
    sheets[safe_io.NOTES_SHEET] = notes_frame(source, notes)
    safe_io.write_xlsx(
        output,
        sheets,
        percent_columns={name: [c for c in RATE_COLUMNS if c in f.columns] for name, f in sheets.items()},
        cell_formats=cell_formats,
        highlight={g.branch: {DONE: GREEN, NOT_DONE: RED} for g in grids},
    )
    console.print(f"已写入 {output}")
    return 0


def _period_table(g: GridResult | LearnerGrid) -> pd.DataFrame:
    if isinstance(g, GridResult):
        frame = g.periods.merge(g.period_rates[["period", "numerator", "denominator", "rate"]], on="period")
        frame = frame.rename(
            columns={"numerator": "完成人数", "denominator": "应参学人数", "rate": "参学率"}
        ).astype({"完成人数": "Int64", "应参学人数": "Int64"})
    else:
        frame = g.learners.rename(columns={"learners": LEARNERS_ROW})
    frame = frame.rename(columns={"period": "期次", "date": "日期"})
    return frame.assign(团支部=g.branch)[["团支部", *frame.columns]]


def _grid_sheet(g: GridResult | LearnerGrid) -> tuple[pd.DataFrame, dict[str, list[str | None]]]:
    """The grid, then (after an empty row) the branch's rate per period as numbers in 0.0%."""
    if not isinstance(g, GridResult):
        return g.grid, {}
    rates = g.period_rates.set_index("period")["rate"]
    labels = list(g.periods["period"])
    rate_row = {"姓名": RATE_ROW} | {p: rates.get(p) for p in labels} | {"参学率": rates.mean()}
    frame = pd.concat(
        [g.grid.astype({p: object for p in labels}), pd.DataFrame([{}, rate_row])], ignore_index=True
    )
    frame = frame.astype({"参学期数": "Int64", "应参学期数": "Int64"})
    formats: list[str | None] = [None] * (len(frame) - 1) + [formatting.XLSX_RATE]
    return frame, {p: formats for p in labels}


# --------------------------------------------------------------------------------------------------
# One member
# --------------------------------------------------------------------------------------------------


def _member(
    tables: load.Tables,
    periods: pd.DataFrame,
    args: argparse.Namespace,
    console: Console,
    branch: str | None,
    scope: str,
    source: str,
) -> int:
    found, suggestions = find_members(tables, args.member)
    if branch:
        found = found[found["branch"] == branch]
    if found.empty:
        hint = f"您是否要找：{'、'.join(suggestions)}？" if suggestions else "请检查姓名是否与团员名册一致。"
        raise AnalysisError(f"团员名册中没有“{args.member}”" + (f"（{branch}）" if branch else ""), hint=hint)
    found = order_namesakes(found)
    details = namesake_details(found)
    who = getattr(args, "who", None)
    if who:
        chosen = pick_member(found, who)
        keep = found["member_id"].isin(chosen["member_id"]).to_numpy()
        found, details = found[keep], [d for d, k in zip(details, keep, strict=True) if k]
    if len(found) > 1:
        listing = "；".join(f"{i}. {d}" for i, d in enumerate(details, start=1))
        console.print(
            f"[yellow]名册中有 {len(found)} 名团员叫“{args.member}”：{listing}。"
            f"下面分别列出；加 --who 序号（如 --who 1）或身份证尾号、出生年份只看其中一人。[/]"
        )
    histories = []
    for (_, person), detail in zip(found.iterrows(), details, strict=True):
        h = member_history(tables, periods, person["member_id"])
        histories.append((h, detail, f"{h.name}（{detail}）"))
    if args.format == "table":
        for h, _, label in histories:
            s = h.summary
            console.print(
                f"\n[bold]{label}[/] {scope}：参学 {s['参学期数']}/{s['应参学期数']} 期"
                f"（{formatting.percent(s['参学率'], formatting.DASH)}），参加活动 {s['参加活动次数']} 次"
            )
            for frame, what in (
                (h.study, "青年大学习"),
                (h.activities, "活动参与"),
                (h.recruitment, "发展团员"),
            ):
                if len(frame):  # the title names the person
                    print_frame(frame.drop(columns="姓名", errors="ignore"), console, f"{label} · {what}")
        return 0
    rows = [h.study.assign(区分信息=detail) for h, detail, _ in histories]
    rows = [r[["姓名", "区分信息", *[c for c in r.columns if c not in ("姓名", "区分信息")]]] for r in rows]
    title = f"{args.member} 参学记录"
    if args.format == "csv":
        return write_tables(
            {"参学记录": pd.concat(rows, ignore_index=True)}, args, console, title, source, []
        )
    summary = pd.DataFrame(
        [{"姓名": h.name, "区分信息": detail, **h.summary} for h, detail, _ in histories]
    ).astype({"参学期数": "int64", "应参学期数": "int64", "参学率": "float64", "参加活动次数": "int64"})
    sheets = {"个人汇总": summary} | {label: r for (_, _, label), r in zip(histories, rows, strict=True)}
    notes = [("个人汇总", "每人一行：所选期次中的参学期数、应参学期数、参学率和参加活动次数。")]
    notes += [(label, "每期一行：当期所在团支部和学习情况。") for _, _, label in histories]
    notes.append(("单元格", LEGEND))
    return write_tables(sheets, args, console, title, source, notes, highlight=True)


# --------------------------------------------------------------------------------------------------
# Activities; no roster
# --------------------------------------------------------------------------------------------------


def _activities(
    tables: load.Tables,
    args: argparse.Namespace,
    console: Console,
    branch: str | None,
    year: int,
    roster: bool,
    source: str,
) -> int:
    if branch and not args.member and roster:
        grid = activity_grid(tables, branch, year)
        title = f"{year}年{branch}活动参与"
        if args.format == "table":
            print_frame(grid, console, title)
            return 0
        notes = [(branch, "每人一行、每项活动一列：√ 为在该活动参与名单上；参加次数为合计。")]
        return write_tables({branch: grid}, args, console, title, source, notes, highlight=True)
    if not roster:
        console.print("[yellow]没有团员名册：下面按活动参与名单上的记录列出，无法按团员汇总。[/]")
    frame = activity_participation(tables, branch=branch, year=year)
    if args.member:
        names = find_members(tables, args.member)[0]["name"] if roster else pd.Series([args.member])
        frame = frame[frame["姓名"].isin(names)]
    title = f"{year}年活动参与"
    if args.format == "table":
        print_frame(frame, console, title)
        return 0
    return write_tables(
        {"活动参与": frame}, args, console, title, source, [("活动参与", "活动参与名单上的记录。")]
    )


def _without_roster(
    tables: load.Tables,
    periods: pd.DataFrame,
    args: argparse.Namespace,
    console: Console,
    branch: str | None,
    scope: str,
    source: str,
) -> int:
    """What the records alone answer: who has records in which period, and how many per period."""
    if args.missing:
        raise AnalysisError(
            f"{tables.year} 年的数据中没有团员名册，无法列出未学习的团员",
            hint="未学习名单和参学率需要团员名册：请把名册导出放入原始数据文件夹后重新导入；"
            "不加 --missing 可查看有学习记录的人和人数。",
        )
    console.print(f"[yellow]{NO_ROSTER_NOTE}[/]")
    if args.member:
        history = learner_history(tables, periods, args.member)
        if branch:
            history = history[history["团支部"] == branch]
        if history.empty:
            raise AnalysisError(f"所选期次的学习记录中没有“{args.member}”", hint="请检查姓名写法或期次范围。")
        if args.format == "table":
            print_frame(history, console, f"{args.member} {scope} 的学习记录（共 {len(history)} 期次）")
            return 0
        notes = [("学习记录", "按姓名找到的学习记录，每期一行（没有名册，同名者无法区分）。")]
        return write_tables({"学习记录": history}, args, console, f"{args.member} 学习记录", source, notes)
    names = [branch] if branch else learner_branches(tables, periods)
    grids = [g for g in (learner_grid(tables, periods, b) for b in names) if len(g.grid)]
    if args.format == "table":
        for g in grids:
            print_grid(g, console, f"{g.branch} {scope} 有学习记录的人")
        return 0
    return _write_grids(grids, args, console, f"学习记录 {scope}", source)
