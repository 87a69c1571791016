"""``python -m analysis bulletin --period <期次 | latest> | --quarter Q | --month M``: the bulletin's three
files in reports/<Y>/通报/<期次 | 2022Q2 | 2022年5月>/.

The processed data are brought up to date first (``ensure_processed``: a new period's export dropped
into the raw folder is ingested, nothing is when nothing changed). The files are written into a hidden
staging folder, audited for full ID and phone numbers, and swapped in whole, under the reports folder's
lock (a yearly run replacing the report waits, and keeps the bulletins).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path

import pandas as pd
from rich.console import Console

from analysis.bulletin import lists, numbers
from analysis.bulletin.document import write_notice
from analysis.bulletin.numbers import MISSING_TEXT, Bulletin
from analysis.bulletin.picture import write_picture
from analysis.bulletin.scope import (
    LATEST,
    Scope,
    Skipped,
    folder_name,
    latest_complete,
    month_scope,
    period_scope,
    period_words,
    quarter_scope,
)
from analysis.common import faults, formatting, paths
from analysis.common.config import TownConfig
from analysis.common.errors import AnalysisError
from analysis.common.paths import BULLETIN_DIR, BULLETIN_DOCX, BULLETIN_PNG, BULLETIN_XLSX
from analysis.ingest.prefetch import raw_files
from analysis.processed.load import Tables
from analysis.processed.workspace import ensure_processed, refuse_read_only
from analysis.safety import folders, locks
from analysis.safety.audit import audit, format_findings

WHO = "通报或报告生成任务"  # who holds the reports folder's lock, as another command's waiting line says


def choose_scope(
    args: argparse.Namespace, periods: pd.DataFrame, year: int, gaps: pd.DataFrame
) -> tuple[Scope, list[Skipped]]:
    """The scope the options ask for; with ``--period latest`` also the newer periods passed over."""
    if args.quarter:
        return quarter_scope(periods, year, args.quarter), []
    if args.month:
        return month_scope(periods, year, args.month), []
    if str(args.period).strip().lower() == LATEST:
        label, skipped = latest_complete(periods, gaps)
        return period_scope(periods, label), skipped
    return period_scope(periods, args.period), []


def skipped_message(skipped: list[Skipped], chosen: Scope) -> str:
    """Why ``latest`` did not pick the newest period (Chinese, one paragraph)."""
    newest = skipped[0].period
    why = "；".join(f"“{period_words(s.period)}”中{'、'.join(s.branches)}没有任何学习记录" for s in skipped)
    return (
        f"最新一期“{period_words(newest)}”的导出看起来不完整：{why}（按其以往的参学水平几乎不可能，"
        f"多半是导出缺失）。本次通报最近一期完整的“{chosen.words}”；补齐导出后重新运行即可通报最新一期。"
    )


def gaps_message(b: Bulletin) -> str:
    """The branches marked 数据缺失 in this bulletin ("" when none)."""
    if not b.with_gaps:
        return ""
    where = "；".join(f"{r.branch}在{'、'.join(period_words(p) for p in r.missing)}" for r in b.with_gaps)
    return (
        f"注意：{where}没有任何学习记录（多半是导出缺失），通报和排名图中标为“{MISSING_TEXT}”，"
        "不参与排名。补齐导出后重新运行本命令即可。"
    )


def _tables(yp: paths.YearPaths, config: TownConfig, console: Console) -> Tables:
    started = time.perf_counter()
    read: list[str] = []  # the files the ingest read (the others came from its per-file cache)

    def progress(name: str) -> None:
        read.append(name)
        status.update(f"正在读取 {name}")

    with console.status("正在检查原始数据…") as status:
        tables, ingested = ensure_processed(yp, config, progress=progress)
    if ingested:
        seconds = formatting.number(round(time.perf_counter() - started, 1))
        kept = len(raw_files(yp.raw)) - len(read)
        files = f"读取 {len(read)} 个文件，其余 {kept} 个未变化（沿用上次的读取结果），" if kept > 0 else ""
        console.print(f"原始数据有变化，已重新导入（{files}用时 {seconds} 秒）。")
    if tables.study_records is None or tables.members is None or tables.members.empty:
        raise AnalysisError(
            f"{yp.year} 年的数据中缺少青年大学习记录或团员名册，无法生成通报",
            hint="参学率和待学习名单需要两者：请把导出放入原始数据文件夹后重新运行。",
        )
    return tables


def _issued(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return pd.Timestamp(text).date()
    except ValueError:
        raise AnalysisError(f"日期“{text}”格式不对", hint="请写成 2022-05-20 的形式。") from None


def write_bulletin(
    out: Path,
    b: Bulletin,
    pending: pd.DataFrame,
    issued: dt.date,
    source: str,
    order: list[str] | None = None,
) -> Path:
    """The three files in a staging folder next to ``out``, audited, then swapped in as ``out``
    (``order``: the branches' order for the lists' sheets)."""
    staging = out.parent / f".{out.name}.staging"
    old = out.parent / f".{out.name}.old"
    for leftover in (staging, old):
        faults.remove_tree(leftover)
    try:
        with faults.writing(staging):
            staging.mkdir(parents=True)
            write_notice(staging / BULLETIN_DOCX, b, issued)
            write_picture(staging / BULLETIN_PNG, b)
            lists.write_lists(staging / BULLETIN_XLSX, b, pending, source, order)
        findings = audit(staging)
        if findings:
            raise AnalysisError(
                "通报文件中发现完整的身份证号或手机号码，已停止：\n" + format_findings(findings),
                hint="请检查原始数据中的姓名等列，或联系维护人员。",
            )
        with faults.writing(out):
            if os.path.lexists(out):
                os.replace(out, old)
            os.replace(staging, out)
    except BaseException:
        faults.remove_tree(staging)
        raise
    faults.remove_tree(old)
    return out


def _summary(b: Bulletin, out: Path, console: Console) -> None:
    t = b.town
    parts = [f"全镇参学率 {formatting.percent(t.rate)}"]
    if t.change is not None:
        parts.append(f"较{b.scope.previous_words} {formatting.change(t.change, 'rate')}")
    if b.target is not None:
        parts.append(
            f"目标 {formatting.percent(b.target)}：达到 {len(b.commended)} 个团支部，未达到 {len(b.below)} 个"
        )
    parts.append(f"{b.scope.quarter_words}尚未参学 {formatting.count(t.never)} 人")
    console.print(f"已生成{b.scope.words}“青年大学习”通报：{out}")
    console.print("  " + "；".join(parts) + "。")
    console.print(
        f"  {BULLETIN_DOCX}（通报）、{BULLETIN_PNG}（排名图，发到团支部书记群）、{BULLETIN_XLSX}（各团支部待学习名单）"
    )


def run_bulletin(yp: paths.YearPaths, config: TownConfig, args: argparse.Namespace, console: Console) -> int:
    """The command (folders and configuration already checked by the caller); returns the exit code."""
    folders.check_folders(yp, None, reports=True)
    refuse_read_only(yp.reports.parent, "报告所在的文件夹", "--reports")
    issued = _issued(getattr(args, "date", None))
    tables = _tables(yp, config, console)
    periods = tables.study_periods(yp.year)
    if periods is None or periods.empty:
        raise AnalysisError(
            f"{yp.year} 年的数据中没有青年大学习期次", hint="请确认学习记录的导出已放入原始数据文件夹。"
        )
    pairs = numbers.year_pairs(tables, periods)
    gaps = numbers.data_gaps(tables, config, yp.year, pairs)
    scope, skipped = choose_scope(args, periods, yp.year, gaps)
    if skipped:
        console.print(f"[yellow]{skipped_message(skipped, scope)}[/]")
    b = numbers.compute(tables, config, scope, pairs, gaps)
    if gaps_message(b):
        console.print(f"[yellow]{gaps_message(b)}[/]")
    pending = lists.pending(pairs, gaps, scope, tables.members)
    out = yp.reports / BULLETIN_DIR / folder_name(scope.label)
    source = f"{yp.processed}（{yp.year} 年处理后数据）"
    with locks.folder_lock(yp.reports, WHO, console.print):
        write_bulletin(out, b, pending, issued, source, list(config.branch_names))
    _summary(b, out, console)
    return 0
