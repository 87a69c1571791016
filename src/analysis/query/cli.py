"""``python -m analysis query participation …``: answers in the terminal, as CSV or as xlsx."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from analysis import load, paths, safe_io
from analysis.config import load_config
from analysis.errors import AnalysisError, ConfigError
from analysis.indicators import study
from analysis.ingest.branches import BranchResolver
from analysis.query.participation import (
    DONE,
    NOT_DONE,
    GridResult,
    activity_grid,
    activity_participation,
    find_members,
    member_history,
    missing,
    participation_grid,
    resolve_branch,
    select_periods,
)

STUDY_COLUMNS = ["period", "recorded_at", "member_id", "match", "person_key"]
WIDE = 12  # more periods than this: the terminal shows per-member totals, the file has the full grid
GREEN, RED = "C6EFCE", "FFC7CE"


def _paths(args: argparse.Namespace) -> tuple[int, Path, Path | None]:
    if args.year is None:
        sample = paths.sample_paths()
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
    if not (processed / "ingest_report.json").is_file():
        command = "python -m analysis ingest" + (f" --year {year}" if args.year is not None else " --sample")
        raise AnalysisError(
            f"还没有 {year} 年的处理后数据（{processed}）",
            hint=f"请先运行：{command}（或 make ingest{' YEAR=' + str(year) if args.year is not None else ''}）。",
        )
    tables = load.processed(processed, year)
    tables.preload("study_records", STUDY_COLUMNS)
    resolver = _resolver(config_path)
    branch = resolve_branch(tables, args.branch, resolver) if args.branch else None

    if args.activities:
        if branch and not args.member:
            grid = activity_grid(tables, branch, year)
            return _emit({branch: grid}, args, console, f"{year}年{branch}活动参与", highlight=True)
        frame = activity_participation(tables, branch=branch, year=year)
        if args.member:
            found, _ = find_members(tables, args.member)
            frame = frame[frame["姓名"].isin(found["name"])]
        return _emit({"活动参与": frame}, args, console, f"{year}年活动参与")

    records = tables.study_records
    if records is None:
        raise AnalysisError(
            f"{year} 年的数据中没有青年大学习记录", hint="请确认导出文件已放入原始数据文件夹并重新导入。"
        )
    periods = select_periods(
        study.study_periods(records, year), args.period, args.quarter, args.date_from, args.date_to
    )
    if periods.empty:
        raise AnalysisError(
            "所选范围内没有青年大学习期次", hint="请检查 --quarter、--from/--to 或 --period。"
        )
    scope = _scope(args, periods)

    if args.member:
        return _member(tables, periods, args, console, branch, scope)
    if args.missing:
        frame = missing(tables, periods, branch)
        title = f"{branch or '全镇'} {scope} 未学习名单"
        if args.format == "table":
            _print_missing(frame, console, title)
            return 0
        return _emit({"未学习名单": frame}, args, console, title)

    branches = [branch] if branch else sorted(set(tables.members["branch"]))
    grids = [participation_grid(tables, periods, b) for b in branches]
    grids = [g for g in grids if len(g.grid)]
    if args.format == "table":
        for g in grids:
            _print_grid(g, console, scope)
        return 0
    sheets = {g.branch: _with_rate_row(g) for g in grids}
    return _emit(sheets, args, console, f"参学情况 {scope}", highlight=True)


def _scope(args: argparse.Namespace, periods: pd.DataFrame) -> str:
    if args.quarter:
        return args.quarter.upper()
    first, last = periods["date"].min(), periods["date"].max()
    return f"{first:%Y-%m-%d}至{last:%Y-%m-%d}（{len(periods)} 期）"


def _with_rate_row(g: GridResult) -> pd.DataFrame:
    """The grid plus a last row with the branch's rate per period (= study.member_rate.<branch>'s terms)."""
    rates = g.period_rates.set_index("period")["rate"]
    row = {"姓名": "支部参学率"} | {
        p: f"{rates.get(p):.1%}" if pd.notna(rates.get(p)) else "" for p in g.periods["period"]
    }
    mean = rates.mean()
    row["参学率"] = mean if pd.notna(mean) else None
    out = pd.concat([g.grid, pd.DataFrame([row])], ignore_index=True)
    return out


def _emit(
    sheets: dict[str, pd.DataFrame],
    args: argparse.Namespace,
    console: Console,
    title: str,
    highlight: bool = False,
) -> int:
    if args.format == "table":
        for name, frame in sheets.items():
            _print_frame(frame, console, f"{title}：{name}" if len(sheets) > 1 else title)
        return 0
    default = f"{title}.{args.format}".replace(" ", "_").replace("/", "-")
    output = Path(args.output) if args.output else Path.cwd() / default
    if args.format == "csv":
        frames = [f.assign(**{"团支部": name}) if len(sheets) > 1 else f for name, f in sheets.items()]
        safe_io.write_csv(pd.concat(frames, ignore_index=True), output)
    else:
        percents = {name: [c for c in ("参学率",) if c in f.columns] for name, f in sheets.items()}
        marks = {name: {DONE: GREEN, NOT_DONE: RED} for name in sheets} if highlight else None
        safe_io.write_xlsx(output, sheets, percent_columns=percents, highlight=marks)
    console.print(f"已写入 {output}")
    return 0


def _print_frame(frame: pd.DataFrame, console: Console, title: str) -> None:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*[_text(v) for v in row])
    console.print(table)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        return f"{value:.1%}" if 0 <= value <= 1 else f"{value:g}"
    if value == DONE:
        return "[green]√[/]"
    if value == NOT_DONE:
        return "[red]×[/]"
    return str(value)


def _print_grid(g: GridResult, console: Console, scope: str) -> None:
    if len(g.periods) <= WIDE:
        _print_frame(_with_rate_row(g), console, f"{g.branch} {scope} 青年大学习参学情况")
        return
    summary = g.grid[["姓名", "参学期数", "应参学期数", "参学率"]]
    _print_frame(
        summary, console, f"{g.branch} {scope} 青年大学习参学情况（期数较多，逐期明细请用 --format xlsx）"
    )
    console.print(f"{g.branch} 各期平均参学率：{g.period_rates['rate'].mean():.1%}")


def _print_missing(frame: pd.DataFrame, console: Console, title: str) -> None:
    if frame.empty:
        console.print(f"{title}：所选各期团员均已学习。")
        return
    console.print(f"[bold]{title}[/]")
    for (period, day), group in frame.groupby(["期次", "日期"], sort=False):
        console.print(f"\n[bold]{period}[/]（{day:%Y-%m-%d}）未学习 {len(group)} 人：")
        for branch, names in group.groupby("团支部"):
            console.print(f"  {branch}（{len(names)} 人）：{'、'.join(names['姓名'])}")


def _member(
    tables: load.Tables,
    periods: pd.DataFrame,
    args: argparse.Namespace,
    console: Console,
    branch: str | None,
    scope: str,
) -> int:
    found, suggestions = find_members(tables, args.member)
    if branch:
        found = found[found["branch"] == branch]
    if found.empty:
        hint = f"您是否要找：{'、'.join(suggestions)}？" if suggestions else "请检查姓名是否与团员名册一致。"
        raise AnalysisError(f"团员名册中没有“{args.member}”" + (f"（{branch}）" if branch else ""), hint=hint)
    if len(found) > 1:
        listing = "；".join(
            f"{r['name']}（{r['branch']}，身份证号 {r['id_masked'] or '未填'}）" for _, r in found.iterrows()
        )
        console.print(
            f"[yellow]名册中有 {len(found)} 名团员叫“{args.member}”：{listing}。下面分别列出；可加 --branch 只看其中一人。[/]"
        )
    sheets: dict[str, pd.DataFrame] = {}
    for _, person in found.iterrows():
        h = member_history(tables, periods, person["member_id"])
        label = f"{h.name}（{h.branch}）"
        if args.format == "table":
            s = h.summary
            rate = f"{s['参学率']:.1%}" if s["参学率"] is not None else "—"
            console.print(
                f"\n[bold]{label}[/] {scope}：参学 {s['参学期数']}/{s['应参学期数']} 期（{rate}），参加活动 {s['参加活动次数']} 次"
            )
            _print_frame(h.study, console, "青年大学习")
            if len(h.activities):
                _print_frame(h.activities, console, "活动参与")
            if len(h.recruitment):
                _print_frame(h.recruitment, console, "发展团员")
        else:
            sheets[label] = h.study
    if args.format != "table":
        return _emit(sheets, args, console, f"{args.member} 参学记录", highlight=True)
    return 0
