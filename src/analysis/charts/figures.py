"""The charts of the annual report, one function per chart, each ``(cat: Catalogue) -> Figure | None``.

Every function only reshapes and plots the catalogue's tables and headline numbers (no indicator is
computed here) and returns None when the table it needs is absent or empty (a town without that export).
Colours: a chart about one report section uses that section's colour (青年大学习 → 思想引领,
团干部/发展团员/对标定级/教育评议 → 自身建设, 志愿服务/爱心助学 → 中心大局); charts split by section use
`SECTION_COLORS`; charts about the organisation as a whole use a neutral slate, so no colour is read as a
section it does not belong to; year-over-year comparisons use `YEAR_COLORS`.

`CHARTS` maps the suggested file names (``save(fig, reports_dir, name)``) to the functions, in report order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from analysis.charts import fonts
from analysis.charts.style import (
    GREY,
    SECTION_COLORS,
    TARGET,
    YEAR_COLORS,
    add_target_line,
    bar_labels,
    figsize,
    height_for_rows,
    new_figure,
    percent_axis,
    wrap_label,
)
from analysis.common import formatting
from analysis.indicators.recruitment import STAGES, quota_status
from analysis.indicators.services import RATING_ORDER, REVIEW_ORDER
from analysis.indicators.study import RATE_BANDS

if TYPE_CHECKING:
    from analysis.indicators.catalogue import Catalogue

__all__ = [
    "CHARTS",
    "activities_by_month",
    "activities_by_organiser",
    "activities_by_section",
    "age_structure",
    "aid_by_programme",
    "cadre_checkin",
    "data_coverage",
    "members_by_branch",
    "overview_yoy",
    "political_status",
    "ratings_distribution",
    "recruitment_by_branch",
    "recruitment_funnel",
    "recruitment_vs_quota",
    "review_distribution",
    "study_heatmap",
    "study_learners",
    "study_rate_by_branch",
    "study_trend",
    "top_activities",
    "volunteer_hours_by_month",
]

ChartFunction = Callable[["Catalogue"], Figure | None]

# --- colours -----------------------------------------------------------------------------------------

NEUTRAL = "#55636F"  # slate: the organisation as a whole (not a section)
STUDY = SECTION_COLORS["ideology"]  # 青年大学习 belongs to 政治建设·思想引领
BUILDING = SECTION_COLORS["self_building"]  # 团干部打卡, 发展团员, 对标定级, 教育评议
VOLUNTEER = SECTION_COLORS["volunteer"]  # 志愿服务, 爱心助学 (docs/definitions.md: aid drives are 中心大局)
MISSING = "#CFCFCF"  # heat-map cells without a value (grey: apart from the pale low rates)


def _mix(color: str, other: str, fraction: float) -> str:
    """*color* moved *fraction* (0–1) of the way towards *other*."""
    a, b = np.array(to_rgb(color)), np.array(to_rgb(other))
    return to_hex(a + (b - a) * fraction)


def _text_color(background: str) -> str:
    """Dark or white text, whichever contrasts more with *background* (WCAG relative luminance)."""
    rgb = np.array(to_rgb(background))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ [0.2126, 0.7152, 0.0722])
    return "#1A1A1A" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def _tint(color: str, fraction: float) -> str:
    return _mix(color, "#FFFFFF", fraction)


def _shade(color: str, fraction: float) -> str:
    return _mix(color, "#000000", fraction)


# 参学率 heat maps (branches here, towns in the county roll-up). Most rates lie between 50% and 100%: the
# scale spends its lightness range there (the colour bar shows the scale, 0–100%).
STUDY_RATE_CMAP = LinearSegmentedColormap.from_list(
    "study",
    [
        (0.0, "#FFFFFF"),
        (0.5, "#FCEAE6"),
        (0.7, _tint(STUDY, 0.62)),
        (0.85, _tint(STUDY, 0.2)),
        (0.95, _shade(STUDY, 0.25)),
        (1.0, _shade(STUDY, 0.55)),
    ],
).with_extremes(bad=MISSING)

# Strong → weak; checked to stay apart in grey-scale printing.
RATING_COLORS = {
    "五星": _shade(BUILDING, 0.45),
    "四星": BUILDING,
    "三星": _tint(BUILDING, 0.45),
    "二星": _tint(BUILDING, 0.7),
    "后进": GREY,
    "软弱涣散": "#6E6E6E",
    "不予定级": "#D9D9D9",
}
REVIEW_COLORS = {
    "优秀": _shade(BUILDING, 0.45),
    "合格": BUILDING,
    "基本合格": _tint(BUILDING, 0.55),
    "不合格": "#6E6E6E",
}
BAND_LABELS = [label for _, label in RATE_BANDS]  # ≥95% … <80%
BAND_COLORS = dict(
    zip(BAND_LABELS, [_shade(STUDY, 0.4), STUDY, _tint(STUDY, 0.45), _tint(STUDY, 0.72)], strict=True)
)
STAGE_LABELS = [label for _, label in STAGES]
STAGE_COLORS = dict(
    zip(
        STAGE_LABELS,
        [_tint(BUILDING, 0.72), _tint(BUILDING, 0.45), BUILDING, _shade(BUILDING, 0.45)],
        strict=True,
    )
)

# --- shared helpers ----------------------------------------------------------------------------------

_MONTH_COLUMN = re.compile(r"(\d{1,2})月")


def _table(cat: Catalogue, name: str, *columns: str) -> pd.DataFrame | None:
    """The catalogue table *name* if present, non-empty and holding *columns*; else None."""
    frame = cat.tables.get(name)
    if frame is None or frame.empty or any(c not in frame.columns for c in columns):
        return None
    return frame


_count = formatting.count
_pct = formatting.percent
_money = formatting.money


def _labels(texts: Sequence[str]) -> Callable[[float], str]:
    """A `bar_labels` formatter handing out prepared *texts* in bar order."""
    items = iter(texts)
    return lambda _value: next(items)


def _branch_ticks(ax: Axes, names: Sequence[str], width: int = 8) -> np.ndarray:
    """Category ticks on y, first name at the top, wrapped to *width* characters."""
    y = np.arange(len(names))
    ax.set_yticks(y, [wrap_label(str(n), width) for n in names])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(len(names) - 0.5, -0.5)
    return y


def _row_cm(names: Sequence[str], width: int = 8) -> float:
    """Height (cm) of one bar row: more when a wrapped name takes two lines."""
    return 0.74 if any("\n" in wrap_label(str(n), width) for n in names) else 0.6


def _legend_below(fig: Figure, handles: list, labels: list[str], ncols: int | None = None, **kw) -> None:
    """A figure legend under the plot (never covers data); the constrained layout makes room."""
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=ncols or len(handles),
        frameon=False,
        handlelength=1.6,
        columnspacing=1.6,
        **kw,
    )


def _inside_labels(ax: Axes, bars, texts: Sequence[str], *, min_fraction: float = 0.22) -> None:
    """Labels inside the top of vertical bars, above the bar when it is too short to hold them.

    Used where reference lines run near the bar tops: the bars are drawn over the lines (zorder 3), so
    labels inside them are never crossed.
    """
    low, high = ax.get_ylim()
    for patch, text in zip(bars.patches, texts, strict=True):
        height = patch.get_height()
        x = patch.get_x() + patch.get_width() / 2
        inside = height >= min_fraction * (high - low)
        ax.annotate(
            text,
            (x, height),
            xytext=(0, -3 if inside else 2),
            textcoords="offset points",
            ha="center",
            va="top" if inside else "bottom",
            fontsize=7.5,
            color=_text_color(patch.get_facecolor()) if inside else "#262626",
            linespacing=1.1,
            zorder=4,
        )


def _month_axis(ax: Axes, year: int) -> None:
    """x = dates of *year* with ticks 1月 … 12月."""
    ax.set_xlim(
        pd.Timestamp(year, 1, 1) - pd.Timedelta(days=4), pd.Timestamp(year, 12, 31) + pd.Timedelta(days=4)
    )
    ax.set_xticks([pd.Timestamp(year, m, 1) for m in range(1, 13)], [f"{m}月" for m in range(1, 13)])


def _period_month_ticks(ax: Axes, dates: pd.Series) -> list[float]:
    """x = periods 0…n−1 in date order: month names centred on each month's periods (sparse: a name too
    close to the previous one is left out), minor ticks between months. Returns the month boundaries."""
    months = pd.to_datetime(dates).dt.month.to_numpy()
    starts = [i for i in range(len(months)) if i == 0 or months[i] != months[i - 1]]
    ends = [*starts[1:], len(months)]
    min_gap = max(1.0, len(months) * 0.7 / 12.0)  # ~0.7 cm between label centres on a ~12 cm wide plot
    ticks, texts, last = [], [], -np.inf
    for a, b in zip(starts, ends, strict=True):
        centre = (a + b - 1) / 2
        if centre - last >= min_gap:
            ticks.append(centre)
            texts.append(f"{months[a]}月")
            last = centre
    boundaries = [s - 0.5 for s in starts[1:]]
    ax.set_xticks(ticks, texts)
    ax.set_xticks(boundaries, minor=True)
    ax.tick_params(axis="x", which="major", length=0)
    ax.tick_params(axis="x", which="minor", length=4)
    return boundaries


def _quota(cat: Catalogue) -> float | None:
    """This year's 发展团员 quota: the configured target, else the headline rec.quota."""
    if cat.targets.recruitment_quota is not None:
        return float(cat.targets.recruitment_quota)
    value = cat.headline.get("rec.quota")
    return None if value is None else float(value)


