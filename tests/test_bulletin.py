"""The 青年大学习 bulletin (issue 24): scopes, numbers equal to the query's and indicators.json's, data
gaps from the completeness check, the 通报's text, the lists and the picture — on the sample town's
processed data in memory (the command itself: tests/test_bulletin_e2e.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import matplotlib.pyplot as plt
import openpyxl
import pandas as pd
import pytest
from docx import Document
from PIL import Image

from analysis.bulletin import document, lists, numbers, picture, scope
from analysis.common import formatting, paths
from analysis.common.config import load_config
from analysis.common.errors import AnalysisError
from analysis.indicators import study
from analysis.processed import load
from analysis.processed.load import Tables
from analysis.query.participation import all_pairs, never_studied, participation_grid, select_periods
from analysis.safety import folders, safe_io
from analysis.safety.audit import audit

YEAR = 2022
LAST, BEFORE_LAST = "第13季第26期", "第13季第25期"
HOLE_BRANCH = "塔岗村团支部"


@pytest.fixture(scope="module")
def config():
    return load_config(paths.SAMPLE_CONFIG)


@pytest.fixture(scope="module")
def tables(sample_processed) -> Tables:
    return load.processed(sample_processed[YEAR], YEAR)


@pytest.fixture(scope="module")
def periods(tables: Tables) -> pd.DataFrame:
    return tables.study_periods(YEAR)


@pytest.fixture(scope="module")
def pairs(tables: Tables, periods: pd.DataFrame) -> pd.DataFrame:
    return numbers.year_pairs(tables, periods)


@pytest.fixture(scope="module")
def gaps(tables: Tables, config, pairs: pd.DataFrame) -> pd.DataFrame:
    return numbers.data_gaps(tables, config, YEAR, pairs)


def _bulletin(tables, config, periods, pairs, gaps, chosen: scope.Scope) -> numbers.Bulletin:
    return numbers.compute(tables, config, chosen, pairs, gaps)


# --- scopes ---------------------------------------------------------------------------------------------


def test_period_spellings_are_the_query_s(periods):
    for spelling in ("第12季第5期", "12-5", "第十二季第五期"):
        chosen = scope.period_scope(periods, spelling)
        assert chosen.label == "第12季第5期" and chosen.single
    chosen = scope.period_scope(periods, "12-5")
    assert list(chosen.previous["period"]) == ["第12季第4期"]
    assert chosen.previous_words == "上期（第12季第4期）"
    assert list(chosen.quarter_so_far["period"]) == [f"第12季第{i}期" for i in range(1, 6)]
    assert chosen.quarter_words == "2022年第一季度（截至第12季第5期）"
    first = scope.period_scope(periods, "12-1")
    assert first.previous.empty and first.previous_words == ""
    special = scope.period_scope(periods, "五四特辑")
    assert special.words == "五四特辑（05-04）"
    assert scope.folder_name(special.label) == "特辑：五四特辑(05-04)"
    with pytest.raises(AnalysisError, match="找不到期次"):
        scope.period_scope(periods, "第99季第1期")


def test_quarter_and_month_scopes(periods):
    q2 = scope.quarter_scope(periods, YEAR, "Q2")
    assert q2.label == "2022Q2" and q2.words == "2022年第二季度" and not q2.single
    assert list(q2.periods["period"]) == list(select_periods(periods, quarter="2022Q2")["period"])
    assert list(q2.previous["period"]) == list(select_periods(periods, quarter="2022Q1")["period"])
    assert scope.quarter_scope(periods, YEAR, "2022Q1").previous.empty
    with pytest.raises(AnalysisError, match="不在 2022 年内"):
        scope.quarter_scope(periods, YEAR, "2021Q4")
    may = scope.month_scope(periods, YEAR, "5")
    assert may.label == "2022年5月" and may.previous_words == "上月"
    assert all(d.month == 5 for d in may.periods["date"])
    assert all(d.month == 4 for d in may.previous["date"])
    assert may.quarter_so_far["date"].min() >= pd.Timestamp("2022-04-01")
    assert may.quarter_so_far["date"].max() <= pd.Timestamp("2022-05-31")
    for text in ("05", "5月", "2022-05", "2022年5月"):
        assert scope.parse_month(text, YEAR) == 5
    for bad in ("13", "五月", "2021-05"):
        with pytest.raises(AnalysisError):
            scope.parse_month(bad, YEAR)


def test_latest_complete_passes_over_periods_with_gaps(periods):
    none = pd.DataFrame(columns=numbers.GAP_COLUMNS)
    assert scope.latest_complete(periods, none) == (LAST, [])
    gaps = pd.DataFrame({"branch": ["甲团支部", "乙团支部"], "period": [LAST, LAST]})
    label, skipped = scope.latest_complete(periods, gaps)
    assert label == BEFORE_LAST
    assert skipped == [scope.Skipped(LAST, ("乙团支部", "甲团支部"))]
    everywhere = pd.DataFrame({"branch": "甲团支部", "period": periods["period"]})
    assert scope.latest_complete(periods, everywhere) == (LAST, [])


# --- one definition ---------------------------------------------------------------------------------------


def test_period_numbers_equal_the_query_s(tables, config, periods, pairs, gaps):
    chosen = scope.period_scope(periods, "12-5")
    b = _bulletin(tables, config, periods, pairs, gaps, chosen)
    assert gaps.empty and not b.with_gaps
    now, before = all_pairs(tables, chosen.periods), all_pairs(tables, chosen.previous)
    for row in b.branches:
        grid = participation_grid(tables, chosen.periods, row.branch, now)
        rates = grid.period_rates.iloc[0]
        assert (row.learners, row.due, row.rate) == (rates["numerator"], rates["denominator"], rates["rate"])
        earlier = participation_grid(tables, chosen.previous, row.branch, before).period_rates.iloc[0]
        assert row.previous == earlier["rate"]
    town = study.town_rate_by_period(numbers.within(pairs, chosen.periods)).iloc[0]
    assert (b.town.learners, b.town.due, b.town.rate) == (
        town["numerator"],
        town["denominator"],
        town["rate"],
    )
    assert b.town.never == len(never_studied(tables, chosen.quarter_so_far))
    ranks = [r.rank for r in b.branches]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert [r.rate for r in b.branches] == sorted((r.rate for r in b.branches), reverse=True)


def test_quarter_numbers_equal_the_query_s(tables, config, periods, pairs, gaps):
    chosen = scope.quarter_scope(periods, YEAR, "2022Q2")
    b = _bulletin(tables, config, periods, pairs, gaps, chosen)
    grids = all_pairs(tables, chosen.periods)  # the query's own pairs, once for every branch
    for row in b.branches:
        grid = participation_grid(tables, chosen.periods, row.branch, grids)
        assert row.rate == pytest.approx(grid.period_rates["rate"].mean(), abs=1e-12)  # the grid's footer
        assert row.learners == grid.period_rates["numerator"].sum()


def test_whole_year_equals_indicators_json(tables, config, periods, pairs, gaps, sample_catalogue):
    year = scope.Scope(scope.QUARTER, "2022", "2022年", periods, periods.iloc[0:0], "", periods, "2022年")
    b = _bulletin(tables, config, periods, pairs, gaps, year)
    head = sample_catalogue.headline
    assert b.town.rate == head["study.member_rate"]
    for row in b.branches:
        assert row.rate == head[f"study.member_rate.{row.branch}"]


def test_target_verdict_is_indicators_xlsx_s():
    assert numbers.meets(0.9, 0.9) is True
    assert numbers.meets(0.8999, 0.9) is False
    assert numbers.meets(0.5, None) is None


def _drawn(b: numbers.Bulletin) -> list[str]:
    """The texts of the ranking picture."""
    fig = picture.ranking_figure(b)
    try:
        return [t.get_text() for t in fig.axes[0].texts]
    finally:
        plt.close(fig)


# --- gaps -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def holed(tables: Tables) -> Tables:
    """The sample with one branch's records of the last period removed (a missing export)."""
    frames = {name: tables.get(name) for name in ("members", "transfers", "study_records")}
    records = frames["study_records"]
    frames["study_records"] = records[~((records["period"] == LAST) & (records["branch"] == HOLE_BRANCH))]
    return Tables(year=YEAR, folder=tables.folder, frames=frames, report=tables.report)


