"""Command line: ``python -m analysis {sample,ingest,run,query,audit,docs,fonts}`` (contracts.md).

Every failure caused by input or configuration ends with one Chinese paragraph and a non-zero exit
code; an unexpected internal error is logged to a file and summarised, never shown as a bare traceback.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from analysis import paths
from analysis.errors import AnalysisError

EXIT_INPUT = 2
EXIT_INTERNAL = 3


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _year_args(p: argparse.ArgumentParser, reports: bool = False) -> None:
    p.add_argument("--year", type=int, help="报告年度，如 2022；省略时使用内置示例镇（sample）")
    p.add_argument("--raw", help="原始导出文件夹（默认 data/raw/<年>）")
    p.add_argument("--processed", help="处理后数据文件夹（默认 data/processed/<年>）")
    if reports:
        p.add_argument("--reports", help="报告输出文件夹（默认 reports/<年>）")
    p.add_argument("--config", help="配置文件（默认 config/town.yml）")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="镇团委年度工作数据分析")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("sample", help="生成内置的示例镇导出数据（合成数据）")
    p.add_argument("--out", default=str(paths.SAMPLE_DIR), help="输出文件夹（默认 data/sample）")
    p.add_argument("--seed", type=int, default=2022, help="随机种子（相同种子生成相同数据）")

    p = sub.add_parser("ingest", help="读取原始导出 → 规范数据表与导入报告")
    _year_args(p)
    p.add_argument("--sample", action="store_true", help="使用内置示例镇")

    p = sub.add_parser("run", help="导入（如需要）并执行全部分析笔记本，生成年度报告")
    _year_args(p, reports=True)
    p.add_argument("--sample", action="store_true", help="使用内置示例镇")
    p.add_argument("--force", action="store_true", help="忽略缓存，全部重新运行")

    p = sub.add_parser("query", help="即时查询：谁参加了什么")
    qsub = p.add_subparsers(dest="query", required=True, metavar="查询")
    q = qsub.add_parser("participation", help="青年大学习参学情况")
    q.add_argument("--year", type=int, help="年度（省略时使用内置示例镇 2022 年）")
    q.add_argument("--branch", help="团支部（可用简称）")
    q.add_argument("--member", help="团员姓名：查看个人记录")
    q.add_argument("--period", action="append", help="期次，如 第12季第5期；可多次给出")
    q.add_argument("--quarter", help="季度，如 2022Q2")
    q.add_argument("--from", dest="date_from", help="起始日期，如 2022-04-01")
    q.add_argument("--to", dest="date_to", help="截止日期，如 2022-06-30")
    q.add_argument("--missing", action="store_true", help="列出每期未学习的团员")
    q.add_argument("--activities", action="store_true", help="查询活动参与（而不是青年大学习）")
    q.add_argument("--format", choices=["table", "csv", "xlsx"], default="table", help="输出格式")
    q.add_argument("--output", help="输出文件（csv/xlsx）")
    q.add_argument("--processed", help="处理后数据文件夹（默认 data/processed/<年>）")
    q.add_argument("--config", help="配置文件")
    q.add_argument("--towns", help="各镇数据文件夹（town=镇名/year=年份/）：跨镇查询各镇参学率")

    p = sub.add_parser("county", help="汇总各镇数据：各镇指标对比与全县合计")
    p.add_argument("--towns", required=True, help="各镇数据所在文件夹（其中为 town=镇名/year=年份/）")
    p.add_argument("--year", type=int, required=True, help="汇总年度，如 2022")
    p.add_argument("--reports", help="输出文件夹（默认 reports/county/<年>）")
    p.add_argument("--name", default="全县", help="报告标题中的县（市）名称（默认“全县”）")

    p = sub.add_parser("audit", help="检查输出文件中是否含有完整身份证号或手机号")
    p.add_argument(
        "path", nargs="?", default=str(paths.ROOT / "reports"), help="要检查的文件或文件夹（默认 reports/）"
    )

    sub.add_parser("docs", help="根据数据表与指标定义重新生成 docs/tables.md、docs/indicators.md")
    sub.add_parser("fonts", help="准备图表使用的中文字体（首次约需 10 秒）")
    return parser


def resolve_year_paths(args: argparse.Namespace) -> paths.YearPaths:
    """The sample town when no --year (or --sample) is given; the analyst's own folders otherwise."""
    if getattr(args, "sample", False) or args.year is None:
        base = paths.sample_paths(args.year or paths.SAMPLE_YEAR)
        return paths.YearPaths(
            year=base.year,
            raw=paths.resolve(args.raw) if args.raw else base.raw,
            processed=paths.resolve(args.processed) if args.processed else base.processed,
            reports=paths.resolve(getattr(args, "reports", None))
            if getattr(args, "reports", None)
            else base.reports,
            config=paths.resolve(args.config) if args.config else base.config,
        )
    return paths.year_paths(args.year, args.raw, args.processed, getattr(args, "reports", None), args.config)