def _integer_axis(ax: Axes, axis: str = "y") -> None:
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


def _share_labels(counts: Sequence[float], unit: str) -> list[str]:
    """'96人（32.0%）' for each count: its share of the table's total (a distribution, not an indicator)."""
    total = float(sum(counts))
    return [f"{_count(c)}{unit}（{_pct(c / total)}）" if total else f"{_count(c)}{unit}" for c in counts]


# --- 概览 ----------------------------------------------------------------------------------------------

OVERVIEW_PANELS = (
    ("org.members", "团员总数（人）"),
    ("act.count", "开展活动（次）"),
    ("act.person_times", "活动参与（人次）"),
    ("act.volunteer_hours", "志愿服务时长（小时）"),
    ("study.member_rate", "团员参学率（%）"),
    ("rec.new_members", "发展团员（名）"),
)


def _change_text(cat: Catalogue, key: str) -> str:
    kind = cat.info(key).kind
    change = formatting.shown_change(cat.headline.get(key), cat.previous.get(key), kind)
    if change is None:
        return ""
    if kind == "rate":
        return f"较上年 {formatting.change(change, kind)}"
    prev = cat.previous[key]
    if change == 0:
        return "与上年持平"
    text = f"较上年 {formatting.change(change, kind)}"
    return f"{text}（{_pct(change / prev, signed=True)}）" if prev else text


# What a cell of the 数据完整性 chart stands for (rate panels; the activities panel shows counts).
COVER_VALUE = "value"  # people registered and records present: shaded by the rate (0% white, labelled)
COVER_LOW = "low"  # …but far below the town that month: outlined in red
COVER_NONE = "none"  # people registered, no record at all (or no export that month): hatched
COVER_EMPTY = "empty"  # nobody registered that month: grey
GAP_COLOR = "#C0392B"
NO_RECORD_FILL = "#F6DCD8"
COVER_LEGEND = {
    COVER_NONE: "没有任何记录：可能缺少导出",
    COVER_LOW: "记录明显少于全镇：可能导出不全",
    COVER_EMPTY: "这个月没有在册人员",
}


@dataclass(frozen=True)
class CoveragePanel:
    """One kind of export in the 数据完整性 chart: branch × month ``values`` (rates 0–1, or counts when
    ``states`` is None) and, for rates, each cell's state (COVER_*)."""

    title: str
    values: pd.DataFrame
    states: pd.DataFrame | None


