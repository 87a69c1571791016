"""The annual report's charts (`analysis.charts.figures`) on the bundled sample town and on small
hand-built tables: every chart renders without missing glyphs, has a Chinese title and readable,
non-overlapping labels; a few charts are checked bar by bar against numbers worked out by hand."""

from __future__ import annotations

import dataclasses
import io
import re
import warnings
from collections.abc import Iterator

import matplotlib
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

matplotlib.use("agg")

from analysis.charts import SECTION_COLORS, YEAR_COLORS, figures, wrap_label
from analysis.common import paths
from analysis.common.config import YearTargets
from analysis.indicators.catalogue import Catalogue

CJK = re.compile(r"[\u4e00-\u9fff]")

EXPECTED_NAMES = [
    "00_data_coverage",
    "01_overview_yoy",
    "10_members_by_branch",
    "11_age_structure",
    "12_political_status",
    "13_ratings_distribution",
    "14_review_distribution",
    "20_study_trend",
    "21_study_rate_by_branch",
    "22_study_heatmap",
    "23_study_learners",
    "24_cadre_checkin",
    "30_activities_by_section",
    "31_activities_by_month",
    "32_activities_by_organiser",
    "33_volunteer_hours_by_month",
    "34_top_activities",
    "40_recruitment_funnel",
    "41_recruitment_vs_quota",
    "42_recruitment_by_branch",
    "50_aid_by_programme",
]

# The table(s) each table-based chart needs; without them the chart is None.
NEEDS = {
    "10_members_by_branch": "org_by_branch",
    "11_age_structure": "org_by_age",
    "12_political_status": "org_by_political",
    "13_ratings_distribution": "ratings_distribution",
    "14_review_distribution": "reviews_distribution",
    "20_study_trend": "study_periods",
    "21_study_rate_by_branch": "study_ranking",
    "22_study_heatmap": "study_matrix",
    "23_study_learners": "study_periods",
    "24_cadre_checkin": "cadre_by_month",
    "31_activities_by_month": "act_section_month",
    "32_activities_by_organiser": "act_by_organiser",
    "33_volunteer_hours_by_month": "act_list",
    "34_top_activities": "act_top",
    "40_recruitment_funnel": "rec_funnel",
    "42_recruitment_by_branch": "rec_by_branch",
    "50_aid_by_programme": "aid_by_programme",
}


@pytest.fixture(scope="module")
def cat(sample_catalogue: Catalogue) -> Catalogue:
    """The sample town's 2022 catalogue (computed once per session from a temporary processed folder)."""
    return sample_catalogue


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _with(cat: Catalogue, **changes) -> Catalogue:
    """A copy of the shared catalogue (never mutate the module fixture)."""
    return dataclasses.replace(cat, tables=dict(cat.tables), **changes)