def cmd_sample(args: argparse.Namespace) -> int:
    from tuanwei_sample import write_sample

    written = write_sample(paths.resolve(args.out), seed=args.seed)
    _console().print(f"已生成示例镇数据：{len(written)} 个文件，位于 {paths.resolve(args.out)}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.config import load_config
    from analysis.ingest.pipeline import ingest_year, write_processed
    from analysis.ingest.summary import print_ingest_summary

    yp = resolve_year_paths(args)
    config = load_config(yp.config)
    if not yp.raw.is_dir():
        raise AnalysisError(
            f"找不到原始数据文件夹 {yp.raw}",
            hint=f"请把 {yp.year} 年的导出文件放到该文件夹（文件名不限），或用 --raw 指定位置。",
        )
    console = _console()
    with console.status("正在读取导出文件…") as status:
        result = ingest_year(yp.raw, config, yp.year, progress=lambda name: status.update(f"正在读取 {name}"))
        write_processed(result, yp.processed)
    print_ingest_summary(result, yp.processed, console)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from analysis.report.run import run_year

    yp = resolve_year_paths(args)
    return run_year(yp, force=args.force, console=_console())


def cmd_query(args: argparse.Namespace) -> int:
    from analysis.query.cli import run_query

    return run_query(args, _console())


def cmd_county(args: argparse.Namespace) -> int:
    from analysis.county.cli import run_county

    return run_county(args, _console())


def cmd_audit(args: argparse.Namespace) -> int:
    from analysis.audit import audit, format_findings

    target = paths.resolve(args.path)
    if not target.exists():
        raise AnalysisError(f"找不到要检查的路径 {target}")
    findings = audit(target)
    console = _console()
    if findings:
        console.print(format_findings(findings))
        return 1
    console.print(f"检查通过：{target} 中未发现完整的身份证号或手机号码。")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from analysis.docs import write_docs

    for path in write_docs(paths.ROOT / "docs"):
        _console().print(f"已更新 {path}")
    return 0


def cmd_fonts(args: argparse.Namespace) -> int:
    from analysis import fonts

    path = fonts.prepare()
    _console().print(f"中文字体已就绪：{path}")
    return 0


COMMANDS = {
    "sample": cmd_sample,
    "ingest": cmd_ingest,
    "run": cmd_run,
    "query": cmd_query,
    "county": cmd_county,
    "audit": cmd_audit,
    "docs": cmd_docs,
    "fonts": cmd_fonts,
}


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")  # Windows consoles default to a legacy code page
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AnalysisError as exc:
        _console().print(f"[bold red]出错了：[/]{exc.render()}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _console().print("已中断。")
        return 130
    except Exception:  # an internal error: keep the traceback in a log, show one paragraph
        log = Path(tempfile.gettempdir()) / "tuanwei-analysis-error.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        _console().print(
            f"[bold red]出错了：[/]程序内部错误（不是您的数据问题）。详细信息已写入 {log}，"
            "请把该文件发给维护人员。"
        )
        return EXIT_INTERNAL