def _coverage_grid(cat: Catalogue) -> list[CoveragePanel]:
    """The 数据完整性 chart's panels. Study: share of members with a record, averaged over the month's
    periods; check-ins: share of cadres checked in; activities: count. A rate cell is COVER_NONE when
    the branch has people registered that month but not a single record (or the export has nothing
    for the month at all while the branch has people in other months) — told apart from a 0% with
    records; COVER_LOW when (study) its share is under a fifth of the town's that month."""
    months = [f"{cat.year}年{m}月" for m in range(1, 13)]
    panels: list[CoveragePanel] = []

    def pivot(frame: pd.DataFrame, values: str, how: str = "mean") -> pd.DataFrame:
        return frame.pivot_table(index="团支部", columns="月份", values=values, aggfunc=how).reindex(
            columns=months
        )

    def states(registered: pd.DataFrame, records: pd.DataFrame, low: pd.DataFrame | None) -> pd.DataFrame:
        people = registered.fillna(0).gt(0)
        nothing_that_month = registered.isna().all(axis=0).to_numpy()[None, :]
        had_people = people.any(axis=1).to_numpy()[:, None]
        none = (people & records.reindex_like(registered).fillna(0).eq(0)) | (nothing_that_month & had_people)
        out = pd.DataFrame(COVER_EMPTY, index=registered.index, columns=registered.columns)
        out = out.mask(people, COVER_VALUE)
        if low is not None:
            out = out.mask(people & low.reindex_like(registered).fillna(False).astype(bool), COVER_LOW)
        return out.mask(none, COVER_NONE)

    study = cat.tables.get("coverage_study")
    if study is not None and len(study) and study["在册团员"].notna().any():
        s = study.dropna(subset=["在册团员"])
        s = s.assign(rate=s["有记录团员"].fillna(0) / s["在册团员"])
        rate = pivot(s, "rate")
        town = s.groupby("月份")[["有记录团员", "在册团员"]].sum()
        town_rate = (town["有记录团员"] / town["在册团员"]).reindex(months)
        low = rate.lt(town_rate * 0.2, axis=1) & town_rate.ge(0.5).to_numpy()[None, :]
        grid = states(pivot(s, "在册团员", "max"), pivot(s, "记录数", "sum"), low)
        panels.append(CoveragePanel("青年大学习（有记录的团员占比）", rate, grid))
    checkin = cat.tables.get("coverage_checkin")
    if checkin is not None and len(checkin) and checkin["在册团干部"].notna().any():
        c = checkin.dropna(subset=["在册团干部"])
        c = c.assign(rate=c["已打卡"].fillna(0) / c["在册团干部"])
        grid = states(pivot(c, "在册团干部", "max"), pivot(c, "记录数", "sum"), None)
        panels.append(CoveragePanel("团干部学习打卡（已打卡占比）", pivot(c, "rate"), grid))
    acts = cat.tables.get("coverage_activities")
    if acts is not None and len(acts):
        panels.append(CoveragePanel("活动台账（活动次数）", pivot(acts, "记录数", "sum"), None))
    return panels


def data_coverage(cat: Catalogue) -> Figure | None:
    """数据完整性: for each kind, a branch × month heat map of what the exports hold. In the rate panels a
    month where a branch with people has no record at all is hatched (a likely missing export, unlike a
    0% with records, which is white and labelled 0%), one far below the town is outlined in red, one
    without anybody registered is grey; the legend lists only what the chart shows."""
    panels = [
        CoveragePanel(
            p.title, p.values.iloc[:MAX_ROWS], None if p.states is None else p.states.iloc[:MAX_ROWS]
        )
        for p in _coverage_grid(cat)
    ]
    if not panels:
        return None
    height = sum(len(p.values) * 0.42 + 1.6 for p in panels) + 1.6
    fonts.register()
    ratios = [max(len(p.values), 1) + 3 for p in panels]
    fig, grid_axes = plt.subplots(
        len(panels), 1, squeeze=False, figsize=figsize(height), layout="constrained",
        gridspec_kw={"height_ratios": ratios},
    )  # fmt: skip
    rate_map = LinearSegmentedColormap.from_list(
        "coverage", ["#FFFFFF", _tint(STUDY, 0.35), _shade(STUDY, 0.3)]
    ).with_extremes(bad=(0, 0, 0, 0))
    count_map = LinearSegmentedColormap.from_list(
        "count", ["#FFFFFF", _tint(VOLUNTEER, 0.3), _shade(VOLUNTEER, 0.3)]
    )
    used: set[str] = set()
    for ax, panel in zip(grid_axes[:, 0], panels, strict=True):
        values = panel.values.to_numpy(dtype=float)
        if panel.states is not None:
            state = panel.states.to_numpy()
            shown = np.where(np.isin(state, [COVER_VALUE, COVER_LOW]), values, np.nan)
            image = ax.imshow(np.ma.masked_invalid(shown), aspect="auto", cmap=rate_map, vmin=0, vmax=1)
            for r, c in zip(*np.nonzero(state != COVER_VALUE), strict=True):
                used.add(state[r, c])
                ax.add_patch(_coverage_cell(r, c, state[r, c]))
            for r, c in zip(
                *np.nonzero(np.isin(state, [COVER_VALUE, COVER_LOW]) & (shown == 0)), strict=True
            ):
                ax.text(c, r, "0%", ha="center", va="center", fontsize=5.5, color="#595959", in_layout=False)
            bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01, aspect=20)
            bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
            bar.ax.tick_params(labelsize=6)
            bar.outline.set_visible(False)
        else:
            top = max(float(np.nanmax(values)) if np.isfinite(values).any() else 1.0, 1.0)
            image = ax.imshow(np.nan_to_num(values, nan=0.0), aspect="auto", cmap=count_map, vmin=0, vmax=top)
            for r, c in zip(*np.nonzero(np.nan_to_num(values) > 0), strict=True):
                color = _text_color(to_hex(image.cmap(image.norm(values[r, c]))))
                ax.text(  # inside its cell: left out of the layout (hundreds of labels)
                    c,
                    r,
                    f"{int(values[r, c])}",
                    ha="center",
                    va="center",
                    fontsize=6.5,
                    color=color,
                    in_layout=False,
                )
        ax.set_xticks(range(12), [f"{m}月" for m in range(1, 13)], fontsize=7)
        _branch_ticks(ax, list(panel.values.index))
        for label in ax.get_yticklabels():
            label.set_fontsize(7)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.grid(False)
        ax.set_title(panel.title, fontsize=9, loc="left")
    shown_states = [s for s in COVER_LEGEND if s in used]
    if shown_states:
        handles = [_coverage_cell(0, 0, s) for s in shown_states]
        _legend_below(fig, handles, [COVER_LEGEND[s] for s in shown_states], ncols=min(len(handles), 2))
    fig.suptitle(f"{cat.year}年数据完整性：各团支部每月的记录", fontsize=11)
    return fig


def _coverage_cell(row: int, column: int, state: str) -> Rectangle:
    """The mark of a coverage cell that is not a plain value (also the legend's handle)."""
    box = {"xy": (column - 0.5, row - 0.5), "width": 1, "height": 1}
    if state == COVER_NONE:
        return Rectangle(**box, facecolor=NO_RECORD_FILL, edgecolor=GAP_COLOR, hatch="////", linewidth=0.6)
    if state == COVER_LOW:
        return Rectangle(**box, fill=False, edgecolor=GAP_COLOR, linewidth=1.4)
    return Rectangle(**box, facecolor=MISSING, edgecolor="white", linewidth=0.6)


