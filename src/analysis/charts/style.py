"""The report chart style: sizes for an A4 column, section colours, Chinese fonts and small helpers.

Every chart of the annual report is built on `new_figure` and written with `save`. The style is applied
when `analysis.charts` is imported; call `apply_style` again after anything that resets rcParams
(``seaborn.set_theme``, ``matplotlib.rcdefaults``).
"""

from __future__ import annotations

import math
import re
import unicodedata
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import PercentFormatter

from analysis.charts import fonts
from analysis.common import formatting
from analysis.common.paths import FIGURES_DIR

__all__ = [
    "COLUMN_WIDTH_CM",
    "GREY",
    "PRIMARY",
    "SECONDARY",
    "SECTION_COLORS",
    "TARGET",
    "YEAR_COLORS",
    "add_target_line",
    "apply_style",
    "bar_labels",
    "demo_figure",
    "figsize",
    "height_for_rows",
    "new_figure",
    "percent_axis",
    "save",
    "value_grid",
    "wrap_label",
]

# --- sizes -------------------------------------------------------------------------------------------

COLUMN_WIDTH_CM = 16.0  # text width of an A4 page with the usual Word margins
CM_PER_INCH = 2.54
DEFAULT_ASPECT = 0.6  # height / width when no height is given
DPI = 300
BASE_FONT_PT = 9.0
TITLE_FONT_PT = 11.0
LABEL_FONT_PT = 8.5  # tick labels, legend, bar value labels
NOTE_FONT_PT = 8.0  # reference-line labels

# --- colours -----------------------------------------------------------------------------------------
# Checked for colour-vision deficiency (Machado 2009 simulation: every pair stays ≥ 33 ΔE apart under
# protan-, deutan- and tritanopia) and for grey-scale printing (L* 33 / 43 / 62 / 74).

SECTION_COLORS: Mapping[str, str] = MappingProxyType(
    {
        "ideology": "#C8102E",  # League red
        "volunteer": "#F0A830",  # amber
        "youth_service": "#1F4E8C",  # deep blue
        "self_building": "#3AA5A0",  # teal
    }
)
PRIMARY = SECTION_COLORS["ideology"]
SECONDARY = SECTION_COLORS["youth_service"]
GREY = "#A6A6A6"
TARGET = "#3A3A3A"  # reference lines: dark grey, dashed
YEAR_COLORS: Mapping[str, str] = MappingProxyType({"previous": "#BDBDBD", "current": PRIMARY})

_TEXT = "#262626"
_AXIS = "#6E6E6E"
_GRID = "#E2E2E2"

_RC: dict[str, object] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.04,
    "svg.fonttype": "path",
    "font.size": BASE_FONT_PT,
    "axes.titlesize": TITLE_FONT_PT,
    "axes.titleweight": "normal",
    "axes.titlepad": 8.0,
    "axes.titlecolor": _TEXT,
    "figure.titlesize": TITLE_FONT_PT,
    "axes.labelsize": BASE_FONT_PT,
    "axes.labelcolor": _TEXT,
    "axes.labelpad": 4.0,
    "xtick.labelsize": LABEL_FONT_PT,
    "ytick.labelsize": LABEL_FONT_PT,
    "legend.fontsize": LABEL_FONT_PT,
    "legend.title_fontsize": BASE_FONT_PT,
    "legend.frameon": False,
    "text.color": _TEXT,
    "axes.edgecolor": _AXIS,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": _AXIS,
    "ytick.color": _AXIS,
    "xtick.labelcolor": _TEXT,
    "ytick.labelcolor": _TEXT,
    "xtick.major.size": 3.0,
    "ytick.major.size": 3.0,
    "xtick.major.width": 0.8,
    "ytick.major.width": 0.8,
    "axes.grid": True,
    "axes.grid.axis": "y",  # the value axis of most charts; see `value_grid`
    "axes.axisbelow": True,
    "grid.color": _GRID,
    "grid.linewidth": 0.6,
    "grid.linestyle": "-",
    "lines.linewidth": 1.8,
    "lines.markersize": 5.0,
    "patch.linewidth": 0.0,
    "axes.prop_cycle": cycler(
        color=[PRIMARY, SECONDARY, *(SECTION_COLORS[k] for k in ("volunteer", "self_building")), GREY]
    ),
}


