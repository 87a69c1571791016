"""The Chinese summary printed after an ingest."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from analysis.common import formatting, terminal
from analysis.common.paths import INGEST_REPORT, REJECTED_ROWS
from analysis.ingest.filecache import summary_line
from analysis.ingest.pipeline import IngestResult, SourceReport
from analysis.ingest.prefetch import RawLink
from analysis.safety import privacy

COUNTS = ("读取", "保留", "拒绝", "重复", "跳过", "警告")
MIN_NAME = 12  # a file name is not shortened below this many terminal cells


def _counts(s: SourceReport) -> list[int]:
    return [s.rows_read, s.kept, s.rejected, s.duplicates, s.skipped_total, s.warnings]


def _shown_name(file: str, links: Mapping[str, Path]) -> str:
    """A file as the table shows it: a link (or a member of a linked zip) says so, with its target."""
    for name, target in links.items():
        if file == name or file.startswith(name + "/"):
            return f"{file}（链接 → {target}）"
    return file


def sources_table(result: IngestResult, console: Console, links: Mapping[str, Path] | None = None) -> Table:
    """One line per sheet: file (shortened in the middle when the window is narrow; repeated names left
    blank; a link with its target), sheet, kind and the row accounting, numbers right-aligned; totals
    in the footer."""
    totals = [sum(c) for c in zip(*(_counts(s) for s in result.sources), strict=True)] or [0] * 6
    names = {s.file: _shown_name(s.file, links or {}) for s in result.sources}
    longest = max((cell_len(n) for n in names.values()), default=MIN_NAME)
    width = longest
    while True:
        table = terminal.new_table(console, f"{result.year} 年数据导入", footer=True)
        terminal.add_column(table, "文件", footer="合计")
        terminal.add_column(table, "工作表")
        terminal.add_column(table, "类型")
        for header, total in zip(COUNTS, totals, strict=True):
            terminal.add_column(table, header, "count", formatting.count(total))
        previous = None
        for s in result.sources:
            shown = "" if s.file == previous else terminal.shorten(names[s.file], width)
            previous = s.file
            table.add_row(shown, s.sheet, s.kind_label, *(formatting.count(n) for n in _counts(s)))
        if width <= MIN_NAME or terminal.fits(console, table):
            return table
        width = max(width - 2, MIN_NAME)


ORG_WORDS = re.compile(
    r"村|社区|居委|支部|团|委|学校|中学|小学|学院|班|公司|企业|机关|单位|站|所|局|办|街道|镇|乡"
)


def accounting_line(totals: dict[str, int]) -> str:
    """共读取 N 行 = 保留 + 拒绝 + 重复 + 跳过 (the ingest's row accounting, as the ingest and the run print it)."""
    n = {k: formatting.count(v) for k, v in totals.items()}
    return (
        f"共读取 {n['rows_read']} 行 = 保留 {n['kept']} + 拒绝 {n['rejected']} + 重复 {n['duplicates']}"
        f" + 跳过（合计行、表尾、其他年度等）{n['skipped']}。"
    )


def print_links(links: list[RawLink], console: Console) -> None:
    """The links of the raw folder that were not read (they point outside it)."""
    for link in links:
        if not link.read:
            console.print(
                f"[yellow]未读取的链接：[/]{link.name} → {link.target}：指向原始数据文件夹以外，未导入；"
                "确认需要导入时加 --follow-links，或把该文件复制到原始数据文件夹中。"
            )


def print_ingest_summary(
    result: IngestResult, processed_dir: Path, console: Console, links: list[RawLink] | None = None
) -> None:
    links = links or []
    console.print(sources_table(result, console, {link.name: link.target for link in links if link.read}))
    console.print(accounting_line(result.totals()))
    if (reused := summary_line(result.cache)) is not None:
        console.print(reused + "。")
    print_links(links, console)
    for note in result.notes:
        console.print(f"[yellow]注意：[/]{note}")
    for failure in result.failures:
        console.print(f"[yellow]未导入：[/]{privacy.scrub_shown(failure['message'])}")
    for sheet in result.set_aside:
        where = sheet["file"] + (f"（{sheet['sheet']}）" if sheet["sheet"] else "")
        console.print(f"[yellow]其他年度：[/]{where}：{sheet['message']}")
    for sheet in result.unknown_sheets:
        console.print(f"[yellow]未识别：[/]{privacy.scrub_shown(sheet['message'])}")
    if result.summary_sheets:
        names = "、".join(f"{s['file']}（{s['sheet']}）" for s in result.summary_sheets)
        console.print(f"已跳过汇总类工作表（不是逐条明细，不导入）：{names}")
    if result.lookup_sheets:
        names = "、".join(f"{s['file']}（{s['sheet']}）" for s in result.lookup_sheets)
        console.print(f"已跳过数据字典、下拉选项等查找表（填表时的可选值，不导入）：{names}")
    if len(result.unknown_branches):
        texts = [privacy.scrub_shown(str(t)) for t in result.unknown_branches["text"]]  # cells: masked
        shown = [t for t in texts if ORG_WORDS.search(t)][:10]  # a stray column of names is never printed
        rest = len(texts) - len(shown)
        line = f"[yellow]未识别的团支部写法 {len(texts)} 个：[/]" + "、".join(shown)
        if rest:
            line += f"{'；另有' if shown else ''} {rest} 个写法不像团组织名称（可能读错了列），未在此显示"
        console.print(line + f"，全部见 {REJECTED_ROWS} 的“未识别的团支部”表。")
    if len(result.ambiguous):
        console.print(f"[yellow]有 {len(result.ambiguous)} 条记录因重名无法确定是哪位团员，未计入个人。[/]")
    console.print(
        f"规范数据表与 {INGEST_REPORT} 已写入 {processed_dir}；被拒绝的行和警告见 {processed_dir / REJECTED_ROWS}。"
    )
