"""排名.png: the ranking picture for the branch secretaries' group, sized for a phone (1080 px wide, text
at least 28 px high): the scope and the data date in the title, the town's rate against the previous
period and the target, then one row per branch — rank, branch, members, learners, a bar of the rate
with the target line, the rate and its change. Rows below the target are tinted red; a branch whose
export looks missing says 数据缺失 instead of being ranked last at 0%.

Drawn with the report's chart style and bundled Chinese font (analysis.charts), so Chinese renders on a
machine without a system CJK font. Laid out in pixels on one full-figure axes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from analysis import charts
from analysis.bulletin.numbers import MISSING_TEXT, BranchRow, Bulletin
from analysis.charts.style import SECONDARY, TARGET, wrap_label
from analysis.common import formatting
from analysis.safety import safe_io

WIDTH_PX = 1080
DPI = 200
MARGIN = 40
ROW_PX = 76
NAME_CHARS = 9  # a longer branch name takes two lines of smaller text
HEAD_PX = 300  # title block
TABLE_HEAD_PX = 64
FOOT_PX = 190
TITLE_PX, SUBTITLE_PX, TEXT_PX, SMALL_PX = 46, 32, 30, 26  # font sizes (cap height about 0.7 of these)

MET = SECONDARY  # deep blue: at or above the target
BELOW = "#C0392B"  # red: below the target (as the report's gap marks)
BELOW_FILL = "#FBE3E0"
STRIPE = "#F4F5F7"
MISSING_FILL = "#ECECEC"
MUTED = "#6E6E6E"
INK = "#262626"
UP, DOWN = "#2E7D32", BELOW


@dataclass(frozen=True)
class Columns:
    """x positions (px) of the row's parts."""

    rank: float = 80  # centre
    branch: float = 128  # left
    members: float = 505  # right
    learners: float = 610  # right
    bar: tuple[float, float] = (640, 800)  # left, right: 0%–100%
    rate: float = 925  # right
    change: float = WIDTH_PX - MARGIN  # right


COLUMNS = Columns()


def short_branch(name: str) -> str:
    """A branch as the picture names it: without the 团支部 suffix every row would repeat."""
    short = name.removesuffix("团支部")
    return short or name


def _pt(px: float) -> float:
    return px * 72 / DPI


def _text(ax: Axes, x: float, y: float, text: str, size: float, **kw: object) -> None:
    """Text of ``size`` px (numbers in cells as `formatting` writes them: 90.0% aligns with 96.6%)."""
    ax.text(x, y, text, fontsize=_pt(size), va="center", color=kw.pop("color", INK), **kw)


def _line(ax: Axes, x: float, y: float, text: str, size: float, **kw: object) -> None:
    """A line of running text, set by the typography rule (formatting.typeset)."""
    _text(ax, x, y, formatting.typeset(text), size, **kw)


def height_px(b: Bulletin) -> int:
    return HEAD_PX + TABLE_HEAD_PX + ROW_PX * max(len(b.branches), 1) + FOOT_PX


def headline(b: Bulletin) -> tuple[str, str, str]:
    """The title block: what and when, the town's rate with change and target, the data date."""
    s, t = b.scope, b.town
    first = f"{s.words}“青年大学习”"
    parts = [f"全镇参学率{formatting.percent(t.rate)}"]
    if s.previous_words and t.change is not None:
        since = s.since
        moved = formatting.change_words(t.change, "rate", sep="")
        parts.append(f"{since}{moved}" if moved != "持平" else f"与{since[1:]}持平")
    if b.target is not None:
        parts.append(f"目标{formatting.percent(b.target)}")
    when = f"数据截至{formatting.day(b.data_date)}" if b.data_date is not None else ""
    counts = (
        f"应学{formatting.count(t.due)}人，已学{formatting.count(t.learners)}人"
        if s.single
        else f"共{len(s.periods)}期，参学{formatting.count(t.learners)}人次"
    )
    return first, "，".join(parts), "，".join(x for x in (when, counts) if x)


