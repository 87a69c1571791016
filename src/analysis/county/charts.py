"""Charts of the county report, in the annual report's style (fonts, colours, A4 column width).

Each function only plots tables of ``analysis.county.rollup`` (no number is computed here) and returns
None when the numbers it needs are absent. Towns are rows; more than ``MAX_ROWS`` towns are capped the
way the town report caps branches (the complete tables are in county.xlsx).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from analysis.charts.figures import (
    BAND_COLORS,
    BAND_LABELS,
    MAX_ROWS,
    MISSING,
    NEUTRAL,
    STUDY_RATE_CMAP,
    _branch_ticks,
    _cap,
    _legend_below,
    _row_cm,
    _target_label,
    _text_color,
    _tint,
)
from analysis.charts.style import (
    TARGET,
    add_target_line,
    bar_labels,
    height_for_rows,
    new_figure,
    percent_axis,
)
from analysis.common import formatting
from analysis.indicators.keys import info
from analysis.indicators.study import rate_band

# The indicators of the towns × indicators chart, and whether a higher value is better.
KEY_INDICATORS: tuple[tuple[str, str, bool], ...] = (
    ("org.members", "团员", True),
    ("study.member_rate", "参学率", True),
    ("study.never", "全年未参学", False),
    ("cadre.checkin_rate", "干部打卡率", True),
    ("act.count", "活动次数", True),
    ("act.volunteer_hours", "志愿时长", True),
    ("rec.new_members", "发展团员", True),
)


def town_study_rate(
    towns: pd.DataFrame, year: int, total: float | None, target: float | None
) -> Figure | None:
    """Mean member 参学率 per town, high → low, coloured by band, with the county total and the target.

    ``towns``: columns town, study.member_rate (the comparison table without the county row)."""
    if "study.member_rate" not in towns.columns:
        return None
    t = towns[["town", "study.member_rate"]].dropna().rename(columns={"study.member_rate": "rate"})
    if t.empty:
        return None
    t, note = _cap(t.sort_values(["rate", "town"], ascending=[False, True]), "镇", extremes=True)
    bands = t["rate"].map(rate_band)
    fig, ax = new_figure(height_for_rows(len(t), _row_cm(t["town"]), 3.4), value_axis="x")
    y = _branch_ticks(ax, t["town"].tolist())
    bars = ax.barh(y, t["rate"], height=0.62, color=[BAND_COLORS[b] for b in bands])
    percent_axis(ax, "x")
    handles: list = []
    labels: list[str] = []
    if total is not None:
        handles.append(ax.axvline(total, color=TARGET, linewidth=1.0, linestyle=":", zorder=2.5))
        labels.append(f"全县 {formatting.percent(total)}")
    if target is not None:
        add_target_line(ax, target, _target_label(target))
    bar_labels(ax, bars, fmt=formatting.percent)
    present = [b for b in BAND_LABELS if b in set(bands)]
    handles += [Patch(color=BAND_COLORS[b]) for b in present]
    labels += present
    ax.set_xlabel("团员参学率（各期平均，%）")
    ax.set_title(f"{year}年各镇青年大学习团员参学率{note}")
    _legend_below(fig, handles, labels)
    return fig


def _display(key: str, value: float) -> str:
    if pd.isna(value):
        return "—"
    ki = info(key)
    return formatting.percent(value) if ki.kind == "rate" else formatting.count(value)


def town_indicators(towns: pd.DataFrame, year: int) -> Figure | None:
    """Towns × key indicators: each cell shows the town's value, shaded by the town's rank among the
    towns shown on that indicator (darker = better placed; fewer is better for 全年未参学). Towns in the
    order of the 参学率 chart; more than MAX_ROWS towns: the highest and lowest (county.xlsx has all)."""
    keys = [
        (k, label, up) for k, label, up in KEY_INDICATORS if k in towns.columns and towns[k].notna().any()
    ]
    if len(keys) < 2 or towns.empty:  # one indicator is a bar chart's job, not a grid's
        return None
    # the order of the 参学率 chart (high → low) when there is one, else by name; many towns: both ends
    if "study.member_rate" in towns.columns and towns["study.member_rate"].notna().any():
        t = towns.sort_values(["study.member_rate", "town"], ascending=[False, True], na_position="last")
        t, note = _cap(t, "镇", extremes=True)
    else:
        t, note = _cap(towns.sort_values("town"), "镇")
    values = t[[k for k, _, _ in keys]].to_numpy(dtype=float)
    # rank share 0 (last) … 1 (first) per column, among the towns shown
    shade = np.full(values.shape, np.nan)
    for j, (_, _, up) in enumerate(keys):
        col = pd.Series(values[:, j])
        n = col.notna().sum()
        if n == 0:
            continue
        ranks = col.rank(method="average", ascending=up)
        shade[:, j] = ((ranks - 1) / (n - 1)).to_numpy() if n > 1 else 1.0
    cmap = LinearSegmentedColormap.from_list(
        "rank", ["#F2F4F5", _tint(NEUTRAL, 0.45), NEUTRAL]
    ).with_extremes(bad="#FFFFFF")
    fig, ax = new_figure(height_for_rows(len(t), 0.62, 3.2), value_axis="x")
    ax.grid(False)
    ax.imshow(
        np.ma.masked_invalid(shade), aspect="auto", cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest"
    )
    for spine in ax.spines.values():
        spine.set_visible(False)
    _branch_ticks(ax, t["town"].tolist())
    ax.set_xticks(range(len(keys)), [label for _, label, _ in keys])
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    for i in range(values.shape[0]):
        for j, (key, _, _) in enumerate(keys):
            background = cmap(shade[i, j]) if np.isfinite(shade[i, j]) else (1, 1, 1, 1)
            ax.text(
                j,
                i,
                _display(key, values[i, j]),
                ha="center",
                va="center",
                fontsize=7.5,
                color=_text_color(background),
            )
    ax.set_title(f"{year}年各镇主要指标对比{note}", pad=22)
    fewer_better = any(not up for _, _, up in keys)
    _legend_below(
        fig,
        [Patch(color=cmap(1.0)), Patch(color=cmap(0.5)), Patch(color=cmap(0.0))],
        ["靠前", "居中", "靠后"],
        title="颜色：该项指标在各镇中的排位" + ("（全年未参学人数越少越靠前）" if fewer_better else ""),
    )
    return fig


def study_rate_by_month(monthly: pd.DataFrame, year: int, total_label: str) -> Figure | None:
    """参学率 by town × month (the mean of the month's per-period rates), the county row last, 0–100%."""
    if monthly.empty:
        return None
    towns = sorted(t for t in monthly["town"].unique() if t != total_label)
    note = ""
    if len(towns) > MAX_ROWS:
        mean = monthly[monthly["town"] != total_label].groupby("town")["rate"].mean().sort_values()
        towns = sorted(mean.index[:MAX_ROWS])
        note = f"（共{len(mean)}个镇，仅列年均参学率最低的{MAX_ROWS}个）"
    rows = towns + ([total_label] if total_label in set(monthly["town"]) else [])
    grid = monthly.pivot_table(index="town", columns="month", values="rate", aggfunc="first").reindex(
        index=rows, columns=range(1, 13)
    )
    fig, ax = new_figure(height_for_rows(len(rows), _row_cm(rows), 3.6), value_axis="x")
    ax.grid(False)
    image = ax.imshow(
        np.ma.masked_invalid(grid.to_numpy(dtype=float)),
        aspect="auto",
        cmap=STUDY_RATE_CMAP,
        vmin=0.0,
        vmax=1.0,
        interpolation="nearest",
    )
    for spine in ax.spines.values():
        spine.set_visible(False)
    _branch_ticks(ax, rows)
    if total_label in rows:
        ax.axhline(len(rows) - 1.5, color="white", linewidth=2.0)
    ax.set_xticks(range(12), [f"{m}月" for m in range(1, 13)])
    ax.tick_params(axis="x", length=0)
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, aspect=25)
    bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    bar.set_label("参学率（%）")
    bar.outline.set_visible(False)
    ax.set_xlabel("月份（当月各期参学率的平均）")
    ax.set_title(f"{year}年各镇青年大学习逐月参学率{note}")
    if grid.isna().to_numpy().any():
        _legend_below(fig, [Patch(color=MISSING)], ["当月无期次"])
    return fig