def overview_yoy(cat: Catalogue) -> Figure | None:
    """Small multiples (2×3): each headline of the year against the previous year (本年 only without one)."""
    panels = [(k, t) for k, t in OVERVIEW_PANELS if k in cat.headline]
    if not panels:
        return None
    has_previous = any(k in cat.previous for k, _ in panels)
    ncols = min(3, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, first = new_figure(5.2 * nrows + 2.4)
    fig.delaxes(first)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    quota_drawn = False
    for ax, (key, title) in zip(axes, panels, strict=False):
        ki = cat.info(key)
        years, values, colors = [], [], []
        if key in cat.previous:
            years.append(f"{cat.year - 1}年")
            values.append(float(cat.previous[key]))
            colors.append(YEAR_COLORS["previous"])
        years.append(f"{cat.year}年")
        values.append(float(cat.headline[key]))
        colors.append(YEAR_COLORS["current"])
        x = np.arange(len(values))
        bars = ax.bar(x, values, width=0.6, color=colors)
        ax.set_xticks(x, years)
        ax.set_xlim(-0.7, max(len(values), 2) - 0.3) if len(values) > 1 else ax.set_xlim(-1.0, 1.0)
        ax.tick_params(axis="x", length=0)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.grid(False)
        ax.set_title(title, fontsize=9.5, pad=4)
        if key == "rec.new_members":
            quotas = []
            if key in cat.previous:
                quotas.append(cat.previous.get("rec.quota"))
            quotas.append(_quota(cat))
            for xi, q in zip(x, quotas, strict=True):
                if q is not None:
                    ax.plot(
                        [xi - 0.38, xi + 0.38], [q, q], color=TARGET, linewidth=1.6, linestyle=(0, (3, 1.5))
                    )
                    ax.set_ylim(0, max(ax.get_ylim()[1], q * 1.05))
                    quota_drawn = True
        ax.set_ylim(0, max(ax.get_ylim()[1], max(values) * 1.05))
        bar_labels(ax, bars, fmt=ki.format, padding=3.0)
        change = _change_text(cat, key)
        if change:
            ax.set_xlabel(change, fontsize=7.5, color="#595959", labelpad=3)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    fig.suptitle(f"{cat.year}年主要工作指标" + ("与上年对比" if has_previous else ""))
    if quota_drawn:
        handle = Line2D([], [], color=TARGET, linewidth=1.6, linestyle=(0, (3, 1.5)))
        _legend_below(fig, [handle], ["虚线：当年发展团员指标"])
    return fig


# --- 团组织与团员 --------------------------------------------------------------------------------------


MAX_ROWS = 30  # a chart at A4 column width stays legible up to about 30 branch rows


def _cap(t: pd.DataFrame, what: str, extremes: bool = False) -> tuple[pd.DataFrame, str]:
    """At most MAX_ROWS rows of an already sorted table, and a title suffix saying what is shown.

    ``extremes``: keep the first and the last MAX_ROWS/2 rows (highest and lowest), else the first ones.
    Complete tables are in indicators.xlsx."""
    if len(t) <= MAX_ROWS:
        return t, ""
    if extremes:
        half = MAX_ROWS // 2
        return pd.concat([t.head(half), t.tail(half)]), f"（共{len(t)}个{what}，仅列最高与最低各{half}个）"
    return t.head(MAX_ROWS), f"（共{len(t)}个{what}，仅列前{MAX_ROWS}个）"


def members_by_branch(cat: Catalogue) -> Figure | None:
    """Members per branch on 12-31, stacked 团干部 / 其他团员, total labelled, largest first."""
    t = _table(cat, "org_by_branch", "branch", "members", "cadres")
    if t is None:
        return None
    total = t["members"].sum()
    t, note = _cap(t.sort_values(["members", "branch"], ascending=[False, True]), "团支部")
    fig, ax = new_figure(height_for_rows(len(t), _row_cm(t["branch"]), 3.2), value_axis="x")
    y = _branch_ticks(ax, t["branch"].tolist())
    cadres = t["cadres"].to_numpy(dtype=float)
    others = t["members"].to_numpy(dtype=float) - cadres
    ax.barh(y, cadres, height=0.62, color=NEUTRAL, label="团干部")
    bars = ax.barh(y, others, left=cadres, height=0.62, color=_tint(NEUTRAL, 0.6), label="其他团员")
    _integer_axis(ax, "x")
    ax.set_xlim(0, None)
    bar_labels(ax, bars, fmt=_labels([_count(v) for v in t["members"]]))
    ax.set_xlabel("团员人数（人）")
    ax.set_title(f"{cat.year}年各团支部团员人数（截至12月31日，共{_count(total)}人）{note}")
    handles, labels = ax.get_legend_handles_labels()
    _legend_below(fig, handles, labels)
    return fig


def age_structure(cat: Catalogue) -> Figure | None:
    """Members on 12-31 by age band: count and share."""
    t = _table(cat, "org_by_age", "age_band", "members")
    if t is None:
        return None
    fig, ax = new_figure(8.0)
    x = np.arange(len(t))
    colors = [GREY if band == "未知" else NEUTRAL for band in t["age_band"]]
    bars = ax.bar(x, t["members"], width=0.6, color=colors)
    ax.set_xticks(x, [str(b).replace(" ", "") for b in t["age_band"]])
    ax.tick_params(axis="x", length=0)
    _integer_axis(ax)
    bar_labels(ax, bars, fmt=_labels(_share_labels(t["members"].tolist(), "人")))
    ax.set_ylabel("团员人数（人）")
    ax.set_xlabel("年龄段（截至12月31日的周岁）")
    ax.set_title(f"{cat.year}年团员年龄结构")
    return fig


def political_status(cat: Catalogue) -> Figure | None:
    """Members on 12-31 by political status (共青团员 / 中共党员 …), count and share."""
    t = _table(cat, "org_by_political", "political_status", "members")
    if t is None:
        return None
    t = t.sort_values("members", ascending=False)
    fig, ax = new_figure(height_for_rows(len(t), 0.7, 3.0), value_axis="x")
    y = _branch_ticks(ax, t["political_status"].tolist())
    colors = [GREY if s == "未填" else NEUTRAL for s in t["political_status"]]
    bars = ax.barh(y, t["members"], height=0.6, color=colors)
    _integer_axis(ax, "x")
    bar_labels(ax, bars, fmt=_labels(_share_labels(t["members"].tolist(), "人")))
    ax.set_xlabel("团员人数（人）")
    ax.set_title(f"{cat.year}年团员政治面貌构成")
    return fig


def _ordered_distribution(t: pd.DataFrame, column: str, order: Sequence[str]) -> pd.DataFrame:
    rank = {k: i for i, k in enumerate(order)}
    return t.assign(_rank=t[column].map(lambda v: rank.get(v, len(order)))).sort_values(
        "_rank", kind="stable"
    )


def _distribution(
    cat: Catalogue,
    table: str,
    category: str,
    count: str,
    order: Sequence[str],
    colors: dict[str, str],
    unit: str,
    ylabel: str,
    xlabel: str,
    title: str,
) -> Figure | None:
    """Counts per category in a fixed order, each bar labelled with its count and share."""
    t = _table(cat, table, category, count)
    if t is None:
        return None
    t = _ordered_distribution(t, category, order)
    fig, ax = new_figure(7.5)
    x = np.arange(len(t))
    bars = ax.bar(x, t[count], width=0.6, color=[colors.get(r, GREY) for r in t[category]])
    ax.set_xticks(x, t[category].tolist())
    ax.tick_params(axis="x", length=0)
    _integer_axis(ax)
    bar_labels(ax, bars, fmt=_labels(_share_labels(t[count].tolist(), unit)))
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.set_title(title.format(year=cat.year, total=_count(t[count].sum())))
    return fig


def ratings_distribution(cat: Catalogue) -> Figure | None:
    """Branches per 对标定级 rating, strong (五星) to weak."""
    return _distribution(
        cat,
        "ratings_distribution",
        "rating",
        "branches",
        RATING_ORDER,
        RATING_COLORS,
        "个",
        "团支部数（个）",
        "定级结果",
        "{year}年团支部对标定级结果（共{total}个团支部参评）",
    )


def review_distribution(cat: Catalogue) -> Figure | None:
    """Members per 教育评议 result (优秀 … 不合格), count and share."""
    return _distribution(
        cat,
        "reviews_distribution",
        "result",
        "members",
        REVIEW_ORDER,
        REVIEW_COLORS,
        "人",
        "团员人数（人）",
        "评议结果",
        "{year}年团员教育评议结果（共{total}人参评）",
    )


# --- 思想引领 · 青年大学习 -------------------------------------------------------------------------------


def _target_label(value: float) -> str:
    return f"目标 {_pct(value, digits=0 if round(value * 100, 6).is_integer() else 1)}"


def study_trend(cat: Catalogue) -> Figure | None:
    """The town's member 参学率 per period over the year, the yearly mean and the target."""
    t = _table(cat, "study_periods", "date", "rate")
    if t is None or t["rate"].notna().sum() == 0:
        return None
    t = t.dropna(subset=["rate"]).sort_values("date")
    fig, ax = new_figure(8.5)
    handles = ax.plot(t["date"], t["rate"], marker="o", markersize=3.2, linewidth=1.4, color=STUDY)
    labels = ["各期团员参学率"]
    mean = cat.headline.get("study.member_rate")
    if mean is not None:
        handles.append(ax.axhline(mean, color=_shade(STUDY, 0.35), linewidth=1.1, linestyle=":"))
        labels.append(f"全年平均 {_pct(mean)}")
    target = cat.targets.study_rate_target
    percent_axis(ax, "y")
    low = min([*t["rate"].tolist(), *(v for v in (mean, target) if v is not None)])
    ax.set_ylim(max(0.0, np.floor((low - 0.05) * 10) / 10), 1.0)
    if target is not None:
        add_target_line(ax, target, _target_label(target), "horizontal")
    _month_axis(ax, cat.year)
    ax.set_ylabel("团员参学率（%）")
    ax.set_title(f"{cat.year}年青年大学习各期团员参学率（共{len(t)}期）")
    _legend_below(fig, handles, labels)
    return fig


def study_rate_by_branch(cat: Catalogue) -> Figure | None:
    """Mean member 参学率 per branch, high → low, coloured by band, with the target and the town mean."""
    t = _table(cat, "study_ranking", "branch", "rate")
    if t is None:
        return None
    t, note = _cap(t.sort_values(["rate", "branch"], ascending=[False, True]), "团支部", extremes=True)
    bands = t["band"] if "band" in t.columns else pd.Series([None] * len(t), index=t.index)
    fig, ax = new_figure(height_for_rows(len(t), _row_cm(t["branch"]), 3.4), value_axis="x")
    y = _branch_ticks(ax, t["branch"].tolist())
    bars = ax.barh(y, t["rate"], height=0.62, color=[BAND_COLORS.get(b, STUDY) for b in bands])
    percent_axis(ax, "x")
    handles: list = []
    labels: list[str] = []
    mean = cat.headline.get("study.member_rate")
    if mean is not None:
        handles.append(ax.axvline(mean, color=TARGET, linewidth=1.0, linestyle=":", zorder=2.5))
        labels.append(f"全镇平均 {_pct(mean)}")
    target = cat.targets.study_rate_target
    if target is not None:
        add_target_line(ax, target, _target_label(target))
    bar_labels(ax, bars, fmt=_pct)
    present = [b for b in BAND_LABELS if b in set(bands)]
    handles += [Patch(color=BAND_COLORS[b]) for b in present]
    labels += present
    ax.set_xlabel("团员参学率（各期平均，%）")
    ax.set_title(f"{cat.year}年各团支部青年大学习参学率{note}")
    if handles:
        _legend_below(fig, handles, labels)
    return fig


def study_heatmap(cat: Catalogue) -> Figure | None:
    """参学率 per branch × period (periods in date order), 0–100% colour scale."""
    t = _table(cat, "study_matrix", "branch", "period", "date", "rate")
    if t is None:
        return None
    periods = t[["period", "date"]].drop_duplicates("period").sort_values(["date", "period"])
    ranking = _table(cat, "study_ranking", "branch", "rate")
    branches = sorted(t["branch"].unique().tolist())
    if ranking is not None:
        ranked = ranking.sort_values(["rate", "branch"], ascending=[False, True])["branch"].tolist()
        branches = [b for b in ranked if b in set(branches)] + [b for b in branches if b not in set(ranked)]
    note = ""
    if len(branches) > MAX_ROWS:  # the branches that need attention: the lowest mean rates
        note = f"（共{len(branches)}个团支部，仅列参学率最低的{MAX_ROWS}个）"
        branches = branches[-MAX_ROWS:]
    grid = t.pivot_table(index="branch", columns="period", values="rate", aggfunc="first").reindex(
        index=branches, columns=periods["period"].tolist()
    )
    fig, ax = new_figure(height_for_rows(len(branches), _row_cm(branches), 3.6), value_axis="x")
    ax.grid(False)
    cmap = STUDY_RATE_CMAP
    image = ax.imshow(
        np.ma.masked_invalid(grid.to_numpy(dtype=float)),
        aspect="auto",
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        interpolation="nearest",
    )
    for spine in ax.spines.values():
        spine.set_visible(False)
    _branch_ticks(ax, branches)
    for boundary in _period_month_ticks(ax, periods["date"]):
        ax.axvline(boundary, color="white", linewidth=0.8)
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, aspect=25)
    bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    bar.set_label("参学率（%）")
    bar.outline.set_visible(False)
    ax.set_xlabel(f"期次（按日期排列，共{len(periods)}期）")
    ax.set_title(f"{cat.year}年各团支部青年大学习逐期参学率{note}")
    if grid.isna().to_numpy().any():
        _legend_below(fig, [Patch(color=MISSING)], ["该期无在团团员（不计入）"])
    return fig