def apply_style() -> str:
    """Apply the report rcParams, then the Chinese font (after, so nothing resets it). Returns the family."""
    mpl.rcParams.update(_RC)
    return fonts.register()


# --- figures -----------------------------------------------------------------------------------------


def figsize(height_cm: float | None = None, width_cm: float = COLUMN_WIDTH_CM) -> tuple[float, float]:
    """Figure size in inches for a chart of *width_cm* (default: A4 column) by *height_cm* centimetres."""
    if height_cm is None:
        height_cm = width_cm * DEFAULT_ASPECT
    if width_cm <= 0 or height_cm <= 0:
        raise ValueError(f"figure size must be positive, got {width_cm} × {height_cm} cm")
    return width_cm / CM_PER_INCH, height_cm / CM_PER_INCH


def height_for_rows(n_rows: int, row_cm: float = 0.75, extra_cm: float = 2.4) -> float:
    """A figure height (cm) for *n_rows* categories on the vertical axis (room for two-line labels)."""
    return max(n_rows, 1) * row_cm + extra_cm


def value_grid(ax: Axes, axis: Literal["x", "y"] = "y") -> None:
    """Show light grid lines across the value *axis* only ("x" for horizontal bars)."""
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    ax.grid(False, axis="both")
    ax.grid(True, axis=axis)
    ax.set_axisbelow(True)


def new_figure(
    height_cm: float | None = None,
    width_cm: float = COLUMN_WIDTH_CM,
    *,
    value_axis: Literal["x", "y"] = "y",
) -> tuple[Figure, Axes]:
    """A report figure (constrained layout) and its axes, grid on *value_axis*."""
    fonts.register()  # cheap; keeps Chinese text working if rcParams were reset since import
    fig, ax = plt.subplots(figsize=figsize(height_cm, width_cm), layout="constrained")
    value_grid(ax, value_axis)
    return fig, ax


_FIGURE_NAME = re.compile(r"\d{2}_[a-z0-9_]+")


def title_of(fig: Figure) -> Text | None:
    """The chart's title as drawn: the figure's suptitle when it has one, else the first axes' title
    (centre, then left). The summary document's caption is this text (`Section.figure`)."""
    suptitle = fig._suptitle
    if suptitle is not None and suptitle.get_text():
        return suptitle
    for ax in fig.axes:
        for title in (ax.title, ax._left_title):
            if title.get_text():
                return title
    return None


def save(fig: Figure, reports_dir: str | Path, name: str) -> dict[str, Path]:
    """Write ``reports_dir/figures/<name>.png`` (300 dpi) and ``.svg`` (text as paths); close *fig*.

    *name* is a two-digit order number, an underscore and lower-case ASCII, e.g. ``03_volunteer_hours``.
    Returns ``{"png": path, "svg": path}``.
    """
    if not isinstance(name, str) or not _FIGURE_NAME.fullmatch(name):
        raise ValueError(
            f"图表文件名“{name}”不符合规范：应为两位序号、下划线加小写字母/数字，如 01_youth_study"
        )
    folder = Path(reports_dir) / FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"png": folder / f"{name}.png", "svg": folder / f"{name}.svg"}
    common = {"bbox_inches": "tight", "pad_inches": 0.04, "facecolor": "white"}
    title = title_of(fig)
    titled = {"Title": title.get_text()} if title is not None else {}  # the caption, for Word and tests
    try:
        # svg.hashsalt makes the SVG's element ids, and so the file, reproducible.
        with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": name}):
            fig.savefig(paths["png"], dpi=DPI, metadata={"Software": None, **titled}, **common)
            fig.savefig(paths["svg"], metadata={"Date": None, **titled}, **common)
    finally:
        plt.close(fig)
    return paths


# --- axes helpers ------------------------------------------------------------------------------------


def percent_axis(ax: Axes, axis: Literal["x", "y"] = "x", *, full: float = 1.0, decimals: int = 0) -> None:
    """Format *axis* as 0%–100% (*full* is the data value meaning 100%) and set its limits to match."""
    if axis == "x":
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=full, decimals=decimals))
        ax.set_xlim(0, full)
    elif axis == "y":
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=full, decimals=decimals))
        ax.set_ylim(0, full)
    else:
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")


# Per axes: the secondary axis carrying reference-line labels, and its (value, label) ticks.
_TARGET_AXES: weakref.WeakKeyDictionary[Axes, dict[str, tuple[Axes, list[tuple[float, str]]]]] = (
    weakref.WeakKeyDictionary()
)