@pytest.fixture(scope="module")
def holed_pairs(holed: Tables) -> pd.DataFrame:
    return numbers.year_pairs(holed, holed.study_periods(YEAR))


def test_a_missing_export_is_a_gap_not_a_zero(holed, holed_pairs, config):
    periods, pairs = holed.study_periods(YEAR), holed_pairs
    gaps = numbers.data_gaps(holed, config, YEAR, pairs)
    assert list(gaps.itertuples(index=False, name=None)) == [(HOLE_BRANCH, LAST)]
    label, skipped = scope.latest_complete(periods, gaps)
    assert label == BEFORE_LAST and skipped == [scope.Skipped(LAST, (HOLE_BRANCH,))]

    b = numbers.compute(holed, config, scope.period_scope(periods, LAST), pairs, gaps)
    row = next(r for r in b.branches if r.branch == HOLE_BRANCH)
    assert row.missing == (LAST,) and row.rank is None and row.met is None and row.change is None
    assert b.branches[-1] is row and HOLE_BRANCH not in {r.branch for r in b.below}
    text = document.overview(b) + document.gap_note(b) + document.missing_data(b)
    assert document.MISSING_TEXT in text and HOLE_BRANCH in document.missing_data(b)
    _, rows = document.attachment(b)
    assert next(r for r in rows if r[1] == HOLE_BRANCH)[4] == document.MISSING_TEXT
    drawn = _drawn(b)
    assert document.MISSING_TEXT in drawn
    assert "0.0%" not in drawn  # never ranked last at 0%
    lists_frame = lists.pending(pairs, gaps, b.scope, holed.members)
    assert HOLE_BRANCH not in set(lists_frame[lists.BRANCH])  # nobody chased for a missing export
    assert "本期没有该团支部的任何学习记录" in lists.sheet_title(HOLE_BRANCH, 0, row.missing, b.scope)

    q4 = numbers.compute(holed, config, scope.quarter_scope(periods, YEAR, "Q4"), pairs, gaps)
    assert [r.branch for r in q4.with_gaps] == [HOLE_BRANCH]
    assert "有1期没有任何学习记录" in document.gap_note(q4)
    before = numbers.compute(holed, config, scope.period_scope(periods, BEFORE_LAST), pairs, gaps)
    assert before.with_gaps == []