def study_learners(cat: Catalogue) -> Figure | None:
    """Per period: all learners (incl. non-members) vs members who studied, and the members expected."""
    t = _table(cat, "study_periods", "date", "learners")
    if t is None:
        return None
    t = t.sort_values(["date", "period"] if "period" in t.columns else "date")
    fig, ax = new_figure(8.5)
    x = np.arange(len(t))
    handles = [ax.bar(x, t["learners"], width=0.8, color=_tint(STUDY, 0.62))]
    labels = ["参学人数（含非团员青年）"]
    if "numerator" in t.columns:
        handles.append(ax.bar(x, t["numerator"], width=0.5, color=STUDY))
        labels.append("其中：参学团员")
    if "denominator" in t.columns:
        (line,) = ax.step(x, t["denominator"], where="mid", color=TARGET, linewidth=1.0, linestyle="--")
        handles.append(line)
        labels.append("应参学团员（当期在团团员）")
    ax.set_xlim(-0.7, len(t) - 0.3)
    _period_month_ticks(ax, t["date"])
    ax.set_xlabel(f"期次（按日期排列，共{len(t)}期）")
    top = max(t["learners"].max(), t["denominator"].max() if "denominator" in t.columns else 0)
    ax.set_ylim(0, top * 1.12)
    ax.set_ylabel("人数（人）")
    ax.set_title(f"{cat.year}年青年大学习各期参学人数")
    _legend_below(fig, handles, labels)
    return fig


