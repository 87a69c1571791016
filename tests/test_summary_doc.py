"""summary.docx: built from a fake reports folder (two sections with real tiny figures) and a hand-made
catalogue, then read back with python-docx. No notebook is executed and LibreOffice is not needed."""

from __future__ import annotations

import logging
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

from analysis.config import YearTargets
from analysis.indicators.catalogue import Catalogue
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
    assert doc.paragraphs[0].text == "测试镇团委2022年度工作数据摘要（草稿）"
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[1].text.startswith("本文档由数据分析套件自动生成")
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
        "表2 各团支部团员人数",
        "表3 各团支部参学率排名",
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
    assert any("全镇共有团员 1,234 名" in t and "12 个团支部" in t for t in body)
    assert any("团员平均参学率为 82.6%" in t for t in body)
    assert "控制字符已去除。" in body


def test_headline_table(built: tuple[Path, DocxDocument]) -> None:
    _, doc = built
    rows = _rows(doc.tables[0])
    assert rows[0] == ["指标", "本年", "上年", "变化", "目标", "是否达标"]
    by_label = {r[0]: r[1:] for r in rows[1:]}
    assert by_label["团员总数"] == ["1,234人", "1,200人", "增加34人", "—", "—"]
    assert by_label["团员参学率（各期平均）"] == ["82.6%", "80.0%", "提高2.6个百分点", "90.0%", "未达标"]
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
    assert len(branches.rows) == 1 + 20
    header = branches.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert branches.style.name == "数据表格"
    assert "（仅列出前 20 行，完整数据见 indicators.xlsx）" in [p.text for p in doc.paragraphs]
    assert _rows(doc.tables[2])[1] == ["1", "塔岗村团支部", "93.2%"]
    assert _rows(doc.tables[3])[1] == ["甲", "50.0%"]  # raw rates are shown as percentages too


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
