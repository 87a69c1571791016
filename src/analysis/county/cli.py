"""``python -m analysis county --towns DIR --year Y [--reports DIR] [--name 县名] [--engine duckdb|spark]``:
the roll-up (on DuckDB in this process, or on Spark in local mode: the ``[cluster]`` extra)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from analysis.common import formatting, paths
from analysis.common.errors import AnalysisError
from analysis.common.paths import PROCESSED_MANIFEST, SECTIONS_DIR
from analysis.county import layout
from analysis.county.outputs import DOCX, FIGURES, JSON, XLSX, write_report
from analysis.county.rollup import compute

OUTPUT_FILES = (XLSX, JSON, DOCX)


def default_reports(year: int) -> Path:
    return paths.ROOT / "reports" / "county" / str(year)


def refuse_overlap(output: Path, towns: Path) -> None:
    """The report folder must not be, contain or lie inside the towns' data folder (never write where
    the roll-up reads)."""
    out, src = output.resolve(), towns.resolve()
    if out == src or out.is_relative_to(src) or src.is_relative_to(out):
        raise AnalysisError(
            f"输出文件夹 {output} 与各镇数据文件夹 {towns} 重叠", hint="请用 --reports 指定另一个文件夹。"
        )


def refuse_foreign_files(output: Path) -> None:
    """Write only into an empty folder or one holding a previous county report (its files are replaced):
    never into, say, a town's report folder, whose summary sections the Word section would pick up."""
    if not output.is_dir():
        return
    ours = set(OUTPUT_FILES) | {
        f"figures/{name}.{ext}" for name, _ in FIGURES.values() for ext in ("png", "svg")
    }
    ours |= {f"{SECTIONS_DIR}/01_county.json"}
    found = [p.relative_to(output).as_posix() for p in sorted(output.rglob("*")) if p.is_file()]
    foreign = [f for f in found if f not in ours]
    if foreign:
        raise AnalysisError(
            f"输出文件夹 {output} 中已有不是全县汇总生成的文件（如 {foreign[0]}）",
            hint="请用 --reports 指定一个空文件夹，或上次全县汇总的输出文件夹。",
        )


def run_county(args: argparse.Namespace, console: Console) -> int:
    """Discover the towns, roll them up and write the county report; prints where it went."""
    import duckdb

    towns = paths.resolve(args.towns)
    reports = paths.resolve(args.reports) if args.reports else default_reports(args.year)
    refuse_overlap(reports, towns)
    refuse_foreign_files(reports)
    county = layout.discover(towns, args.year)
    engine = getattr(args, "engine", "duckdb")
    on = "（Spark 本地模式）" if engine == "spark" else ""
    try:
        with console.status(f"正在汇总 {len(county.towns)} 个镇的 {args.year} 年数据{on}…"):
            rollup = compute(county, engine=engine)
    except (duckdb.OutOfMemoryException, MemoryError):
        raise AnalysisError(
            "汇总时内存不足", hint="请关闭其他程序后重试，或确认临时文件夹所在磁盘有足够空间。"
        ) from None
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        raise AnalysisError(f"读取各镇数据时出错（{exc}）", hint="请检查上面提到的文件。") from None
    with console.status("正在生成表格、图表和文档…"):
        report = write_report(rollup, reports, args.name)
    total = rollup.total
    shown = "、".join(county.names[:10]) + ("等" if len(county.names) > 10 else "")
    console.print(f"已汇总 {len(county.towns)} 个镇：{shown}。")
    if county.without_year:
        console.print(f"[yellow]没有 {args.year} 年数据、未参加汇总：{'、'.join(county.without_year)}。[/]")
    if county.unverified:
        console.print(
            f"[yellow]以下镇的数据中没有 {PROCESSED_MANIFEST}（由旧版本的程序导入），未能核对文件是否完整："
            f"{'、'.join(county.unverified)}；请这些镇用当前版本重新导入后再交数据。[/]"
        )
    if "org.members" in total:
        console.print(f"全县团员 {formatting.count(total['org.members'])} 名。")
    if "study.member_rate" in total:
        console.print(f"全县团员参学率（各期平均）{formatting.percent(total['study.member_rate'])}。")
    console.print(f"各镇对比表、图表和文档已写入 {report.folder}（county.xlsx、county.docx、figures/）。")
    return 0