def cadre_checkin(cat: Catalogue) -> Figure | None:
    """团干部每月学习打卡: the rate per month with n/N, the yearly mean and the target."""
    t = _table(cat, "cadre_by_month", "month", "numerator", "denominator", "rate")
    if t is None:
        return None
    t = t.sort_values("month")
    fig, ax = new_figure(8.5)
    x = np.arange(len(t))
    bars = ax.bar(x, t["rate"], width=0.74, color=BUILDING, zorder=3)
    ax.set_xticks(x, [f"{m.month}月" for m in pd.to_datetime(t["month"])])
    ax.tick_params(axis="x", length=0)
    percent_axis(ax, "y")
    handles: list = []
    labels: list[str] = []
    mean = cat.headline.get("cadre.checkin_rate")
    if mean is not None:
        handles.append(
            ax.axhline(mean, color=_shade(BUILDING, 0.45), linewidth=1.1, linestyle=":", zorder=2.5)
        )
        labels.append(f"全年平均 {_pct(mean)}")
    target = cat.targets.checkin_rate_target
    if target is not None:
        add_target_line(ax, target, _target_label(target), "horizontal")
    texts = [
        f"{_pct(r, digits=0)}\n{n}/{d}"
        for r, n, d in zip(t["rate"], t["numerator"], t["denominator"], strict=True)
    ]
    _inside_labels(ax, bars, texts)
    ax.set_ylabel("打卡率（%）")
    ax.set_xlabel("月份（标注：打卡率，已打卡人数/月末在任团干部数）")
    ax.set_title(f"{cat.year}年团干部每月学习打卡率")
    if handles:
        _legend_below(fig, handles, labels)
    return fig


# --- 活动与志愿服务 ------------------------------------------------------------------------------------


def activities_by_section(cat: Catalogue) -> Figure | None:
    """Activities per report section, this year (section colours) against last year (grey)."""
    sections = [s for s in SECTION_COLORS if f"act.count.{s}" in cat.headline]
    if not sections:
        return None
    with_previous = [f"act.count.{s}" in cat.previous for s in sections]
    has_previous = any(with_previous)
    fig, ax = new_figure(8.5)
    x = np.arange(len(sections))
    width = 0.38 if has_previous else 0.55
    offset = width / 2 + 0.01 if has_previous else 0.0
    if has_previous:
        prev = [float(cat.previous.get(f"act.count.{s}", np.nan)) for s in sections]
        prev_bars = ax.bar(x - offset, prev, width=width, color=YEAR_COLORS["previous"])
    current = [float(cat.headline[f"act.count.{s}"]) for s in sections]
    bars = ax.bar(x + offset, current, width=width, color=[SECTION_COLORS[s] for s in sections])
    ax.set_xticks(x, [wrap_label(cat.section_label(s), 5) for s in sections])
    ax.tick_params(axis="x", length=0)
    _integer_axis(ax)
    if has_previous:
        bar_labels(ax, prev_bars, fmt=_count)
    bar_labels(ax, bars, fmt=_count)
    ax.set_ylabel("开展活动（次）")
    total = cat.headline.get("act.count")
    suffix = f"（共{_count(total)}次）" if total is not None else ""
    ax.set_title(f"{cat.year}年各板块开展活动次数{suffix}")
    if has_previous:
        now = tuple(Patch(color=SECTION_COLORS[s]) for s in sections)
        handles = [Patch(color=YEAR_COLORS["previous"]), now]
        labels = [f"{cat.year - 1}年", f"{cat.year}年"]
        _legend_below(fig, handles, labels, handler_map={tuple: HandlerTuple(ndivide=None, pad=0)})
    return fig


def activities_by_month(cat: Catalogue) -> Figure | None:
    """Activities per month, stacked by section, monthly total labelled."""
    t = _table(cat, "act_section_month", "section")
    if t is None:
        return None
    months = sorted(
        (int(m.group(1)), c) for c in t.columns if (m := _MONTH_COLUMN.fullmatch(str(c))) is not None
    )
    if not months:
        return None
    t = t.set_index("section")
    order = [s for s in SECTION_COLORS if s in t.index] + [s for s in t.index if s not in SECTION_COLORS]
    data = t.reindex(order)[[c for _, c in months]].fillna(0).astype(float)
    fig, ax = new_figure(8.5)
    x = np.arange(len(months))
    bottom = np.zeros(len(months))
    container = None
    for section, row in data.iterrows():
        container = ax.bar(
            x,
            row.to_numpy(),
            bottom=bottom,
            width=0.66,
            color=SECTION_COLORS.get(section, GREY),
            label=cat.section_label(str(section)),
        )
        bottom = bottom + row.to_numpy()
    ax.set_xticks(x, [f"{m}月" for m, _ in months])
    ax.tick_params(axis="x", length=0)
    _integer_axis(ax)
    if container is not None:
        bar_labels(ax, container, fmt=_labels([_count(v) for v in bottom]))
    ax.set_ylabel("开展活动（次）")
    ax.set_title(f"{cat.year}年各月开展活动次数（按板块）")
    handles, labels = ax.get_legend_handles_labels()
    _legend_below(fig, handles, labels, ncols=4 if len(handles) > 2 else None)
    return fig