def add_target_line(
    ax: Axes,
    value: float,
    label: str,
    orientation: Literal["vertical", "horizontal"] = "vertical",
    *,
    color: str = TARGET,
) -> Line2D:
    """A dashed reference line at *value*, labelled at the axis edge so it never overlaps the data.

    A vertical line (value on x) is labelled above the plot area, a horizontal one to its right; the
    title and the layout make room for the label.
    """
    if orientation == "vertical":
        line = ax.axvline(value, color=color, linestyle=(0, (4, 2)), linewidth=1.0, zorder=2.5)
    elif orientation == "horizontal":
        line = ax.axhline(value, color=color, linestyle=(0, (4, 2)), linewidth=1.0, zorder=2.5)
    else:
        raise ValueError(f"orientation must be 'vertical' or 'horizontal', got {orientation!r}")

    per_ax = _TARGET_AXES.setdefault(ax, {})
    if orientation not in per_ax:
        sec = ax.secondary_xaxis("top") if orientation == "vertical" else ax.secondary_yaxis("right")
        for spine in sec.spines.values():
            spine.set_visible(False)
        sec.grid(False)
        per_ax[orientation] = (sec, [])
    sec, ticks = per_ax[orientation]
    ticks.append((float(value), label))
    set_ticks = sec.set_xticks if orientation == "vertical" else sec.set_yticks
    set_ticks([v for v, _ in ticks], [text for _, text in ticks])
    sec.tick_params(length=0, pad=2.0, labelsize=NOTE_FONT_PT, labelcolor=color)
    return line


def _text_extent_pt(text: str, fontsize: float) -> tuple[float, float]:
    """Rough (width, height) of *text* in points: CJK full width, others ~0.6 em; one line per "\\n"."""
    lines = text.split("\n")
    width = max(sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in line) for line in lines)
    return width * fontsize, 1.2 * fontsize * len(lines)


def bar_labels(
    ax: Axes,
    container: BarContainer,
    fmt: str | Callable[[float], str] = formatting.count,
    *,
    padding: float = 2.0,
    fontsize: float = LABEL_FONT_PT,
    color: str = _TEXT,
) -> list[Text]:
    """Value labels at the end of each bar, never clipped; the value axis grows to make room for them.

    *fmt* is a callable (``formatting.percent`` for rates stored as 0–1; default: counts as
    `formatting.count`) or a format string. Call it after setting
    the axis limits (e.g. after `percent_axis`). Missing values get no label.
    """
    values = np.asarray(container.datavalues, dtype=float)
    labels = ["" if not np.isfinite(v) else (fmt(v) if callable(fmt) else fmt.format(v)) for v in values]
    texts = ax.bar_label(
        container,
        labels=labels,
        padding=padding,
        fontsize=fontsize,
        color=color,
        clip_on=False,
        annotation_clip=False,
        zorder=3,
        # a background patch so a reference line crossing the label does not strike through it
        bbox={"boxstyle": "square,pad=0.1", "facecolor": ax.get_facecolor(), "edgecolor": "none"},
    )
    _reserve_room(ax, container, values, labels, padding, fontsize)
    return texts


def _reserve_room(
    ax: Axes, container: BarContainer, values: np.ndarray, labels: list[str], padding: float, fontsize: float
) -> None:
    """Widen the value axis so labels at the bar ends fit inside the plot area (estimated before layout)."""
    horizontal = getattr(container, "orientation", "vertical") == "horizontal"
    if (ax.get_xscale() if horizontal else ax.get_yscale()) != "linear":
        return
    fig = ax.get_figure(root=True)
    fig_w, fig_h = fig.get_size_inches() * 72.0
    pos = ax.get_position()
    axis_pt = pos.width * fig_w if horizontal else pos.height * fig_h
    lo, hi = ax.get_xbound() if horizontal else ax.get_ybound()
    if axis_pt <= 0 or hi <= lo:
        return
    new_lo, new_hi = lo, hi
    for patch, value, text in zip(container.patches, values, labels, strict=False):
        if not text or not np.isfinite(value):
            continue
        w, h = _text_extent_pt(text, fontsize)
        frac = min(0.5, 1.15 * ((w if horizontal else h) + padding + 0.2 * fontsize) / axis_pt)
        x0, y0, x1, y1 = patch.get_bbox().extents
        start, end = (min(x0, x1), max(x0, x1)) if horizontal else (min(y0, y1), max(y0, y1))
        if value >= 0:
            new_hi = max(new_hi, (end - frac * new_lo) / (1 - frac))
        else:
            new_lo = min(new_lo, (start - frac * new_hi) / (1 - frac))
    if (new_lo, new_hi) != (lo, hi):
        (ax.set_xbound if horizontal else ax.set_ybound)(new_lo, new_hi)