def test_accepted_gap_is_ranked(holed, holed_pairs, config):
    import dataclasses

    accepted = dataclasses.replace(
        config, accepted_gaps=({"rule": numbers.HOLE_RULE, "subject": HOLE_BRANCH},)
    )
    assert numbers.data_gaps(holed, accepted, YEAR, holed_pairs).empty


# --- the three files ----------------------------------------------------------------------------------


def test_sentences():
    assert (
        document.against_previous(0.85, 0.84, "上期（第12季第4期）") == "较上期（第12季第4期）提高1.0个百分点"
    )
    assert document.against_previous(0.85, 0.85, "上季度") == "与上季度持平"
    assert document.against_previous(0.85, None, "上月") == "上月无可比数据"
    assert document.against_previous(0.85, 0.8, "") == ""
    assert document.against_target(0.933, 0.9, True) == "高于90.0%的目标3.3个百分点"
    assert document.against_target(0.9, 0.9, True) == "达到90.0%的目标"
    assert document.against_target(0.8, 0.9, False) == "低于90.0%的目标10个百分点"
    assert document.against_target(0.8, None, None) == "本年度未设参学率目标"
    assert formatting.typeset(document.against_target(0.8, 0.9, False)) == "低于90%的目标10个百分点"
    assert picture.short_branch("塔岗村团支部") == "塔岗村" and picture.short_branch("团支部") == "团支部"


@pytest.fixture(scope="module")
def written(tables, config, periods, pairs, gaps, tmp_path_factory) -> tuple[Path, numbers.Bulletin]:
    out = tmp_path_factory.mktemp("bulletin")
    chosen = scope.period_scope(periods, "12-5")
    b = _bulletin(tables, config, periods, pairs, gaps, chosen)
    document.write_notice(out / paths.BULLETIN_DOCX, b, dt.date(2022, 2, 22))
    picture.write_picture(out / paths.BULLETIN_PNG, b)
    pending = lists.pending(pairs, gaps, chosen, tables.members)
    lists.write_lists(out / paths.BULLETIN_XLSX, b, pending, "测试", list(config.branch_names))
    return out, b