def _render(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" is a UserWarning
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def _titles(fig: Figure) -> list[str]:
    titles = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    titles += [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right")]
    return [t for t in titles if t]


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def _overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of visible labels (ticks, value labels, titles, reference-line labels) of one axes that overlap."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    found = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts = [*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts, ax.title]
        texts += [t for child in ax.child_axes for t in (*child.get_xticklabels(), *child.get_yticklabels())]
        boxes = [
            (t.get_text(), t.get_window_extent(renderer).shrunk(0.97, 0.9))
            for t in texts
            if t.get_visible() and t.get_text().strip()
        ]
        for i, (a, box_a) in enumerate(boxes):
            found += [(a, b) for b, box_b in boxes[i + 1 :] if box_a.overlaps(box_b)]
    return found


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_height() > 0]


# --- every chart ---------------------------------------------------------------------------------------


def test_registry_names_every_chart_in_report_order() -> None:
    assert list(figures.CHARTS) == EXPECTED_NAMES
    # each figure's file name is its function's name after the number
    assert {name: fn.__name__ for name, fn in figures.CHARTS.items()} == {n: n[3:] for n in EXPECTED_NAMES}


def test_notebooks_save_every_chart_under_its_registered_name() -> None:
    """The notebooks call ``sec.figure(charts.<function>(cat), "<NN_name>", …)``: the same pairs as CHARTS."""
    import json

    pairs = {}
    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("[0-9]*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        source = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        pairs |= dict(re.findall(r'charts\.(\w+)\(cat\), "(\w+)"', source))
    assert {name: fn for fn, name in pairs.items()} == {n: fn.__name__ for n, fn in figures.CHARTS.items()}


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_chart_renders_with_chinese_title_and_no_overlapping_labels(cat: Catalogue, name: str) -> None:
    fig = figures.CHARTS[name](cat)
    assert isinstance(fig, Figure), f"{name} returned {fig!r} on the sample town"
    assert _render(fig).startswith(b"\x89PNG")
    titles = _titles(fig)
    assert titles and any(CJK.search(t) for t in titles), titles
    assert any("2022" in t for t in titles), titles
    assert _overlaps(fig) == []


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_chart_renders_without_previous_year_and_targets(cat: Catalogue, name: str) -> None:
    bare = _with(
        cat,
        previous={},
        targets=YearTargets(),
        headline={k: v for k, v in cat.headline.items() if k != "rec.quota"},
    )
    fig = figures.CHARTS[name](bare)
    assert fig is not None
    _render(fig)
    texts = _texts(fig)
    # no target/quota label or marker legend, no last year
    assert not [t for t in texts if re.search(r"目标 \d|指标 ?\d|虚线|2021|上年", t)], texts
    assert _overlaps(fig) == []


@pytest.mark.parametrize(("name", "table"), NEEDS.items())
def test_chart_is_none_without_its_table(cat: Catalogue, name: str, table: str) -> None:
    assert figures.CHARTS[name](_with(cat)) is not None
    without = _with(cat)
    del without.tables[table]
    assert figures.CHARTS[name](without) is None
    empty = _with(cat)
    empty.tables[table] = cat.tables[table].iloc[0:0]
    assert figures.CHARTS[name](empty) is None


def test_headline_charts_are_none_without_their_keys(cat: Catalogue) -> None:
    nothing = _with(cat, headline={}, previous={})
    assert figures.overview_yoy(nothing) is None
    assert figures.activities_by_section(nothing) is None
    assert figures.recruitment_vs_quota(nothing) is None


# --- 数据完整性 -------------------------------------------------------------------------------------------


def _legend_texts(fig: Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def _marks(ax) -> dict[tuple[int, int], Rectangle]:
    """(row, column) → the mark drawn on a coverage cell (hatch: no record; outline: far too few)."""
    return {
        (round(p.get_y() + 0.5), round(p.get_x() + 0.5)): p for p in ax.patches if isinstance(p, Rectangle)
    }


def test_coverage_legend_lists_only_what_the_chart_shows(cat: Catalogue) -> None:
    fig = figures.data_coverage(cat)  # the sample: every export complete, nobody missing
    assert _legend_texts(fig) == []
    assert all(not _marks(ax) for ax in fig.axes if ax.get_title(loc="left"))


def test_coverage_tells_a_missing_export_from_zero_percent(cat: Catalogue) -> None:
    """Check-ins: June's export left out (no row for any branch), 塔岗村团支部's March rows removed, its
    April rows kept but nobody checked in (0%). June and 塔岗村's March are hatched; April is a plain
    white 0% cell labelled "0%"; the legend explains the hatch and nothing else."""
    checkin = cat.tables["coverage_checkin"]
    checkin = checkin[checkin["月份"] != "2022年6月"].copy()
    march = (checkin["月份"] == "2022年3月") & (checkin["团支部"] == "塔岗村团支部")
    april = (checkin["月份"] == "2022年4月") & (checkin["团支部"] == "塔岗村团支部")
    checkin.loc[march, ["记录数", "已打卡"]] = 0
    checkin.loc[april, "已打卡"] = 0
    changed = _with(cat)
    changed.tables["coverage_checkin"] = checkin
    fig = figures.data_coverage(changed)
    ax = next(a for a in fig.axes if a.get_title(loc="left").startswith("团干部学习打卡"))
    branches = [t.get_text().replace("\n", "") for t in ax.get_yticklabels()]
    row = branches.index("塔岗村团支部")
    marks = _marks(ax)
    assert marks[(row, 2)].get_hatch() == "////"  # March: no record at all
    assert all(marks[(r, 5)].get_hatch() == "////" for r in range(len(branches)))  # June: no export
    assert (row, 3) not in marks  # April: rows present, 0% checked in
    assert any(t.get_text() == "0%" and t.get_position() == (3, row) for t in ax.texts)
    assert _legend_texts(fig) == ["没有任何记录：可能缺少导出"]
    _render(fig)


# --- overview ------------------------------------------------------------------------------------------


def test_overview_compares_six_headlines_with_last_year(cat: Catalogue) -> None:
    fig = figures.overview_yoy(cat)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [
        "团员总数（人）",
        "开展活动（次）",
        "活动参与（人次）",
        "志愿服务时长（小时）",
        "团员参学率（%）",
        "发展团员（名）",
    ]
    for ax in panels:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2021年", "2022年"]
        assert [to_hex(b.get_facecolor()) for b in _bars(ax)] == [
            to_hex(YEAR_COLORS["previous"]),
            to_hex(YEAR_COLORS["current"]),
        ]
    # 团员总数: 300 both years (sample) → bars 300 and 300
    assert [b.get_height() for b in _bars(panels[0])] == [300, 300]
    assert "与上年对比" in fig._suptitle.get_text()


def test_overview_without_previous_year_shows_this_year_only(cat: Catalogue) -> None:
    fig = figures.overview_yoy(_with(cat, previous={}))
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 6
    for ax in panels:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2022年"]
        assert len(_bars(ax)) == 1
    assert fig._suptitle.get_text() == "2022年主要工作指标"
    _render(fig)


def test_overview_leaves_out_panels_whose_key_is_missing(cat: Catalogue) -> None:
    headline = {k: v for k, v in cat.headline.items() if not k.startswith(("act.", "rec."))}
    fig = figures.overview_yoy(_with(cat, headline=headline))
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == [
        "团员总数（人）",
        "团员参学率（%）",
    ]


# --- org -----------------------------------------------------------------------------------------------


def test_members_by_branch_stacks_cadres_and_others_largest_first(cat: Catalogue) -> None:
    # 甲: 10 members of whom 2 cadres; 乙: 25 / 3; 丙: no member left → order 乙, 甲, 丙
    small = _with(cat)
    small.tables["org_by_branch"] = pd.DataFrame(
        {
            "branch": ["甲团支部", "乙团支部", "丙团支部"],
            "members": [10, 25, 0],
            "cadres": [2, 3, 0],
            "overage": 0,
        }
    )
    fig = figures.members_by_branch(small)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["乙团支部", "甲团支部", "丙团支部"]
    cadres, others = ax.containers
    assert list(cadres.datavalues) == [3, 2, 0]
    assert list(others.datavalues) == [22, 8, 0]
    assert [t.get_text() for t in ax.texts] == ["25", "10", "0"]
    assert "共35人" in ax.get_title()


def test_members_by_branch_totals_match_the_table(cat: Catalogue) -> None:
    fig = figures.members_by_branch(cat)
    (ax,) = fig.axes
    cadres, others = ax.containers
    names = [t.get_text().replace("\n", "") for t in ax.get_yticklabels()]
    totals = dict(zip(names, cadres.datavalues + others.datavalues, strict=True))
    expected = cat.tables["org_by_branch"].set_index("branch")["members"].to_dict()
    assert totals == expected
    assert list(totals.values()) == sorted(totals.values(), reverse=True)


# --- study ---------------------------------------------------------------------------------------------


def test_study_rate_by_branch_one_sorted_bar_per_branch_coloured_by_band(cat: Catalogue) -> None:
    ranking = cat.tables["study_ranking"]
    fig = figures.study_rate_by_branch(cat)
    ax = fig.axes[0]
    (bars,) = ax.containers
    assert len(bars) == len(ranking) == 12
    # y grows downwards (first = top): widths must not increase from top to bottom
    widths = [p.get_width() for p in sorted(bars, key=lambda p: p.get_y())]
    assert widths == sorted(widths, reverse=True)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [wrap_label(b) for b in ranking.sort_values("rate", ascending=False)["branch"]]
    colours = {to_hex(p.get_facecolor()) for p in bars}
    assert len(colours) == ranking["band"].nunique()
    texts = _texts(fig)
    assert "目标 90%" in texts
    assert any(t.startswith("全镇平均 ") for t in texts)


def test_study_rate_by_branch_draws_no_target_when_none_is_configured(cat: Catalogue) -> None:
    fig = figures.study_rate_by_branch(_with(cat, targets=YearTargets()))
    assert not any("目标" in t for t in _texts(fig))
    assert fig.axes[0].child_axes == []


def test_study_heatmap_is_branch_by_period_in_date_order(cat: Catalogue) -> None:
    matrix = cat.tables["study_matrix"]
    fig = figures.study_heatmap(cat)
    ax = fig.axes[0]
    (image,) = ax.images
    assert image.get_array().shape == (matrix["branch"].nunique(), matrix["period"].nunique())
    assert image.get_clim() == (0.0, 1.0)
    months = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert months[0] == "1月" and months[-1] == "12月"
    assert [int(m[:-1]) for m in months] == sorted(int(m[:-1]) for m in months)
    assert len(months) <= 12  # sparse: one per month at most, never one per period


def test_study_learners_shows_all_learners_and_member_learners(cat: Catalogue) -> None:
    periods = cat.tables["study_periods"].sort_values(["date", "period"])
    fig = figures.study_learners(cat)
    ax = fig.axes[0]
    everyone, members = ax.containers
    assert list(everyone.datavalues) == periods["learners"].tolist()
    assert list(members.datavalues) == periods["numerator"].tolist()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0] == "参学人数（含非团员青年）" and legend[1] == "其中：参学团员"


# --- activities ----------------------------------------------------------------------------------------


def test_activities_by_section_colours_sections_and_greys_last_year(cat: Catalogue) -> None:
    fig = figures.activities_by_section(cat)
    ax = fig.axes[0]
    previous, current = ax.containers
    order = ["ideology", "volunteer", "youth_service", "self_building"]
    assert [to_hex(p.get_facecolor()) for p in current] == [to_hex(SECTION_COLORS[s]) for s in order]
    assert {to_hex(p.get_facecolor()) for p in previous} == {to_hex(YEAR_COLORS["previous"])}
    # sample headline: 2022 = 19 / 16 / 10 / 10, 2021 = 17 / 14 / 9 / 8
    assert list(current.datavalues) == [19, 16, 10, 10]
    assert list(previous.datavalues) == [17, 14, 9, 8]


def test_activities_by_month_labels_monthly_totals(cat: Catalogue) -> None:
    # 1月: 2 + 0 = 2; 2月: 0 + 1 = 1; 3月: 3 + 2 = 5 (only three months exported)
    small = _with(cat)
    small.tables["act_section_month"] = pd.DataFrame(
        {"section": ["ideology", "volunteer"], "1月": [2, 0], "2月": [0, 1], "3月": [3, 2]}
    )
    fig = figures.activities_by_month(small)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["2", "1", "5"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1月", "2月", "3月"]
    ideology, volunteer = ax.containers
    assert {to_hex(p.get_facecolor()) for p in ideology} == {to_hex(SECTION_COLORS["ideology"])}
    assert {to_hex(p.get_facecolor()) for p in volunteer} == {to_hex(SECTION_COLORS["volunteer"])}


def test_volunteer_hours_by_month_sums_the_activity_list(cat: Catalogue) -> None:
    # 1月: 12 + 3.5 = 15.5 h; 3月: 40 h; an activity without hours adds nothing; other months 0
    small = _with(cat, headline={**cat.headline, "act.volunteer_hours": 55.5})
    small.tables["act_list"] = pd.DataFrame(
        {
            "date": pd.to_datetime(["2022-01-05", "2022-01-20", "2022-03-12", "2022-04-01"]),
            "section": ["volunteer", "volunteer", "volunteer", "ideology"],
            "volunteer_hours": [12.0, 3.5, 40.0, 0.0],
        }
    )
    fig = figures.volunteer_hours_by_month(small)
    ax = fig.axes[0]
    (bars,) = ax.containers
    assert list(bars.datavalues) == [15.5, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert "全年共55.5小时" in ax.get_title()


# --- recruitment ---------------------------------------------------------------------------------------


def test_recruitment_vs_quota_labels_done_and_not_done(cat: Catalogue) -> None:
    # 2021: 3 new members, quota 3 → 已完成; 2022: 2 new members, quota 6 → 未完成
    changed = _with(
        cat,
        headline={**cat.headline, "rec.new_members": 2, "rec.quota": 6},
        previous={**cat.previous, "rec.new_members": 3, "rec.quota": 3},
        targets=YearTargets(recruitment_quota=6),
    )
    fig = figures.recruitment_vs_quota(changed)
    texts = _texts(fig)
    assert "3名（指标3名，已完成）" in texts
    assert "2名（指标6名，未完成）" in texts
    ax = fig.axes[0]
    assert [b.get_height() for b in _bars(ax)] == [3, 2]
    assert _overlaps(fig) == []


def test_recruitment_funnel_draws_the_quota_on_the_joined_bar(cat: Catalogue) -> None:
    fig = figures.recruitment_funnel(cat)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "递交入团申请书",
        "确定为入团积极分子",
        "确定为发展对象",
        "入团",
    ]
    # sample: 6 / 5 / 6 / 4 people; quota 4 drawn as an outline box on the 入团 row (y = 3)
    filled = [p for p in _bars(ax) if p.get_fill()]
    assert [p.get_width() for p in filled] == [6, 5, 6, 4]
    (box,) = [p for p in ax.patches if not p.get_fill()]
    assert box.get_width() == 4 and abs(box.get_y() + box.get_height() / 2 - 3) < 1e-9
    assert any("指标 4 名（已完成）" in t for t in _texts(fig))
    bare = figures.recruitment_funnel(
        _with(
            cat, targets=YearTargets(), headline={k: v for k, v in cat.headline.items() if k != "rec.quota"}
        )
    )
    assert not [p for p in bare.axes[0].patches if not p.get_fill()]
