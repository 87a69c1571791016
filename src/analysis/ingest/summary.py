"""The Chinese summary printed after an ingest."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from analysis.ingest.pipeline import REJECTED_FILE, REPORT_FILE, IngestResult


def print_ingest_summary(result: IngestResult, processed_dir: Path, console: Console) -> None:
    table = Table(title=f"{result.year} 年数据导入", show_lines=False)
    for header in ("文件", "工作表", "类型", "读取", "保留", "拒绝", "重复", "跳过", "警告"):
        left = header in ("文件", "工作表", "类型")
        table.add_column(header, justify="left" if left else "right", overflow="fold", no_wrap=not left)
    for s in result.sources:
        table.add_row(
            s.file,
            s.sheet,
            s.kind_label,
            str(s.rows_read),
            str(s.kept),
            str(s.rejected),
            str(s.duplicates),
            str(s.skipped_total),
            str(s.warnings),
        )
    console.print(table)
    t = result.totals()
    console.print(
        f"共读取 {t['rows_read']} 行 = 保留 {t['kept']} + 拒绝 {t['rejected']} + 重复 {t['duplicates']}"
        f" + 跳过（合计行、表尾等）{t['skipped']}。"
    )
    for note in result.notes:
        console.print(f"[yellow]注意：[/]{note}")
    for failure in result.failures:
        console.print(f"[yellow]未导入：[/]{failure['message']}")
    for sheet in result.set_aside:
        where = sheet["file"] + (f"（{sheet['sheet']}）" if sheet["sheet"] else "")
        console.print(f"[yellow]其他年度：[/]{where}：{sheet['message']}")
    for sheet in result.unknown_sheets:
        console.print(f"[yellow]未识别：[/]{sheet['message']}")
    if result.summary_sheets:
        names = "、".join(f"{s['file']}（{s['sheet']}）" for s in result.summary_sheets)
        console.print(f"已跳过汇总类工作表（不是逐条明细，不导入）：{names}")
    if len(result.unknown_branches):
        names = "、".join(result.unknown_branches["text"].head(10))
        console.print(f"[yellow]未识别的团支部写法 {len(result.unknown_branches)} 个：[/]{names}")
    if len(result.ambiguous):
        console.print(f"[yellow]有 {len(result.ambiguous)} 条记录因重名无法确定是哪位团员，未计入个人。[/]")
    console.print(
        f"规范数据表与 {REPORT_FILE} 已写入 {processed_dir}；被拒绝的行和警告见 {processed_dir / REJECTED_FILE}。"
    )