def docx_texts(path: Path) -> list[str]:
    """Every paragraph and table cell of a document, in order."""
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    texts += [p.text for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return [t for t in texts if t.strip()]


def assert_official_text(path: Path) -> None:
    """The summary document's checks: the one typography rule, no paragraph twice, no file name."""
    texts = docx_texts(path)
    for text in texts:
        assert formatting.typeset(text) == text, text
        assert not re.search(r"\d\s+[\u4e00-\u9fff]|[\u4e00-\u9fff]\s+\d", text), text
        assert not re.search(r"(?<![\d.])\d+\.0(%|个百分点)", text), text
        assert not re.search(r"\d{4}-\d{1,2}-\d{1,2}", text), text
        assert not re.search(r"\.(xlsx|docx|png)\b", text), text
    paragraphs = [p.text for p in Document(str(path)).paragraphs if len(p.text) > 12]
    assert len(paragraphs) == len(set(paragraphs))


def test_notice_reads_as_an_official_bulletin(written):
    out, b = written
    assert_official_text(out / paths.BULLETIN_DOCX)
    doc = Document(str(out / paths.BULLETIN_DOCX))
    body = [p for p in doc.paragraphs if p.text.strip()]
    assert body[0].style.name == "Title"
    assert body[0].text == "关于第12季第5期“青年大学习”学习情况的通报"
    assert body[1].text == "各团支部："
    assert "参学率83.3%" in body[2].text and "较上期（第12季第4期）下降1.7个百分点" in body[2].text
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["通报表扬", "未达到目标的团支部", "尚未参学的团员"]
    texts = "\n".join(docx_texts(out / paths.BULLETIN_DOCX))
    assert all(r.branch in texts for r in b.branches)
    assert "共青团示例镇委员会" in texts and "2022年2月22日" in texts
    official = document.summary_doc  # the summary's style: A4, 仿宋 body, 黑体 headings
    assert abs(doc.sections[0].page_width - official.PAGE_WIDTH) < official.Cm(0.01)
    assert doc.styles["Normal"].font.name == official.FONT_FANG
    assert doc.styles["Heading 1"].font.name == official.FONT_HEI


def test_notice_names_no_member(written, tables):
    out, _ = written
    texts = "\n".join(docx_texts(out / paths.BULLETIN_DOCX))
    names = {n for n in tables.members["name"] if len(n) >= 2}
    assert [n for n in names if n in texts] == []


def test_lists_one_sheet_per_branch(written, config):
    out, b = written
    wb = openpyxl.load_workbook(out / paths.BULLETIN_XLSX, read_only=True)
    assert wb.sheetnames == [*config.branch_names, safe_io.NOTES_SHEET]
    total = 0
    for name in config.branch_names:
        rows = list(wb[name].iter_rows(values_only=True))
        assert rows[0][0].startswith(name)  # the title line
        assert rows[1][:2] == ("团支部", "姓名")
        assert "member_id" not in rows[1]
        total += len(rows) - 2
        assert all(r[0] == name for r in rows[2:])
    row = next(r for r in b.branches if r.branch == "示例镇中学团支部")
    assert total == sum(r.due - r.learners for r in b.branches)
    school = list(wb["示例镇中学团支部"].iter_rows(values_only=True))
    assert school[1][2] == lists.DETAIL  # 段月玲 twice in the school: told apart
    details = [r[2] for r in school[2:] if r[1] == "段月玲"]
    assert len(details) == 2 and len(set(details)) == 2 and all("尾号" in d for d in details)
    assert row.due - row.learners == len(school) - 2
    assert audit(out) == []


def test_picture_is_phone_sized(written):
    out, b = written
    with Image.open(out / paths.BULLETIN_PNG) as image:
        width, height = image.size
    assert width == picture.WIDTH_PX == 1080
    assert height == picture.height_px(b)
    fig = picture.ranking_figure(b)
    drawn = [t.get_text() for t in fig.axes[0].texts]
    sizes = [t.get_fontsize() for t in fig.axes[0].texts]
    plt.close(fig)
    assert "第12季第5期“青年大学习”" in drawn and "示例镇各团支部参学率排名" in drawn
    assert any(t.startswith("数据截至2022年2月21日") for t in drawn)
    assert all(picture.short_branch(r.branch) in drawn for r in b.branches)
    assert min(sizes) * picture.DPI / 72 >= 22  # px: readable on a phone


def test_reports_folder_with_only_bulletins_is_ours(tmp_path):
    reports = tmp_path / "reports" / "2022"
    (reports / paths.BULLETIN_DIR / "第12季第5期").mkdir(parents=True)
    yp = paths.YearPaths(
        2022, tmp_path / "raw" / "2022", tmp_path / "processed", reports, tmp_path / "town.yml"
    )
    folders.check_folders(yp, None, reports=True)  # the yearly run may write there (and keeps 通报/)


def test_month_bulletin_without_a_target(tables, config, periods, pairs, gaps, tmp_path):
    import dataclasses

    untargeted = dataclasses.replace(config, years={})
    chosen = scope.month_scope(periods, YEAR, "5")
    b = _bulletin(tables, untargeted, periods, pairs, gaps, chosen)
    assert b.target is None and b.commended == [] and b.below == []
    assert all(r.met is None for r in b.branches)
    assert all(r.branch in document.commendation(b) for r in b.ranked[:3])
    assert "本年度未设参学率目标" in document.overview(b)
    assert "较上月" in document.overview(b)
    document.write_notice(tmp_path / paths.BULLETIN_DOCX, b, dt.date(2022, 6, 1))
    assert_official_text(tmp_path / paths.BULLETIN_DOCX)
    assert docx_texts(tmp_path / paths.BULLETIN_DOCX)[0] == "关于2022年5月“青年大学习”学习情况的通报"
    assert not any(t.startswith("目标") for t in _drawn(b))
