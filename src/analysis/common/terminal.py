"""Tables in the terminal: fit the window, numbers right-aligned and never wrapped, a compact style
(no vertical rules, narrow padding) when the window is narrower than 100 columns."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from analysis.common import formatting

COMPACT_BELOW = 100
ELLIPSIS = "…"
MARK = "mark"  # a column of short marks (√ / ×) that may carry a percentage in its footer


def compact(console: Console) -> bool:
    return console.width < COMPACT_BELOW


def new_table(
    console: Console, title: str | None = None, footer: bool = False, narrow: bool | None = None
) -> Table:
    """An empty table in the style that suits the console's width (``narrow`` forces the compact style)."""
    if compact(console) if narrow is None else narrow:
        return Table(
            title=title,
            box=box.SIMPLE_HEAD,
            padding=(0, 0),  # the column divider alone (one space) separates columns
            pad_edge=False,
            show_edge=False,
            show_footer=footer,
            title_justify="left",
        )
    return Table(title=title, box=box.HEAVY_HEAD, show_footer=footer, title_justify="left")


def add_column(table: Table, header: str, kind: str = "text", footer: str = "") -> None:
    """Numbers (and figures written as text) right-aligned and never wrapped; text may fold."""
    if kind in formatting.RIGHT_ALIGNED:
        table.add_column(header, footer=footer, justify="right", no_wrap=True)
    elif kind == MARK:
        table.add_column(header, footer=footer, justify="center", no_wrap=True)
    else:
        table.add_column(header, footer=footer, justify="left", overflow="fold")


def fits(console: Console, table: Table) -> bool:
    """Whether the table fits the console without shrinking any column below its content."""
    natural = Measurement.get(console, console.options.update_width(10_000), table)
    return natural.maximum <= console.width


def shorten(text: str, width: int) -> str:
    """``text`` within ``width`` terminal cells: the middle replaced by … (the end of a file name usually
    tells files apart: month, period), the extension kept."""
    if cell_len(text) <= width:
        return text
    stem, dot, ext = text.rpartition(".")
    if not dot or cell_len(ext) > 6:
        stem, ext = text, ""
    tail_ext = f".{ext}" if ext else ""
    room = max(width - cell_len(tail_ext) - 1, 2)
    head_room = room // 4
    tail_room = room - head_room
    head = _take(stem, head_room)
    tail = _take(stem[::-1], tail_room)[::-1]
    return f"{head}{ELLIPSIS}{tail}{tail_ext}"


def _take(text: str, width: int) -> str:
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def frame_table(
    console: Console,
    frame: pd.DataFrame,
    title: str | None = None,
    rates: Sequence[str] = (),
    marks: dict[str, str] | None = None,
    footer: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    mark_columns: Sequence[str] = (),
    narrow: bool | None = None,
) -> Table:
    """A frame as a table: every column formatted by its kind (counts as integers, rates as percentages,
    dates as days), ``marks`` colours cell texts (e.g. {"√": "green"}), ``footer`` fills a footer row,
    ``headers`` shows some columns under other (shorter) titles, ``mark_columns`` are centred marks."""
    kinds = formatting.column_kinds(frame, rates)
    texts = formatting.text_frame(frame, kinds=kinds)
    footer = footer or {}
    headers = headers or {}
    table = new_table(console, title, footer=bool(footer), narrow=narrow)
    for column in frame.columns:
        kind = MARK if column in mark_columns else kinds[column]
        add_column(table, headers.get(column, str(column)), kind, footer.get(column, ""))
    marks = marks or {}
    for row in texts.itertuples(index=False):
        table.add_row(*[f"[{marks[v]}]{v}[/]" if v in marks else _escape(v) for v in row])
    return table


def _escape(text: str) -> str:
    return text.replace("[", r"\[")
