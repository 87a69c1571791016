"""What a report notebook calls, inside its kernel: `start` opens the year and begins the notebook's section.
(notebook_runner.py executes the notebooks; run.py is the yearly run.)"""

from __future__ import annotations

import warnings

from analysis.report.context import YearContext, open_year
from analysis.report.section import Section


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
    return ctx, Section(ctx.reports_dir, key, title, order)
