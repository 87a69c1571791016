"""How query answers are shown and written — terminal tables with marks, CSV, xlsx with a notes sheet —
for the town query (query/cli.py) and the cross-town query (county/query.py)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import pandas as pd
from rich.console import Console

from analysis.common import formatting, paths, terminal
from analysis.query.participation import DONE, NOT_DONE, SPECIAL, short_label
from analysis.safety import safe_io

GREEN, RED = "C6EFCE", "FFC7CE"
MARKS = {DONE: "green", NOT_DONE: "red"}
RATE_COLUMNS = ("参学率",)


def period_header(label: str, day: pd.Timestamp) -> str:
    """A period's column title in the terminal: a short label over the date (第12季第5期 → 12-5 / 02-16)."""
    short = short_label(label)
    if label.startswith(SPECIAL):
        short = SPECIAL
    elif short == label:
        short = terminal.shorten(label, 6)
    return f"{short}\n{day:%m-%d}"


def period_headers(periods: pd.DataFrame) -> dict[str, str]:
    return {p: period_header(p, d) for p, d in zip(periods["period"], periods["date"], strict=True)}


def print_frame(frame: pd.DataFrame, console: Console, title: str) -> None:
    console.print(terminal.frame_table(console, frame, title, rates=RATE_COLUMNS, marks=MARKS))


def output_path(args: argparse.Namespace, title: str) -> Path:
    """``--output`` as given (relative to the current folder), else ``reports/查询/<title>.<format>``."""
    default = f"{title}.{args.format}".replace(" ", "_").replace("/", "-")
    return Path(args.output) if args.output else paths.query_dir() / default


def side_file(output: Path, name: str) -> Path:
    return output.with_name(f"{output.stem}_{name}{output.suffix}")


def notes_frame(source: str, items: list[tuple[str, str]]) -> pd.DataFrame:
    head = [
        ("数据来源", source),
        (
            "生成时间",
            f"{formatting.moment(dt.datetime.now())}，由 python -m analysis query participation 生成",
        ),
    ]
    return safe_io.notes_frame(head + items)


def write_tables(
    sheets: dict[str, pd.DataFrame],
    args: argparse.Namespace,
    console: Console,
    title: str,
    source: str,
    notes: list[tuple[str, str]],
    highlight: bool = False,
) -> int:
    """Plain tables (one frame per sheet; one CSV with a 团支部/sheet column when several)."""
    output = output_path(args, title)
    if args.format == "csv":
        frames = list(sheets.values())
        safe_io.write_csv(pd.concat(frames, ignore_index=True), output, percent_columns=RATE_COLUMNS)
    else:
        sheets = {**sheets, safe_io.NOTES_SHEET: notes_frame(source, notes)}
        safe_io.write_xlsx(
            output,
            sheets,
            percent_columns={name: [c for c in RATE_COLUMNS if c in f.columns] for name, f in sheets.items()},
            highlight={name: {DONE: GREEN, NOT_DONE: RED} for name in sheets} if highlight else None,
        )
    console.print(f"已写入 {output}")
    return 0
