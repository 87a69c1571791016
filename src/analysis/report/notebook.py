"""What a report notebook calls, inside its kernel: `start` opens the year and begins the notebook's section.
(notebook_runner.py executes the notebooks; run.py is the yearly run.)"""

from __future__ import annotations

import warnings

from analysis.common import formatting, paths
from analysis.report.context import INTERACTIVE_DIR, YearContext, open_year
from analysis.report.section import Section, show


def start(
    key: str,
    title: str,
    order: int,
    year: str,
    raw_dir: str,
    processed_dir: str,
    reports_dir: str,
    config_path: str,
) -> tuple[YearContext, Section]:
    """Open the year (ingesting and computing the catalogue when needed) and start the notebook's section."""
    warnings.filterwarnings("ignore", message=".*Pandas4Warning.*")
    ctx = open_year(year, raw_dir, processed_dir, reports_dir, config_path)
    ctx.reports_dir.mkdir(parents=True, exist_ok=True)
    if INTERACTIVE_DIR in ctx.reports_dir.parts:
        show(formatting.note(_interactive_note(ctx, reports_dir)))
    return ctx, Section(ctx.reports_dir, key, title, order, members=ctx.tables.members)


def _interactive_note(ctx: YearContext, reports_dir: str) -> str:
    """What a notebook run by hand says first: where its figures go, and that the report is untouched."""
    shown = ctx.reports_dir
    if shown.is_relative_to(paths.ROOT):
        shown = shown.relative_to(paths.ROOT)
    return (
        f"本次为手动运行：图表和文字写入 {shown.as_posix()}，已发布的报告（{reports_dir}）不会改动。"
        "生成或更新正式报告请运行 make report。"
    )
