"""summary.docx: built from a fake reports folder (two sections with real tiny figures) and a hand-made
catalogue, then read back with python-docx. No notebook is executed and LibreOffice is not needed."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from analysis.common import formatting
from analysis.common.config import YearTargets
from analysis.indicators.catalogue import Catalogue
from analysis.processed.completeness import Assessment, Finding
from analysis.report.section import Section
from analysis.report.summary_doc import build_summary, write_summary

FIGURES = 3


def _catalogue(previous: bool = True) -> Catalogue:
    branches = pd.DataFrame(
        {
            "branch": [f"第{i + 1}团支部" for i in range(25)],
            "members": [10 + i for i in range(25)],
            "cadres": [2] * 25,
        }
    )
    ranking = pd.DataFrame(
        {"rank": [1, 2], "branch": ["塔岗村团支部", "新华社区团支部"], "rate": [0.9321, 0.7012]}
    )
    return Catalogue(
        year=2022,
        town="测试镇",
        headline={
            "org.members": 1234,
            "org.branches": 12,
            "study.periods": 51,
            "study.member_rate": 0.8263,
            "study.member_rate.塔岗村团支部": 0.9321,
            "rec.new_members": 4,
            "aid.amount": 9500.0,
        },
        previous={"org.members": 1200, "study.member_rate": 0.8, "rec.new_members": 4} if previous else {},
        targets=YearTargets(recruitment_quota=4, study_rate_target=0.9),
        tables={"org_by_branch": branches, "study_ranking": ranking},
    )


def _figure(section: Section, name: str, caption: str, height_cm: float = 3.0) -> None:
    from analysis import charts

    fig, ax = charts.new_figure(height_cm=height_cm, width_cm=6.0)
    ax.bar(["一", "二", "三"], [3, 5, 2])
    section.figure(fig, name, caption)


def _reports(folder: Path, cat: Catalogue) -> Path:
    org = Section(folder, "org", "团组织与团员", 10)
    org.say(["截至 2022 年 12 月 31 日，全镇共有团员 1,234 名，比上年增加 34 名。", "分布在 12 个团支部。"])
    _figure(org, "10_members_by_branch", "2022年各团支部团员人数")
    org.table(cat, "org_by_branch", "各团支部团员人数")  # 25 rows: truncated to 20
    org.save()
    study = Section(folder, "study", "思想引领·青年大学习", 20)
    study.say(["全年组织开展“青年大学习” 51 期。", "团员平均参学率为 82.6%，未达到 90.0% 的目标。"])
    study.say(["控制\x07字符已去除。"])  # Word rejects control characters
    _figure(study, "20_study_trend", "2022年各期参学率")
    study.table(cat, "study_ranking", "各团支部参学率排名")
    _figure(study, "21_study_tall", "一张很高的图", height_cm=30.0)
    study.items.append(
        {
            "type": "table",
            "caption": "原始数值",
            "columns": ["团支部", "比率"],
            "rows": [["甲", 0.5]],
            "truncated": False,
        }
    )
    study.save()
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DocxDocument]:
    folder = tmp_path_factory.mktemp("reports")
    cat = _catalogue()
    _reports(folder, cat)
    output = build_summary(SimpleNamespace(catalogue=cat), folder, folder / "summary.docx")  # type: ignore[arg-type]
    return output, Document(str(output))


def _styled(doc: DocxDocument, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name == style]


def _rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _body(doc: DocxDocument) -> list[Paragraph | Table]:
    return list(doc.iter_inner_content())


def test_output_written_atomically(built: tuple[Path, DocxDocument]) -> None:
    output, _ = built
    assert output.name == "summary.docx" and output.is_file()
    assert not [p for p in output.parent.iterdir() if p.name.endswith(".tmp")]


def test_title_and_note(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built
    assert doc.paragraphs[0].text == "测试镇团委2022年度工作数据摘要"  # no gap: not a draft
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[1].text.startswith("本文档由数据分析套件根据本年度各项台账自动生成")
    assert doc.core_properties.author == "数据分析套件"


def test_level1_headings_in_order_and_numbered(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built
    assert _styled(doc, "Heading 1") == ["主要数据一览", "团组织与团员", "思想引领·青年大学习"]
    num_id = doc.styles["Heading 1"].element.pPr.numPr.numId.val
    numbering = doc.part.numbering_part.element
    abstract_id = numbering.num_having_numId(num_id).abstractNumId.val
    abstract = next(
        a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == str(abstract_id)
    )
    levels = {lvl.get(qn("w:ilvl")): lvl for lvl in abstract.findall(qn("w:lvl"))}
    for ilvl, text in (("0", "%1、"), ("1", "（%2）")):
        assert levels[ilvl].find(qn("w:numFmt")).get(qn("w:val")) == "chineseCounting"
        assert levels[ilvl].find(qn("w:lvlText")).get(qn("w:val")) == text


def test_pictures_and_figure_captions(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built
    assert len(doc.inline_shapes) == FIGURES
    widths = [shape.width for shape in doc.inline_shapes]
    assert widths[0] == widths[1] == Cm(15.5)
    assert widths[2] < Cm(15.5) and doc.inline_shapes[2].height <= Cm(20.6)  # the tall one fits the page
    captions = [t for t in _styled(doc, "Caption") if t.startswith("图")]
    assert captions == ["图1 2022年各团支部团员人数", "图2 2022年各期参学率", "图3 一张很高的图"]
    body = _body(doc)
    for i, item in enumerate(body):  # every picture is directly followed by its caption
        if isinstance(item, Paragraph) and item._p.xpath(".//pic:pic"):
            assert body[i + 1].style.name == "Caption" and body[i + 1].text.startswith("图")


def test_table_captions_above_tables_with_seq_fields(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built
    captions = [t for t in _styled(doc, "Caption") if t.startswith("表")]
    assert captions == [
        "表1 2022年主要工作数据",
        "表2 2022年各团支部团员人数",  # a table's caption names its year, as every figure's does
        "表3 2022年各团支部参学率排名",
        "表4 原始数值",
    ]
    body = _body(doc)
    for i, item in enumerate(body):
        if isinstance(item, Table):
            assert isinstance(body[i - 1], Paragraph) and body[i - 1].text.startswith("表")
    instructions = [el.text.strip() for el in doc.element.body.iter(qn("w:instrText"))]
    assert instructions.count("SEQ 图 \\* ARABIC") == FIGURES
    assert instructions.count("SEQ 表 \\* ARABIC") == 4


def test_section_sentences(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built
    body = [p.text for p in doc.paragraphs if p.style.name == "Normal"]
    assert any("全镇共有团员1,234名" in t and "12个团支部" in t for t in body)
    assert any("团员平均参学率为82.6%，未达到90%的目标" in t for t in body)
    assert "控制字符已去除。" in body


def test_headline_table(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built
    rows = _rows(doc.tables[0])
    assert rows[0] == ["指标", "本年", "上年", "变化", "目标", "是否达标"]
    by_label = {r[0]: r[1:] for r in rows[1:]}
    assert by_label["团员总数"] == ["1,234人", "1,200人", "增加34人", "—", "—"]
    assert by_label["团员参学率（各期平均）"] == ["82.6%", "80%", "提高2.6个百分点", "90%", "未达标"]
    assert by_label["发展团员"] == ["4名", "4名", "持平", "4名", "达标"]
    assert by_label["爱心助学资助金额"] == ["9,500元", "—", "—", "—", "—"]
    assert "塔岗村团支部参学率" not in by_label  # per-branch rates stay in the study section / workbook
    assert len(rows) == 1 + 6


def test_headline_table_without_previous_year(tmp_path: Path) -> None:
    result = write_summary(_catalogue(previous=False), tmp_path, tmp_path / "summary.docx")
    doc = Document(str(result.path))
    assert _rows(doc.tables[0])[0] == ["指标", "本年", "目标", "是否达标"]
    assert _styled(doc, "Heading 1") == ["主要数据一览"]
    assert result.figures == result.tables == 0


def test_section_tables(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built
    branches = doc.tables[1]
    assert len(branches.rows) == 1 + 20 + 1  # header, the first 20 branches, 合计
    header = branches.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert branches.style.name == "数据表格"
    rows = _rows(branches)
    # largest first: 第25团支部 has 34 members; the total is over all 25 branches (10 + … + 34 = 550)
    assert rows[1] == ["第25团支部", "34", "2"] and rows[20] == ["第6团支部", "15", "2"]
    assert rows[-1] == ["合计", "550", "50"]
    assert all(run.bold for cell in branches.rows[-1].cells for run in cell.paragraphs[0].runs)
    assert "（仅列出前20行，完整数据见指标工作簿）" in [p.text for p in doc.paragraphs]
    assert _rows(doc.tables[2])[1] == ["1", "塔岗村团支部", "93.2%"]
    assert _rows(doc.tables[3])[1] == ["甲", "50%"]  # raw rates are shown as percentages too


def test_styles_and_page(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built

    def fonts(style_name: str) -> tuple[str | None, str | None]:
        r_fonts = doc.styles[style_name].element.rPr.rFonts
        return r_fonts.get(qn("w:ascii")), r_fonts.get(qn("w:eastAsia"))

    normal = doc.styles["Normal"]
    assert fonts("Normal") == ("仿宋_GB2312", "仿宋_GB2312")
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.first_line_indent == Pt(32)
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    assert fonts("Heading 1") == ("黑体", "黑体")
    assert fonts("Heading 2") == ("楷体_GB2312", "楷体_GB2312")
    assert fonts("Title") == ("方正小标宋简体", "方正小标宋简体")
    assert doc.styles["Title"].font.size == Pt(22)
    assert fonts("表格文字")[1] == "仿宋_GB2312"
    section = doc.sections[0]
    page = (section.page_width, section.page_height, section.top_margin, section.bottom_margin)
    sides = (section.left_margin, section.right_margin)
    assert [round(length.cm, 2) for length in (*page, *sides)] == [21.0, 29.7, 3.7, 3.5, 2.8, 2.6]  # twips
    footer = section.footer.paragraphs[0]
    assert footer.text == "— 1 —"
    assert "PAGE" in [el.text.strip() for el in footer._p.iter(qn("w:instrText"))]


def test_missing_png_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cat = _catalogue()
    _reports(tmp_path, cat)
    (tmp_path / "figures" / "20_study_trend.png").unlink()
    (tmp_path / "figures" / "21_study_tall.png").write_bytes(b"not a png")
    with caplog.at_level(logging.WARNING, logger="analysis.report.summary_doc"):
        result = write_summary(cat, tmp_path, tmp_path / "out" / "summary.docx")
    assert result.figures == 1 and len(result.skipped) == 2
    assert "20_study_trend.png" in caplog.text
    doc = Document(str(result.path))
    assert len(doc.inline_shapes) == 1
    assert [t for t in _styled(doc, "Caption") if t.startswith("图")] == ["图1 2022年各团支部团员人数"]


# --- a document a secretary pastes (issue 22) -----------------------------------------------------------

FILE_NAME = re.compile(r"[\w\-（）]+\.(?:xlsx|xls|csv|docx|json|yml|png|svg|ipynb)\b", re.IGNORECASE)


def _texts(doc: DocxDocument) -> list[str]:
    """Every text of the body, in order: paragraphs and table cells (captions and notes included)."""
    out = []
    for item in _body(doc):
        if isinstance(item, Paragraph):
            out.append(item.text)
        else:
            out += [p.text for row in item.rows for cell in row.cells for p in cell.paragraphs]
    return [t for t in out if t.strip()]


def assert_pasteable(doc: DocxDocument) -> None:
    """The checks of issue 22 over a whole document: every text passes the one typography rule, no
    paragraph says the same thing twice, no file name before the closing note."""
    texts = _texts(doc)
    for text in texts:
        assert formatting.typeset(text) == text, text
        body = re.sub(r"^[图表]\d+ ", "", text)  # "图3 标题": the caption's number keeps its space
        assert not re.search(r"\d\s+[\u4e00-\u9fff]|[\u4e00-\u9fff]\s+\d", body), text
        assert not re.search(r"(?<![\d.])\d+\.0(%|个百分点)", text), text
        assert not re.search(r"\d{4}-\d{1,2}-\d{1,2}", text), text
    paragraphs = [p.text for p in doc.paragraphs if len(p.text) > 12]
    assert len(paragraphs) == len(set(paragraphs)), [p for p in paragraphs if paragraphs.count(p) > 1]
    closing = next(i for i, p in enumerate(doc.paragraphs) if p.text.startswith("注：本文数字与随附的"))
    assert "indicators.xlsx" in doc.paragraphs[closing].text
    before = [p.text for p in doc.paragraphs[:closing]]
    before += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert [t for t in before if FILE_NAME.search(t)] == []


def test_every_text_follows_the_typography_rule_once(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built
    assert_pasteable(doc)
    assert formatting.typeset("截至 2022 年 12 月 31 日共 1,234 名，提高 1.0 个百分点，达 90.0% 的") == (
        "截至2022年12月31日共1,234名，提高1个百分点，达90%的"
    )
    assert formatting.typeset("2022-05-10 表1 2022年 82.6% 100.0%") == "2022年5月10日 表1 2022年82.6% 100%"


def _overview_reports(folder: Path, cat: Catalogue) -> Path:
    from analysis import charts

    overview = Section(folder, "overview", "年度概览", 0)
    overview.say(["2022 年，全镇共有团员 1,234 名；团员平均参学率 82.6%，未达到 90.0% 的目标。"])
    overview.say(["数据完整性检查未发现严重缺口。"], appendix=True)
    fig, ax = charts.new_figure(height_cm=3.0, width_cm=6.0)
    ax.bar(["一", "二"], [1, 2])
    ax.set_title("2022 年主要工作指标 与上年对比")
    overview.figure(fig, "01_overview_yoy", "笔记本写的另一个说法")
    overview.save()
    org = Section(folder, "organisation", "团组织与团员", 10)
    org.say(["截至 2022 年 12 月 31 日，全镇共有团员 1,234 名。"])
    org.save()
    return folder


def test_overview_section_holds_the_headline_table_then_its_chart(tmp_path: Path) -> None:
    cat = _catalogue()
    doc = Document(str(write_summary(cat, _overview_reports(tmp_path, cat), tmp_path / "s.docx").path))
    body = [i.text if isinstance(i, Paragraph) else "<table>" for i in _body(doc) if not isinstance(i, Table)]
    assert _styled(doc, "Heading 1") == ["年度概览", "团组织与团员", "附录：数据完整性"]
    start = body.index("年度概览")
    assert body[start + 1].startswith("2022年，全镇共有团员1,234名")
    assert body[start + 2] == "表1 2022年主要工作数据"  # the table directly below the overview paragraph
    # the chart's caption is its own title (set by the typography rule), never the notebook's wording
    assert "图1 2022年主要工作指标 与上年对比" in body and not any("另一个说法" in t for t in body)
    assert body.index("图1 2022年主要工作指标 与上年对比") < body.index("团组织与团员")
    # the completeness sentence goes to the appendix, after the closing note (which names the workbook)
    assert body.index("数据完整性检查未发现严重缺口。") > body.index("附录：数据完整性")
    assert body.index("附录：数据完整性") > next(
        i for i, t in enumerate(body) if t.startswith("注：本文数字")
    )
    assert doc.paragraphs[body.index("附录：数据完整性")].paragraph_format.page_break_before
    assert_pasteable(doc)


def test_figure_caption_is_the_title_drawn_in_the_picture(tmp_path: Path) -> None:
    from PIL import Image

    cat = _catalogue()
    _overview_reports(tmp_path, cat)
    section = json.loads((tmp_path / "sections" / "00_overview.json").read_text(encoding="utf-8"))
    (figure,) = [i for i in section["items"] if i["type"] == "figure"]
    with Image.open(tmp_path / figure["png"]) as png:
        assert png.info["Title"] == figure["caption"] == "2022年主要工作指标 与上年对比"


def test_draft_only_with_unresolved_gaps(tmp_path: Path) -> None:
    gap = Finding(
        "缺少导出", "serious", "团员名册", "没有找到团员名册（团员名册.xlsx），请在 rejected_rows.xlsx 中核对"
    )
    accepted = Finding("团支部全年无学习记录", "serious", "南沟村团支部", "南沟村团支部全年没有记录")
    blocked = dataclasses.replace(_catalogue(), assessment=Assessment(findings=[gap]))
    doc = Document(str(write_summary(blocked, tmp_path, tmp_path / "draft.docx").path))
    assert doc.paragraphs[0].text == "测试镇团委2022年度工作数据摘要草稿（数据不完整）"
    texts = [p.text for p in doc.paragraphs]
    assert "● 【缺少导出：团员名册】没有找到团员名册，请在导入检查清单中核对" in texts  # no file name
    settled = dataclasses.replace(_catalogue(), assessment=Assessment(accepted=[accepted]))
    doc = Document(str(write_summary(settled, tmp_path, tmp_path / "final.docx").path))
    assert (
        doc.paragraphs[0].text == "测试镇团委2022年度工作数据摘要"
    )  # an accepted gap is a fact, not a draft
    assert any("已确认的缺口" in p.text for p in doc.paragraphs)


def test_tables_are_ordered_totalled_and_consistent(tmp_path: Path) -> None:
    by_section = pd.DataFrame(
        {
            "section": ["ideology", "volunteer"],
            "activities": [19, 16],
            "person_times": [720, 233],
            "volunteers": [0, 171],
            "volunteer_hours": [0.0, 494.0],
        }
    )
    top = pd.DataFrame(
        {
            "date": pd.to_datetime(["2022-05-10", "2022-01-20"]),
            "name": ["主题团日", "扫雪清障"],
            "participants": [60, 17],
            "volunteers": [None, 12],
            "volunteer_hours": [0.0, 36.0],
        }
    )
    cat = dataclasses.replace(_catalogue(), tables={"act_by_section": by_section, "act_top": top})
    section = Section(tmp_path, "activities", "活动与志愿服务", 30)
    section.table(cat, "act_by_section")
    section.table(cat, "act_top")
    totals, listed = (i for i in section.items if i["type"] == "table")
    assert totals["rows"][-1] == ["合计", "35", "953", "171", "494"]
    # no volunteers: both cells empty (never 0 hours beside an empty count); dates as 2022年5月10日
    assert listed["rows"] == [
        ["2022年5月10日", "主题团日", "60", "", ""],
        ["2022年1月20日", "扫雪清障", "17", "12", "36"],
    ]
    only_meetings = dataclasses.replace(cat, tables={"act_top": top.iloc[:1]})
    section.table(only_meetings, "act_top")
    assert section.items[-1]["columns"] == [
        "日期",
        "活动名称",
        "参与人数",
    ]  # columns without any value left out