# --- labels ------------------------------------------------------------------------------------------

_OPENING = frozenset("（([{【《〈「『“‘")
_CLOSING = frozenset("）)]}】》〉」』”’，。、；：！？,.;:!?%％·…")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-+/%％]*|\s+|.", re.DOTALL)


def _units(text: str, width: int) -> list[str]:
    """Unbreakable pieces: single CJK characters, ASCII words/numbers, punctuation glued to its neighbour."""
    units: list[str] = []
    opening = ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            if opening:
                units.append(opening)
                opening = ""
            units.append(" ")
        elif token in _OPENING:
            opening += token
        elif token in _CLOSING and units and not units[-1].isspace() and not opening:
            units[-1] += token
        else:
            units.append(opening + token)
            opening = ""
    if opening:
        units.append(opening)
    pieces: list[str] = []
    for unit in units:
        pieces.extend(unit[i : i + width] for i in range(0, len(unit), width))
    return pieces


def _fill(units: list[str], capacity: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for unit in units:
        if unit.isspace() and not current:
            continue
        if not current or len((current + unit).rstrip()) <= capacity:
            current += unit
        else:
            lines.append(current.rstrip())
            current = "" if unit.isspace() else unit
    if current.strip():
        lines.append(current.rstrip())
    return lines


def wrap_label(text: str, width: int = 8) -> str:
    """Wrap a (Chinese) label into balanced lines of at most *width* characters.

    Breaks between any two CJK characters or at spaces, keeps ASCII words and numbers whole, and never
    starts a line with closing punctuation nor ends one with an opening bracket.
    """
    if width < 1:
        raise ValueError(f"width must be ≥ 1, got {width}")
    out: list[str] = []
    for paragraph in str(text).split("\n"):
        paragraph = paragraph.strip()
        if len(paragraph) <= width:
            out.append(paragraph)
            continue
        units = _units(paragraph, width)
        n_lines = math.ceil(len(paragraph) / width)
        lines = _fill(units, width)
        for capacity in range(math.ceil(len(paragraph) / n_lines), width + 1):
            candidate = _fill(units, capacity)
            if len(candidate) <= n_lines:
                lines = candidate
                break
        out.extend(lines)
    return "\n".join(out)


# --- demo --------------------------------------------------------------------------------------------

_DEMO_BRANCHES = (
    ("示例镇机关团支部", 0.987),
    ("示例镇农业专业合作社团支部", 0.842),
    ("示例镇卫生院团支部", 0.956),
    ("示例镇第一中学教职工团支部", 0.913),
    ("东风村团支部", 0.768),
    ("红星村团支部", 0.905),
    ("向阳社区团支部", 0.931),
    ("示例镇供电所团支部", 1.0),
    ("示例镇青年创业园联合团支部", 0.689),
    ("示例镇派出所团支部", 0.972),
    ("石桥村团支部", 0.884),
    ("示例镇新时代文明实践所团支部", 0.897),
)


def demo_figure() -> Figure:
    """A sample chart in the report style (fictional data): participation rate of 12 League branches."""
    names, rates = zip(*sorted(_DEMO_BRANCHES, key=lambda item: -item[1]), strict=True)
    fig, ax = new_figure(height_for_rows(len(names)), value_axis="x")
    y = np.arange(len(names))
    bars = ax.barh(y, rates, height=0.62, color=SECTION_COLORS["ideology"])
    ax.set_yticks(y, [wrap_label(name) for name in names])
    ax.tick_params(axis="y", length=0)
    ax.invert_yaxis()
    percent_axis(ax, "x")
    add_target_line(ax, 0.9, "目标 90%")
    bar_labels(ax, bars, fmt=formatting.percent)
    ax.set_title("各团支部青年大学习参学率")
    ax.set_xlabel("参学率（%）")
    return fig