def _row(ax: Axes, y: float, row: BranchRow, b: Bulletin, stripe: bool) -> None:
    c = COLUMNS
    below = row.met is False
    fill = BELOW_FILL if below else (STRIPE if stripe else None)
    if fill:
        ax.add_patch(Rectangle((MARGIN, y - ROW_PX / 2), WIDTH_PX - 2 * MARGIN, ROW_PX, color=fill, lw=0))
    if below:
        ax.add_patch(Rectangle((MARGIN, y - ROW_PX / 2), 8, ROW_PX, color=BELOW, lw=0))
    rank = formatting.DASH if row.rank is None else formatting.count(row.rank)
    _text(ax, c.rank, y, rank, TEXT_PX, ha="center")
    name = wrap_label(short_branch(row.branch), NAME_CHARS)
    size = TEXT_PX if "\n" not in name else SMALL_PX
    _text(ax, c.branch, y, name, size, ha="left", linespacing=1.0)
    _text(ax, c.members, y, formatting.count(row.due), TEXT_PX, ha="right")
    learners = formatting.DASH if row.missing and b.scope.single else formatting.count(row.learners)
    _text(ax, c.learners, y, learners, TEXT_PX, ha="right")
    left, right = c.bar
    if row.missing:  # no bar: an export that looks missing is not a rate of 0%
        box = Rectangle(
            (left, y - 14), right - left, 28, facecolor=MISSING_FILL, edgecolor=MUTED, hatch="///", lw=0.6
        )
        ax.add_patch(box)
        what = MISSING_TEXT if b.scope.single else f"缺{len(row.missing)}期"
        _text(ax, c.rate, y, what, SMALL_PX, ha="right", color=BELOW)
        _text(ax, c.change, y, formatting.DASH, TEXT_PX, ha="right", color=MUTED)
        return
    ax.add_patch(Rectangle((left, y - 14), right - left, 28, color="#E6E8EB", lw=0))
    rate = row.rate or 0.0
    ax.add_patch(Rectangle((left, y - 14), (right - left) * rate, 28, color=BELOW if below else MET, lw=0))
    _text(ax, c.rate, y, formatting.percent(row.rate), TEXT_PX, ha="right", color=BELOW if below else INK)
    moved = row.change
    if moved is None:
        _text(ax, c.change, y, formatting.DASH, TEXT_PX, ha="right", color=MUTED)
    else:
        tone = UP if moved > 0 else (DOWN if moved < 0 else MUTED)
        _text(
            ax,
            c.change,
            y,
            formatting.change(formatting.points(moved), "number"),
            TEXT_PX,
            ha="right",
            color=tone,
        )


def _table_head(ax: Axes, y: float, b: Bulletin) -> None:
    c = COLUMNS
    since = b.scope.since.replace("季度", "季")
    heads = [
        (c.rank, "名次", "center"),
        (c.branch, "团支部", "left"),
        (c.members, "应学" if b.scope.single else "应学\n人次", "right"),
        (c.learners, "已学" if b.scope.single else "已学\n人次", "right"),
        (c.rate, "参学率", "right"),
        (c.change, since, "right"),
    ]
    for x, text, align in heads:
        _text(ax, x, y, text, SMALL_PX, ha=align, color=MUTED, linespacing=1.0)
    ax.plot([MARGIN, WIDTH_PX - MARGIN], [y + TABLE_HEAD_PX / 2] * 2, color="#BDBDBD", lw=0.8)
    if b.target is not None:
        left, right = COLUMNS.bar
        x = left + (right - left) * b.target
        _line(ax, x, y, f"目标{formatting.percent(b.target)}", SMALL_PX - 4, ha="center", color=TARGET)


def notes(b: Bulletin) -> list[str]:
    """The footer: how to read the picture."""
    out = []
    if b.target is not None and b.below:
        out.append(f"红色：低于目标（{formatting.percent(b.target)}）；变化单位为百分点。")
    else:
        out.append("变化单位为百分点。")
    if b.with_gaps:
        what = f"{MISSING_TEXT}：该团支部本期" if b.scope.single else "缺N期：该团支部有N期"
        out.append(f"{what}没有任何学习记录，多半是导出缺失，未参与排名。")
    out.append(
        "参学率＝已学习团员 ÷ 当天在本支部的团员" + ("；多期为各期平均。" if not b.scope.single else "。")
    )
    return out


def ranking_figure(b: Bulletin) -> Figure:
    """The picture (a matplotlib Figure of exactly 1080 px width at ``DPI``)."""
    charts.apply_style()
    height = height_px(b)
    fig = plt.figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH_PX)
    ax.set_ylim(height, 0)
    ax.axis("off")
    first, second, third = headline(b)
    _line(ax, MARGIN, 62, first, TITLE_PX, ha="left")
    _line(ax, MARGIN, 128, f"{b.town_name}各团支部参学率排名", TITLE_PX, ha="left", color=charts.PRIMARY)
    _line(ax, MARGIN, 196, second, SUBTITLE_PX, ha="left")
    _line(ax, MARGIN, 250, third, SMALL_PX, ha="left", color=MUTED)
    top = HEAD_PX + TABLE_HEAD_PX / 2
    _table_head(ax, top, b)
    first_row = HEAD_PX + TABLE_HEAD_PX + ROW_PX / 2
    for i, row in enumerate(b.branches):
        _row(ax, first_row + i * ROW_PX, row, b, stripe=i % 2 == 1)
    if b.target is not None:
        left, right = COLUMNS.bar
        x = left + (right - left) * b.target
        bottom = first_row + (max(len(b.ranked), 1) - 0.5) * ROW_PX  # not across the rows without data
        ax.plot([x, x], [HEAD_PX + TABLE_HEAD_PX, bottom], color=TARGET, lw=1.2, ls=(0, (3, 2)), zorder=5)
    y = HEAD_PX + TABLE_HEAD_PX + ROW_PX * len(b.branches) + 44
    for line in notes(b):
        _line(ax, MARGIN, y, line, SMALL_PX, ha="left", color=MUTED)
        y += 44
    return fig


def write_picture(path: Path, b: Bulletin) -> Path:
    """Write 排名.png atomically (exactly 1080 px wide); returns ``path``."""
    fig = ranking_figure(b)
    try:
        with safe_io.atomic_output(path) as tmp, mpl.rc_context({"savefig.bbox": "standard"}):
            fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None, "Title": headline(b)[0]})
    finally:
        plt.close(fig)
    return path
