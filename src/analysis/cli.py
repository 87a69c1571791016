"""Command line: ``python -m analysis {sample,ingest,run,query,bulletin,audit,docs,fonts}`` (docs/definitions.md, section 1).

Every failure caused by input, configuration or the machine (no permission, disk full …) ends with one
Chinese paragraph and exit code 2; an unexpected internal error is logged to a file of its own (per user,
per run) and summarised with exit code 3; Ctrl-C, SIGTERM and SIGHUP stop every child process and print
one line. Never a bare traceback. Argument errors are in Chinese too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from analysis.common import faults, paths
from analysis.common.errors import AnalysisError, GapsFound, write_internal_log
from analysis.safety import folders, processes

if TYPE_CHECKING:
    from analysis.common.config import TownConfig

EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_GAPS = 4  # stopped by the completeness gate
INTERRUPTED = {"run": "已中断，报告未更新", "ingest": "已中断，处理后数据未更新"}

# argparse's own messages (Python 3.11–3.13), in Chinese: (English pattern, Chinese template).
_ARGPARSE_ZH = [
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 有歧义，可能是：\2"),
    (r"one of the arguments (.*) is required", r"需要以下参数之一：\1"),
    (r"argument (.+?): invalid choice: (.+?) \(choose from (.*)\)", r"参数 \1 的值 \2 无效（可选：\3）"),
    (r"argument (.+?): invalid \S+ value: (.*)", r"参数 \1 的值 \2 无效"),
    (r"argument (.+?): expected one argument", r"参数 \1 后面需要一个值"),
    (r"argument (.+?): expected at most one argument", r"参数 \1 后面最多一个值"),
    (r"argument (.+?): expected at least one argument", r"参数 \1 后面至少需要一个值"),
    (r"argument (.+?): expected (\d+) arguments?", r"参数 \1 后面需要 \2 个值"),
    (r"argument (.+?): not allowed with argument (.*)", r"参数 \1 不能与 \2 同时使用"),
    (r"argument (.+?): ignored explicit argument (.*)", r"参数 \1 不接受值 \2"),
    (r"argument (.+?): (.*)", r"参数 \1：\2"),
]


def translate_argparse(message: str) -> str:
    """An argparse error message in Chinese (messages of our own type checks are Chinese already)."""
    for pattern, template in _ARGPARSE_ZH:
        match = re.fullmatch(pattern, message, flags=re.DOTALL)
        if match:
            return match.expand(template)
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "用法：")


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with Chinese help headings and error messages; errors exit with code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(
            EXIT_INPUT,
            f"{self.prog}：错误：{translate_argparse(message)}\n（运行 {self.prog} -h 查看全部选项）\n",
        )


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None


def _year(text: str) -> int:
    """--year: a four-digit year."""
    if not re.fullmatch(r"\s*\d{4}\s*", text) or not 1900 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"“{text}”不是有效的年份，请写四位数字，如 2022")
    return int(text)


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _year_args(p: argparse.ArgumentParser, reports: bool = False) -> None:
    p.add_argument(
        "--year", type=_year, metavar="年份", help="报告年度，如 2022；省略时使用内置示例镇（sample）"
    )
    p.add_argument("--raw", metavar="文件夹", help="原始导出文件夹（默认 data/raw/<年>）")
    p.add_argument("--processed", metavar="文件夹", help="处理后数据文件夹（默认 data/processed/<年>）")
    if reports:
        p.add_argument("--reports", metavar="文件夹", help="报告输出文件夹（默认 reports/<年>）")
    p.add_argument("--config", metavar="文件", help="配置文件（默认 config/town.yml）")


def _links_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="也读取原始数据文件夹中指向文件夹以外的链接（快捷方式）文件（默认不读取）",
    )


@contextlib.contextmanager
def _links_followed(args: argparse.Namespace) -> Iterator[None]:
    """--follow-links for the block (and the child processes it starts: an environment variable)."""
    from analysis.ingest.prefetch import FOLLOW_LINKS_ENV

    if not getattr(args, "follow_links", False):
        yield
        return
    before = os.environ.get(FOLLOW_LINKS_ENV)
    os.environ[FOLLOW_LINKS_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(FOLLOW_LINKS_ENV, None)
        else:
            os.environ[FOLLOW_LINKS_ENV] = before


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="python -m analysis", description="镇团委年度工作数据分析")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("sample", help="生成内置的示例镇导出数据（合成数据）")
    p.add_argument(
        "--out", metavar="文件夹", default=str(paths.SAMPLE_DIR), help="输出文件夹（默认 data/sample）"
    )
    p.add_argument(
        "--seed", type=_integer, metavar="整数", default=2022, help="随机种子（相同种子生成相同数据）"
    )

    p = sub.add_parser("ingest", help="读取原始导出 → 规范数据表与导入报告")
    _year_args(p)
    p.add_argument("--sample", action="store_true", help="使用内置示例镇")
    _links_arg(p)

    p = sub.add_parser("run", help="导入（如需要）并执行全部分析笔记本，生成年度报告")
    _year_args(p, reports=True)
    p.add_argument("--sample", action="store_true", help="使用内置示例镇")
    _links_arg(p)
    p.add_argument("--force", action="store_true", help="忽略缓存，全部重新运行")
    p.add_argument(
        "--allow-gaps",
        action="store_true",
        help="数据有严重缺口时仍生成报告（标明“草稿（数据不完整）”，首页列出缺口）",
    )

    p = sub.add_parser("query", help="即时查询：谁参加了什么")
    qsub = p.add_subparsers(dest="query", required=True, metavar="查询")
    q = qsub.add_parser("participation", help="青年大学习参学情况")
    q.add_argument("--year", type=_year, metavar="年份", help="年度（省略时使用内置示例镇 2022 年）")
    q.add_argument("--sample", action="store_true", help="使用内置示例镇（make report 之后即可查询）")
    q.add_argument("--branch", metavar="团支部", help="团支部（可用简称）")
    q.add_argument("--member", metavar="姓名", help="团员姓名：查看个人记录")
    q.add_argument(
        "--who", metavar="序号或尾号", help="同名团员中的一位：序号（如 1）或身份证尾号、出生年份、学号"
    )
    q.add_argument(
        "--period",
        action="append",
        metavar="期次",
        help="期次，如 第12季第5期、12-5 或特辑名称（五四特辑）；可多次给出",
    )
    q.add_argument("--quarter", metavar="季度", help="季度，如 2022Q2、Q2 或 二季度")
    q.add_argument("--from", dest="date_from", metavar="日期", help="起始日期，如 2022-04-01")
    q.add_argument("--to", dest="date_to", metavar="日期", help="截止日期，如 2022-06-30")
    q.add_argument("--missing", action="store_true", help="列出未学习的团员（每人一行，列出缺学的期次）")
    q.add_argument("--never", action="store_true", help="列出所选各期（默认全年）一次也没有学习的团员")
    q.add_argument("--activities", action="store_true", help="查询活动参与（而不是青年大学习）")
    q.add_argument("--format", choices=["table", "csv", "xlsx"], default="table", help="输出格式")
    q.add_argument("--output", metavar="文件", help="输出文件（csv/xlsx）")
    q.add_argument("--processed", metavar="文件夹", help="处理后数据文件夹（默认 data/processed/<年>）")
    q.add_argument("--config", metavar="文件", help="配置文件")
    q.add_argument(
        "--towns", metavar="文件夹", help="各镇数据文件夹（town=镇名/year=年份/）：跨镇查询各镇参学率"
    )

    p = sub.add_parser("bulletin", help="青年大学习通报：某一期（或季度、月份）的通报、排名图和待学习名单")
    _year_args(p, reports=True)
    p.add_argument("--sample", action="store_true", help="使用内置示例镇")
    _links_arg(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--period", metavar="期次", help="期次，如 第12季第5期、12-5；latest 为导出完整的最近一期"
    )
    which.add_argument("--quarter", metavar="季度", help="季度累计通报，如 2022Q2、Q2")
    which.add_argument("--month", metavar="月份", help="月度累计通报，如 5、2022-05")
    p.add_argument("--date", metavar="日期", help="通报落款日期，如 2022-05-20（默认今天）")

    p = sub.add_parser("county", help="汇总各镇数据：各镇指标对比与全县合计")
    p.add_argument(
        "--towns", required=True, metavar="文件夹", help="各镇数据所在文件夹（其中为 town=镇名/year=年份/）"
    )
    p.add_argument("--year", type=_year, required=True, metavar="年份", help="汇总年度，如 2022")
    p.add_argument("--reports", metavar="文件夹", help="输出文件夹（默认 reports/county/<年>）")
    p.add_argument("--name", default="全县", metavar="名称", help="报告标题中的县（市）名称（默认“全县”）")
    p.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="执行汇总 SQL 的引擎：duckdb（默认，本进程内）或 spark（本地模式，需安装 .[cluster]）",
    )

    p = sub.add_parser("explain", help="查看某个文件（或文件夹中每个文件）的每个工作表会被如何识别")
    p.add_argument("path", metavar="路径", help="导出文件或文件夹")
    p.add_argument(
        "--config", metavar="文件", help="配置文件（默认 config/town.yml；data/sample 下的文件用示例镇配置）"
    )
    p.add_argument("--year", type=_year, metavar="年份", help="年度（默认取路径中的年份）")

    p = sub.add_parser("audit", help="检查输出文件中是否含有完整身份证号或手机号")
    p.add_argument(
        "path",
        nargs="?",
        metavar="路径",
        default=str(paths.ROOT / "reports"),
        help="要检查的文件或文件夹（默认 reports/）",
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

    folders.check_sample_folder(paths.resolve(args.out))
    written = write_sample(paths.resolve(args.out), seed=args.seed)
    _console().print(f"已生成示例镇数据：{len(written)} 个文件，位于 {paths.resolve(args.out)}")
    return 0


def _no_raw_hint(yp: paths.YearPaths, command: str) -> str:
    return (
        f"请把 {yp.year} 年的导出文件（xlsx、xls、csv，文件名不限）放到 {yp.raw}（或用 --raw 指定所在的文件夹）"
        f"后再运行；想先看看效果，可先运行：python -m analysis {command} --sample（内置示例镇）。"
    )


def _checked_paths(args: argparse.Namespace, command: str) -> tuple[paths.YearPaths, TownConfig]:
    """The year's folders, checked before anything is written: --raw is a folder holding exports, and no
    output folder overlaps a raw folder, the configuration or another output (folders.py); and the
    configuration, loaded (an error in it is named with its file and line before anything else)."""
    from analysis.common.config import load_config
    from analysis.ingest.prefetch import raw_files  # light: the ingest's own modules load later

    yp = resolve_year_paths(args)
    folders.check_raw_folder(yp.raw, yp.year, flag_given=bool(args.raw))
    sample = paths.sample_paths(yp.year)
    if (yp.raw, yp.config) == (sample.raw, sample.config) and not (raw_files(yp.raw) and yp.config.is_file()):
        raise AnalysisError(
            f"内置示例镇的数据不完整（{yp.raw} 或 {yp.config} 缺失）",
            hint="请先运行：python -m analysis sample（重新生成内置示例镇的数据）。",
        )
    config = load_config(yp.config)
    if not yp.raw.is_dir():
        raise AnalysisError(f"找不到原始数据文件夹 {yp.raw}", hint=_no_raw_hint(yp, command))
    if not raw_files(yp.raw):
        raise AnalysisError(f"{yp.raw} 中没有找到导出文件（xlsx、xls、csv）", hint=_no_raw_hint(yp, command))
    return yp, config


def _prefetch(raw: Path, config: TownConfig) -> None:
    """Start parsing the large exports before the ingest modules are imported (see ingest/prefetch.py)."""
    from analysis.ingest import prefetch
    from analysis.safety import guard

    prefetch.start(raw, guard.Limits.from_config(config.limits, source=str(config.source)))


def cmd_ingest(args: argparse.Namespace) -> int:
    with _links_followed(args):
        return _ingest(args)


def _ingest(args: argparse.Namespace) -> int:
    yp, config = _checked_paths(args, "ingest")
    folders.check_folders(yp, None, reports=False)
    from analysis.processed.workspace import processed_lock, refuse_read_only

    refuse_read_only(yp.processed, "处理后数据文件夹", "--processed")  # before the lock is made next to it
    console = _console()
    with processed_lock(yp.processed, console.print):  # one writer at a time (another ingest, a run)
        _prefetch(yp.raw, config)
        import openpyxl  # noqa: F401  (for rejected_rows.xlsx: loaded while the exports are parsed, not later)

        from analysis.ingest.prefetch import raw_links
        from analysis.ingest.summary import print_ingest_summary
        from analysis.processed.completeness import print_findings
        from analysis.processed.workspace import read_year, writing_processed

        with console.status("正在读取导出文件…") as status:
            result = read_year(yp, config, progress=lambda name: status.update(f"正在读取 {name}"))
        with writing_processed(result, yp.processed):
            assessment = _assessment(result, yp, config)
    print_ingest_summary(result, yp.processed, console, raw_links(yp.raw))
    print_findings(assessment, console)
    if assessment.blocking:
        console.print(
            "处理后的数据已写入，但生成报告前请先处理上面的严重缺口（run 会因此停止，--allow-gaps 可生成草稿）。"
        )
        return EXIT_GAPS
    return 0


def _assessment(result, yp: paths.YearPaths, config):  # type: ignore[no-untyped-def]  (lazy imports)
    """The completeness findings of a freshly ingested year (those that need only this year's data), from
    the tables in memory: a table the year lacks is None, never read from the processed folder."""
    from analysis.common import schemas
    from analysis.indicators.catalogue import headline
    from analysis.processed.completeness import assess
    from analysis.processed.load import Tables

    frames = dict.fromkeys(schemas.TABLES) | result.tables
    tables = Tables(year=yp.year, folder=yp.processed, frames=frames, report=result.report())
    return assess(tables, config, yp.year, headline(tables, config, yp.year))


def cmd_run(args: argparse.Namespace) -> int:
    from analysis.ingest.prefetch import raw_links
    from analysis.ingest.summary import print_links
    from analysis.report.run import run_year

    with _links_followed(args):
        yp, _ = _checked_paths(args, "run")
        console = _console()
        print_links(raw_links(yp.raw), console)
        return run_year(yp, force=args.force, console=console, allow_gaps=args.allow_gaps)


def cmd_query(args: argparse.Namespace) -> int:
    from analysis.query.cli import run_query

    return run_query(args, _console())


def cmd_bulletin(args: argparse.Namespace) -> int:
    from analysis.bulletin.cli import run_bulletin

    with _links_followed(args):
        yp, config = _checked_paths(args, "bulletin")
        return run_bulletin(yp, config, args, _console())


def cmd_county(args: argparse.Namespace) -> int:
    from analysis.county.cli import run_county

    return run_county(args, _console())


def cmd_explain(args: argparse.Namespace) -> int:
    from analysis.ingest.explain import run_explain

    return run_explain(args, _console())


def cmd_audit(args: argparse.Namespace) -> int:
    from analysis.safety.audit import audit, format_findings

    target = paths.resolve(args.path)
    if not target.exists():
        raise AnalysisError(
            f"找不到要检查的路径 {target}",
            hint="报告还没有生成：请先运行：python -m analysis run --sample（内置示例镇；或 make report），"
            "或指定要检查的文件夹。",
        )
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
    from analysis.charts import fonts

    path = fonts.prepare()
    _console().print(f"中文字体已就绪：{path}")
    return 0


COMMANDS = {
    "sample": cmd_sample,
    "ingest": cmd_ingest,
    "run": cmd_run,
    "query": cmd_query,
    "bulletin": cmd_bulletin,
    "county": cmd_county,
    "explain": cmd_explain,
    "audit": cmd_audit,
    "docs": cmd_docs,
    "fonts": cmd_fonts,
}


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")  # Windows consoles default to a legacy code page
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # -h, or an argument error (already printed in Chinese)
        return exc.code if isinstance(exc.code, int) else EXIT_INPUT
    try:
        with processes.signals_interrupt():
            return COMMANDS[args.command](args)
    except AnalysisError as exc:
        from rich.markup import escape  # the message is text: pip install -e ".[cluster]" stays as written

        _console().print(f"[bold red]出错了：[/]{escape(exc.render())}")
        return EXIT_INPUT
    except GapsFound as exc:
        _console().print(f"[bold red]已停止：[/]{exc}")
        return EXIT_GAPS
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP: clean-up has run on the way out
        processes.stop_children()
        _console().print(getattr(exc, "notice", None) or INTERRUPTED.get(args.command, "已中断。"))
        return exc.exit_code if isinstance(exc, processes.Interrupted) else 130
    except OSError as exc:
        fault = faults.fault_error(exc)
        if fault is None:
            return _internal_error()
        _console().print(f"[bold red]出错了：[/]{fault.render()}")
        return EXIT_INPUT
    except MemoryError:  # also pyarrow's ArrowMemoryError
        _console().print(f"[bold red]出错了：[/]{out_of_memory().render()}")
        return EXIT_INPUT
    except Exception as exc:
        if _is_out_of_memory(exc):
            _console().print(f"[bold red]出错了：[/]{out_of_memory().render()}")
            return EXIT_INPUT
        return _internal_error()


def out_of_memory() -> AnalysisError:
    """The machine ran out of memory: what to do (exit 2)."""
    from analysis.common.errors import OutOfMemory

    return OutOfMemory(
        "内存不足，无法完成",
        hint="请关闭其他程序（尤其是浏览器和打开的 Excel）后重新运行；数据很大时，可把一年的导出分批放入"
        "原始数据文件夹分别检查，或换一台内存更大的电脑。之前的报告和数据保持不变。",
    )


def _is_out_of_memory(exc: BaseException) -> bool:
    """DuckDB's and Arrow's own out-of-memory errors (not MemoryError subclasses in every version)."""
    name = type(exc).__name__
    return name in {"OutOfMemoryException", "ArrowMemoryError"} or "std::bad_alloc" in str(exc)


def _internal_error() -> int:
    """An internal error: the traceback goes to a log file of its own, the screen gets one paragraph."""
    details = traceback.format_exc()
    try:
        where = f"详细信息已写入 {write_internal_log(details)}，请把该文件发给维护人员。"
    except OSError:
        where = "详细信息无法写入日志文件（磁盘可能已满），请把上面执行的命令告诉维护人员。"
    _console().print(f"[bold red]出错了：[/]程序内部错误（不是您的数据问题）。{where}")
    return EXIT_INTERNAL