def activities_by_organiser(cat: Catalogue) -> Figure | None:
    """Activities per organiser (branches and the 镇团委), person-times in the labels."""
    t = _table(cat, "act_by_organiser", "organiser", "activities")
    if t is None:
        return None
    t, note = _cap(t.sort_values("activities", ascending=False, kind="stable"), "组织者")
    fig, ax = new_figure(height_for_rows(len(t), _row_cm(t["organiser"]), 2.6), value_axis="x")
    y = _branch_ticks(ax, t["organiser"].tolist())
    bars = ax.barh(y, t["activities"], height=0.62, color=NEUTRAL)
    _integer_axis(ax, "x")
    if "person_times" in t.columns:
        texts = [
            f"{_count(a)}次（{_count(p)}人次）"
            for a, p in zip(t["activities"], t["person_times"].fillna(0), strict=True)
        ]
    else:
        texts = [f"{_count(a)}次" for a in t["activities"]]
    bar_labels(ax, bars, fmt=_labels(texts))
    ax.set_xlabel("开展活动（次）")
    ax.set_title(f"{cat.year}年各组织者开展活动次数及参与人次{note}")
    return fig


def volunteer_hours_by_month(cat: Catalogue) -> Figure | None:
    """Volunteer hours per month (activities of the year), the year's total in the title."""
    t = _table(cat, "act_list", "date", "volunteer_hours")
    if t is None:
        return None
    dated = t.dropna(subset=["date"])
    hours = (
        dated.groupby(pd.to_datetime(dated["date"]).dt.month)["volunteer_hours"]
        .sum()
        .reindex(range(1, 13), fill_value=0.0)
    )
    if not (hours > 0).any():
        return None
    fig, ax = new_figure(8.0)
    x = np.arange(12)
    bars = ax.bar(x, hours.to_numpy(dtype=float), width=0.62, color=VOLUNTEER)
    ax.set_xticks(x, [f"{m}月" for m in range(1, 13)])
    ax.tick_params(axis="x", length=0)
    bar_labels(ax, bars, fmt=formatting.number)
    total = cat.headline.get("act.volunteer_hours", float(hours.sum()))
    ax.set_ylabel("志愿服务时长（小时）")
    ax.set_title(f"{cat.year}年各月志愿服务时长（全年共{cat.info('act.volunteer_hours').format(total)}小时）")
    return fig


def top_activities(cat: Catalogue) -> Figure | None:
    """The activities with the most participants, coloured by section (organiser and date labelled)."""
    t = _table(cat, "act_top", "name", "participants")
    if t is None:
        return None
    t = t.assign(participants=t["participants"].fillna(0)).sort_values(
        "participants", ascending=False, kind="stable"
    )
    names = []
    for _, row in t.iterrows():
        date = pd.to_datetime(row.get("date"))
        name = wrap_label(str(row["name"]), 10)
        names.append(f"{name}\n{date.month}月{date.day}日" if pd.notna(date) else name)
    sections = t["section"] if "section" in t.columns else pd.Series([None] * len(t), index=t.index)
    fig, ax = new_figure(height_for_rows(len(t), 0.78, 3.2), value_axis="x")
    y = np.arange(len(t))
    ax.set_yticks(y, names)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(len(t) - 0.5, -0.5)
    bars = ax.barh(
        y, t["participants"].astype(float), height=0.62, color=[SECTION_COLORS.get(s, GREY) for s in sections]
    )
    _integer_axis(ax, "x")
    if "organiser" in t.columns:
        texts = [
            f"{_count(p)}人（{o}）"
            for p, o in zip(t["participants"], t["organiser"].fillna("—"), strict=True)
        ]
    else:
        texts = [f"{_count(p)}人" for p in t["participants"]]
    bar_labels(ax, bars, fmt=_labels(texts))
    ax.set_xlabel("参与人数（人）")
    ax.set_title(f"{cat.year}年参与人数最多的{len(t)}项活动")
    present = [s for s in SECTION_COLORS if s in set(sections)]
    if present:
        _legend_below(
            fig, [Patch(color=SECTION_COLORS[s]) for s in present], [cat.section_label(s) for s in present]
        )
    return fig


# --- 发展团员 ------------------------------------------------------------------------------------------


def recruitment_funnel(cat: Catalogue) -> Figure | None:
    """People reaching each recruitment stage in the year, as a centred funnel; the quota on 入团."""
    t = _table(cat, "rec_funnel", "stage", "people")
    if t is None:
        return None
    t = _ordered_distribution(t, "stage", STAGE_LABELS)
    people = t["people"].to_numpy(dtype=float)
    quota = _quota(cat)
    span = max([*people, quota or 0, 1.0])
    fig, ax = new_figure(height_for_rows(len(t), 1.0, 3.2), value_axis="x")
    ax.grid(False)
    y = _branch_ticks(ax, t["stage"].tolist(), width=10)
    colors = [STAGE_COLORS.get(s, BUILDING) for s in t["stage"]]
    ax.barh(y, people, left=-people / 2, height=0.66, color=colors)
    for yi, n in zip(y, people, strict=True):
        ax.text(
            max(n, quota or 0) / 2 + span * 0.03, yi, f"{_count(n)}人", va="center", ha="left", fontsize=9
        )
    if quota is not None and "入团" in set(t["stage"]):
        yi = y[t["stage"].tolist().index("入团")]
        ax.add_patch(
            Rectangle(
                (-quota / 2, yi - 0.4),
                quota,
                0.8,
                fill=False,
                edgecolor=TARGET,
                linewidth=1.2,
                linestyle=(0, (3, 2)),
                zorder=3,
            )
        )
        done = quota_status(int(people[t["stage"].tolist().index("入团")]), int(quota))
        handle = Rectangle((0, 0), 1, 1, fill=False, edgecolor=TARGET, linewidth=1.2, linestyle=(0, (3, 2)))
        _legend_below(fig, [handle], [f"虚线框：本年发展团员指标 {_count(quota)} 名（{done}）"])
    ax.set_xlim(-span / 2 - span * 0.05, span / 2 + span * 0.3)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.set_title(f"{cat.year}年发展团员各阶段人数")
    ax.set_xlabel(
        "注：各阶段为本年内到达该阶段的人数，不是同一批人的逐级留存。", fontsize=7.5, color="#595959"
    )
    return fig


def recruitment_vs_quota(cat: Catalogue) -> Figure | None:
    """New members against the quota, last year and this year; 已完成 / 未完成 labelled."""
    if "rec.new_members" not in cat.headline:
        return None
    rows = []  # (year label, new members, quota, colour)
    if "rec.new_members" in cat.previous:
        rows.append(
            (
                f"{cat.year - 1}年",
                cat.previous["rec.new_members"],
                cat.previous.get("rec.quota"),
                YEAR_COLORS["previous"],
            )
        )
    rows.append((f"{cat.year}年", cat.headline["rec.new_members"], _quota(cat), YEAR_COLORS["current"]))
    fig, ax = new_figure(7.5)
    x = np.arange(len(rows))
    values = [float(r[1]) for r in rows]
    quotas = [None if r[2] is None else float(r[2]) for r in rows]
    ax.bar(x, values, width=0.45, color=[r[3] for r in rows])
    marker = None
    for xi, value, q in zip(x, values, quotas, strict=True):
        if q is not None:
            (marker,) = ax.plot(
                [xi - 0.32, xi + 0.32], [q, q], color=TARGET, linewidth=1.8, linestyle=(0, (3, 1.5)), zorder=3
            )
        status = quota_status(int(value), None if q is None else int(q))
        text = f"{_count(value)}名" + (f"（指标{_count(q)}名，{status}）" if status else "")
        top = value if q is None else max(value, q)
        ax.annotate(text, (xi, top), xytext=(0, 4), textcoords="offset points", ha="center", va="bottom")
    top = max([*values, *(q for q in quotas if q is not None), 1.0])
    ax.set_ylim(0, top * 1.2)
    ax.set_xlim(-0.8, len(rows) - 0.2)
    ax.set_xticks(x, [r[0] for r in rows])
    ax.tick_params(axis="x", length=0)
    _integer_axis(ax)
    ax.set_ylabel("发展团员（名）")
    ax.set_title(f"{cat.year}年发展团员完成情况" + ("（与上年对比）" if len(rows) > 1 else ""))
    if marker is not None:
        _legend_below(fig, [marker], ["虚线：发展团员指标"])
    return fig


def recruitment_by_branch(cat: Catalogue) -> Figure | None:
    """Per branch: people reaching each recruitment stage in the year, stacked."""
    t = _table(cat, "rec_by_branch", "branch")
    if t is None:
        return None
    stages = [s for s in STAGE_LABELS if s in t.columns]
    if not stages:
        return None
    t = t.assign(_total=t[stages].sum(axis=1)).sort_values(["_total", "branch"], ascending=[False, True])
    t, note = _cap(t, "团支部")
    fig, ax = new_figure(height_for_rows(len(t), _row_cm(t["branch"]), 3.4), value_axis="x")
    y = _branch_ticks(ax, t["branch"].tolist())
    left = np.zeros(len(t))
    for stage in stages:
        values = t[stage].to_numpy(dtype=float)
        bars = ax.barh(y, values, left=left, height=0.62, color=STAGE_COLORS[stage], label=stage)
        ax.bar_label(
            bars,
            labels=[_count(v) if v > 0 else "" for v in values],
            label_type="center",
            fontsize=7.5,
            color=_text_color(STAGE_COLORS[stage]),
        )
        left = left + values
    _integer_axis(ax, "x")
    ax.set_xlim(0, max(left.max(), 1) * 1.05)
    ax.set_xlabel("人数（人次，同一人本年内可到达多个阶段）")
    ax.set_title(f"{cat.year}年各团支部发展团员各阶段人数{note}")
    handles, labels = ax.get_legend_handles_labels()
    _legend_below(fig, handles, labels)
    return fig


# --- 爱心助学 ------------------------------------------------------------------------------------------


def aid_by_programme(cat: Catalogue) -> Figure | None:
    """Aid amount (元) per programme, recipients labelled."""
    t = _table(cat, "aid_by_programme", "programme", "amount")
    if t is None:
        return None
    t = t.sort_values("amount", ascending=False)
    fig, ax = new_figure(height_for_rows(len(t), 0.8, 3.0), value_axis="x")
    y = _branch_ticks(ax, t["programme"].tolist())
    bars = ax.barh(y, t["amount"].astype(float), height=0.58, color=VOLUNTEER)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _count(v)))
    if "recipients" in t.columns:
        texts = [f"{_money(v)}元（{_count(r)}人）" for v, r in zip(t["amount"], t["recipients"], strict=True)]
    else:
        texts = [f"{_money(v)}元" for v in t["amount"]]
    bar_labels(ax, bars, fmt=_labels(texts))
    ax.set_xlabel("资助金额（元）")
    amount, recipients = cat.headline.get("aid.amount"), cat.headline.get("aid.recipients")
    total = (
        f"（共{_money(amount)}元、{_count(recipients)}人）"
        if amount is not None and recipients is not None
        else ""
    )
    ax.set_title(f"{cat.year}年爱心助学各项目资助金额{total}")
    return fig


# --- registry ------------------------------------------------------------------------------------------

CHARTS: dict[str, ChartFunction] = {
    "00_data_coverage": data_coverage,
    "01_overview_yoy": overview_yoy,
    "10_members_by_branch": members_by_branch,
    "11_age_structure": age_structure,
    "12_political_status": political_status,
    "13_ratings_distribution": ratings_distribution,
    "14_review_distribution": review_distribution,
    "20_study_trend": study_trend,
    "21_study_rate_by_branch": study_rate_by_branch,
    "22_study_heatmap": study_heatmap,
    "23_study_learners": study_learners,
    "24_cadre_checkin": cadre_checkin,
    "30_activities_by_section": activities_by_section,
    "31_activities_by_month": activities_by_month,
    "32_activities_by_organiser": activities_by_organiser,
    "33_volunteer_hours_by_month": volunteer_hours_by_month,
    "34_top_activities": top_activities,
    "40_recruitment_funnel": recruitment_funnel,
    "41_recruitment_vs_quota": recruitment_vs_quota,
    "42_recruitment_by_branch": recruitment_by_branch,
    "50_aid_by_programme": aid_by_programme,
}
