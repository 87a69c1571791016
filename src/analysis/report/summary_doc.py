"""reports/<Y>/summary.docx: the data parts of the annual work summary, as a Word draft.

The document follows the usual 党政机关公文格式 (GB/T 9704): A4, margins 3.7/3.5/2.8/2.6 cm, title in
方正小标宋简体 二号, level-1 headings 黑体 三号 numbered 一、二、三…, level-2 headings 楷体_GB2312 三号
numbered （一）（二）…, body 仿宋_GB2312 三号 with a 2-character first-line indent and a fixed 28.95 pt
line pitch, page numbers "— 1 —" in the footer. All of it lives in document styles (正文 = Normal,
Heading 1/2, Caption, 表格文字, table style 数据表格 …) so the analyst can restyle it in Word.

Content: the title and a note, the overview section (年度概览: the year's headline facts in one
paragraph, then the table of the headline indicators — under its own heading 主要数据一览 when there is
no overview section — and the overview chart), then one section per notebook
(``analysis.report.section``): its sentences, figures (numbered captions below) and tables (numbered
captions above); a closing note pointing to the workbook; the appendix on data completeness. Caption
numbers are real Word ``SEQ 图`` / ``SEQ 表`` fields (complex fields with the number cached), so Word
renumbers them with F9. Nothing is added beyond what the catalogue and the section files hold.

The text is meant to be pasted into the year's summary as it is: every text goes through the one
typography rule (`formatting.typeset`: "团员300名", "2022年12月31日", "90%"); the title says 草稿 only
for a report published with unresolved gaps (``--allow-gaps``); no file name appears before the closing
note.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree
from PIL import Image, UnidentifiedImageError

from analysis.common import formatting
from analysis.common.paths import FIGURES_DIR, INDICATORS_XLSX, REJECTED_ROWS
from analysis.indicators.catalogue import Catalogue
from analysis.indicators.keys import BRANCH_RATE_PREFIX, KeyInfo
from analysis.indicators.labels import COLUMNS, RATE_COLUMNS
from analysis.processed.completeness import Finding
from analysis.report.section import TOTAL_LABEL, load_sections
from analysis.safety import safe_io

if TYPE_CHECKING:
    from analysis.report.context import YearContext

__all__ = ["SummaryResult", "add_table", "add_text", "build_summary", "new_document", "write_summary"]

log = logging.getLogger(__name__)

# --- page and type (GB/T 9704) -----------------------------------------------------------------------
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
FOOTER_DISTANCE = Cm(2.2)  # the page number sits about 7 mm below the text block
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6  # 15.6 cm
TEXT_HEIGHT_CM = 29.7 - 3.7 - 3.5  # 22.5 cm
FIGURE_WIDTH_CM = 15.5
# A figure (with its caption) takes at most half a page, so one pushed to the next page never leaves more
# than half a page empty; the appendix's (the tall coverage chart) leaves room for the heading above it.
FIGURE_MAX_HEIGHT_CM = TEXT_HEIGHT_CM / 2 - 1.25
APPENDIX_FIGURE_MAX_HEIGHT_CM = TEXT_HEIGHT_CM - 5.0
LINE_PITCH = Pt(28.95)  # 22 lines per page

FONT_TITLE = "方正小标宋简体"
FONT_HEI = "黑体"
FONT_KAI = "楷体_GB2312"
FONT_FANG = "仿宋_GB2312"
FONT_SONG = "宋体"
# What Word should use on a machine without the GB2312 fonts (font table altName).
FONT_ALTERNATIVES = {FONT_TITLE: "宋体", FONT_FANG: "仿宋", FONT_KAI: "楷体", FONT_HEI: "SimHei"}

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_S4 = Pt(12)  # 小四
SIZE_5 = Pt(10.5)  # 五号

# Custom style names (Chinese, shown in Word) and their ASCII style ids.
STYLE_NOTE = "文档说明"
STYLE_FIGURE = "图片"
STYLE_TABLE_TEXT = "表格文字"
STYLE_TABLE_TEXT_SMALL = "表格文字（小号）"
STYLE_TABLE_NOTE = "表注"
STYLE_TABLE = "数据表格"
_STYLE_IDS = {
    STYLE_NOTE: "DocNote",
    STYLE_FIGURE: "FigureParagraph",
    STYLE_TABLE_TEXT: "TableText",
    STYLE_TABLE_TEXT_SMALL: "TableTextSmall",
    STYLE_TABLE_NOTE: "TableNote",
    STYLE_TABLE: "DataTable",
}
SMALL_TABLE_COLUMNS = 6  # wider tables use 五号 text
CELL_PADDING_CM = 0.5  # cell margins (2 × 0.15 cm) and some air
HEADER_UNITS = 8  # a longer header may wrap onto two lines
BREAKABLE_WIDE_CHARS = 6  # cells with this many Chinese characters may wrap
BREAKABLE_MIN_UNITS = 4  # …but keep at least 2 of them on a line
HALF_WIDTH_EM = 0.55  # a digit or Latin letter, generously (bold header, proportional fallback fonts)

HEADLINE_HEADING = "主要数据一览"
NOTE_TEXT = "本文档由数据分析套件根据本年度各项台账自动生成，数字可直接引用于年度工作总结。"
WORKBOOK = "指标工作簿"  # how the body refers to indicators.xlsx (its file name only in the closing note)
CLOSING_TEXT = (
    f"注：本文数字与随附的{WORKBOOK}（{INDICATORS_XLSX}）一致；各团支部参学率、各项明细、"
    "数据完整性检查结果和指标口径见该工作簿。"
)
DRAFT_MARK = "草稿（数据不完整）"
OVERVIEW_KEY = "overview"  # the section (年度概览) whose sentences the headline table follows
# what the body says instead of a file name inside a finding's message (the export's own name is dropped)
PLAIN_NAMES = {INDICATORS_XLSX: WORKBOOK, REJECTED_ROWS: "导入检查清单", "town.yml": "本镇配置"}
_EXPORT_IN_BRACKETS = re.compile(
    r"（[^（）]*\.(?:xlsx|xlsm|xlsb|xls|csv|ods|et|zip)(?:（[^（）]*）)?[^（）]*）", re.I
)
SEQ_FIGURE = "图"
SEQ_TABLE = "表"

_RATE_HEADERS = frozenset(COLUMNS[c] for c in RATE_COLUMNS)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


@dataclass
class SummaryResult:
    """What ``write_summary`` put into the document (and what it had to leave out)."""

    path: Path
    sections: int = 0
    figures: int = 0
    tables: int = 0
    skipped: list[str] = field(default_factory=list)


def build_summary(ctx: YearContext, reports_dir: Path, output: Path) -> Path:
    """Write the summary draft for the yearly run; returns ``output``.

    Only ``ctx.catalogue`` is used, so any object with a ``catalogue`` attribute will do.
    """
    return write_summary(ctx.catalogue, reports_dir, output).path


def write_summary(
    catalogue: Catalogue,
    reports_dir: Path,
    output: Path,
    *,
    branch_rates: bool = False,
    title: str | None = None,
    note: str = NOTE_TEXT,
    closing: str | None = None,
) -> SummaryResult:
    """Build the document from the catalogue and reports_dir/sections, write it atomically to ``output``.

    ``branch_rates`` also lists the per-branch 参学率 keys in 主要数据一览 (they are in the study
    section and indicators.xlsx anyway). ``title`` and ``note`` replace the town summary's title and
    opening note (the county roll-up uses them); ``closing`` is the closing note (by default the town
    summary's, pointing to indicators.xlsx; none when a ``title`` is given). Missing or unreadable
    figures are skipped with a warning.
    """
    reports_dir = Path(reports_dir)
    output = Path(output)
    result = SummaryResult(path=output)
    doc = _new_document(catalogue)
    counters = {SEQ_FIGURE: 0, SEQ_TABLE: 0}
    assessment = catalogue.assessment
    if title is None:
        closing = CLOSING_TEXT if closing is None else closing
        title = f"{catalogue.town}团委{catalogue.year}年度工作数据摘要"
        title += DRAFT_MARK if assessment.blocking else ""
    doc.core_properties.title = _clean(title)
    _add(doc, title, "Title")
    _add(doc, note, STYLE_NOTE)
    _gaps(doc, assessment)

    sections = load_sections(reports_dir)
    appendix: list[dict[str, Any]] = []

    def headline() -> None:
        _headline_table(doc, catalogue, counters, branch_rates)

    if not any(s.get("key") == OVERVIEW_KEY for s in sections):
        _add(doc, HEADLINE_HEADING, "Heading 1")
        headline()
    for section in sections:
        after_text = headline if section.get("key") == OVERVIEW_KEY else None
        appendix += _section(doc, section, assessment, reports_dir, counters, result, after_text)

    if closing:
        _add(doc, closing, STYLE_NOTE)
    published = [f for f in assessment.findings if f.serious] + list(assessment.accepted)
    if appendix or published:
        heading = _add(doc, APPENDIX_HEADING, "Heading 1")
        heading.paragraph_format.page_break_before = True  # for the analyst: apart from what is pasted
        for item in appendix:
            if item.get("type") == "text":
                _text(doc, str(item.get("text", "")))
            elif item.get("type") == "figure" and _figure(
                doc, item, reports_dir, counters, APPENDIX_FIGURE_MAX_HEIGHT_CM
            ):
                result.figures += 1
        rows = assessment.table()
        rows = rows[rows["严重程度"] != "提示"]  # hints: in the workbook's 数据完整性 sheet
        if len(rows):
            item = {
                "caption": "数据完整性检查发现的缺口",
                "columns": list(rows.columns),
                "rows": rows.assign(说明=rows["说明"].map(_plain)).astype(str).values.tolist(),
            }
            _data_table(doc, item, counters)
            result.tables += 1
    with safe_io.atomic_output(output) as tmp:
        doc.save(str(tmp))
    return result


def _section(
    doc: DocxDocument,
    section: dict[str, Any],
    assessment: Any,
    reports_dir: Path,
    counters: dict[str, int],
    result: SummaryResult,
    after_text: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """One notebook's section (heading, sentences, figures, tables); returns its appendix items.
    ``after_text``: adds what follows the section's sentences, before its figures and tables (the
    headline table in 年度概览: text, table and chart fill the first pages without a gap)."""
    result.sections += 1
    _add(doc, section.get("title") or section.get("key", ""), "Heading 1")
    everything = section.get("items") or []
    items = [i for i in everything if not i.get("appendix")]
    if not items and after_text is None:
        _add(doc, "（本部分暂无数据。）")
    for item in items:
        kind = item.get("type")
        if after_text is not None and kind != "text":
            after_text()
            after_text = None
        mark = _gap_mark(assessment, item, section)
        if kind == "text":
            _text(doc, str(item.get("text", "")) + mark)
        elif kind == "figure":
            item = {**item, "caption": f"{item.get('caption', '')}{mark}"}
            if _figure(doc, item, reports_dir, counters):
                result.figures += 1
            else:
                result.skipped.append(f"{section.get('key')}: 图 {item.get('name')}")
        elif kind == "table":
            _data_table(doc, item, counters)
            result.tables += 1
        else:
            log.warning("年度总结草稿：第“%s”部分有未知的内容类型 %r，已跳过。", section.get("title"), kind)
            result.skipped.append(f"{section.get('key')}: {kind}")
    if after_text is not None:
        after_text()
    return [i for i in everything if i.get("appendix")]


def _plain(message: str) -> str:
    """A finding's message without file names: the export's name in brackets dropped, the suite's own
    files named in words (`PLAIN_NAMES`)."""
    text = _EXPORT_IN_BRACKETS.sub("", message)
    for name, words in PLAIN_NAMES.items():
        text = text.replace(f" {name} ", words).replace(name, words)
    return text


APPENDIX_HEADING = "附录：数据完整性"
# report figures by their number: which indicator keys they show (for marking what a gap affects)
FIGURE_KEYS = {
    "1": ("org.",),
    "2": ("study.",),
    "24": ("cadre.",),
    "3": ("act.",),
    "4": ("rec.",),
    "5": ("aid.",),
}
SECTION_KEYS = {"organisation": ("org.",), "study": ("study.", "cadre."), "activities": ("act.",),
                "recruitment": ("rec.",), "services": ("aid.",), "overview": ("",)}  # fmt: skip


def _gaps(doc: DocxDocument, assessment: Any) -> None:
    """First page: the serious gaps the analyst chose to publish with, and those accepted in town.yml."""
    if assessment.blocking:
        _add(doc, "数据不完整：以下缺口尚未补齐，本草稿中受影响的数字和图表已注明“数据不完整”。", STYLE_NOTE)
        for f in assessment.blocking:
            _add(doc, _finding(f))
    if assessment.accepted:
        _add(doc, "已确认的缺口（已在本镇配置中确认属实，数字按实际情况统计）：", STYLE_NOTE)
        for f in assessment.accepted:
            _add(doc, _finding(f))


def _finding(f: Finding) -> str:
    return f"● 【{f.rule}{'：' + f.subject if f.subject else ''}】{_plain(f.message)}"


def _gap_mark(assessment: Any, item: dict[str, Any], section: dict[str, Any]) -> str:
    """'（数据不完整：…）' after a sentence or caption whose numbers a serious gap touches."""
    name = str(item.get("name") or "")
    prefixes: tuple[str, ...] = ()
    if item.get("type") == "figure" and name[:1].isdigit():
        prefixes = FIGURE_KEYS.get(name[:2]) or FIGURE_KEYS.get(name[:1], ())
    else:
        key = str(section.get("key") or "")
        prefixes = next((v for k, v in SECTION_KEYS.items() if key.endswith(k)), ())
    found = assessment.touching(prefixes) if prefixes else []
    if not found:
        return ""
    what = "、".join(dict.fromkeys(f.rule for f in found))
    return f"（数据不完整：{what}）"


# --- document set-up -----------------------------------------------------------------------------------


def _new_document(cat: Catalogue) -> DocxDocument:
    return new_document(f"{cat.town}团委{cat.year}年度工作数据摘要", f"{cat.year}年度工作总结")


def new_document(title: str, subject: str) -> DocxDocument:
    """An empty document in this module's style (page, styles, heading numbering, page numbers, fonts)
    with ``title`` and ``subject`` as its properties: the town summary, and other documents in the same
    official style (the 青年大学习 通报, analysis.bulletin)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.footer_distance = FOOTER_DISTANCE
    section.header_distance = Cm(1.5)
    _define_styles(doc)
    _page_numbers(doc)
    _font_table(doc)
    _properties(doc, title, subject)
    return doc


def _define_styles(doc: DocxDocument) -> None:
    styles = doc.styles
    _document_defaults(doc)
    num_id = _heading_numbering(doc)

    normal = styles["Normal"]
    _font(normal, FONT_FANG, SIZE_3)
    _paragraph(normal, first_chars=2, size=SIZE_3, line=LINE_PITCH)
    normal.paragraph_format.widow_control = True

    title = _reset(styles["Title"])
    _font(title, FONT_TITLE, SIZE_2)
    _paragraph(title, first_chars=0, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, after=LINE_PITCH)
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    for name, font, level in (("Heading 1", FONT_HEI, 0), ("Heading 2", FONT_KAI, 1)):
        heading = _reset(styles[name], keep_outline=True)
        _font(heading, font, SIZE_3)
        _paragraph(heading, first_chars=2, size=SIZE_3, line=LINE_PITCH)
        heading.paragraph_format.keep_with_next = True
        heading.next_paragraph_style = normal
        num_pr = heading.element.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = num_id

    caption = _reset(styles["Caption"])
    caption.element.get_or_add_semiHidden().val = False  # shown in Word's style gallery
    _font(caption, FONT_HEI, SIZE_4)
    _paragraph(
        caption, first_chars=0, size=SIZE_4, align=WD_ALIGN_PARAGRAPH.CENTER, before=Pt(6), after=Pt(6)
    )
    caption.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    note = _add_paragraph_style(doc, STYLE_NOTE, normal)
    _font(note, FONT_KAI, SIZE_3)

    figure = _add_paragraph_style(doc, STYLE_FIGURE, normal)
    _paragraph(figure, first_chars=0, size=SIZE_3, align=WD_ALIGN_PARAGRAPH.CENTER, before=Pt(12))
    figure.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # a fixed pitch would crop pictures
    figure.paragraph_format.keep_with_next = True  # picture and its caption (below) stay together

    table_text = _add_paragraph_style(doc, STYLE_TABLE_TEXT, normal)
    _font(table_text, FONT_FANG, SIZE_S4)
    _paragraph(table_text, first_chars=0, size=SIZE_S4, align=WD_ALIGN_PARAGRAPH.CENTER)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table_text.paragraph_format.widow_control = False
    small = _add_paragraph_style(doc, STYLE_TABLE_TEXT_SMALL, table_text)
    _font(small, FONT_FANG, SIZE_5)

    table_note = _add_paragraph_style(doc, STYLE_TABLE_NOTE, normal)
    _font(table_note, FONT_FANG, SIZE_S4)
    _paragraph(table_note, first_chars=0, size=SIZE_S4, before=Pt(3), after=Pt(6))
    table_note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    footer = _reset(styles["Footer"])
    _font(footer, FONT_SONG, SIZE_4)
    _paragraph(footer, first_chars=0, size=SIZE_4, align=WD_ALIGN_PARAGRAPH.CENTER)
    footer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    footer.paragraph_format.tab_stops.clear_all()

    for linked in ("TitleChar", "Heading1Char", "Heading2Char"):  # character twins of the styles above
        element = styles.element.get_by_id(linked)
        if element is not None:
            styles.element.remove(element)
    for name in ("Title", "Heading 1", "Heading 2"):
        link = styles[name].element.find(qn("w:link"))
        if link is not None:
            styles[name].element.remove(link)

    _table_style(doc)


def _document_defaults(doc: DocxDocument) -> None:
    """Explicit fonts instead of the template's theme fonts, Chinese language, no spacing after, and no
    automatic gap between Chinese and Latin letters or digits (Word's and LibreOffice's default adds a
    quarter em: "300 名" on the page although the text says "300名", against the typography rule)."""
    root = doc.styles.element
    rpr = root.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is not None:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None:
            for attr in _THEME_FONT_ATTRS:
                fonts.attrib.pop(qn(attr), None)
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
                fonts.set(qn(attr), FONT_FANG)
            fonts.set(qn("w:cs"), "Times New Roman")
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = root.find(qn("w:docDefaults") + "/" + qn("w:pPrDefault") + "/" + qn("w:pPr"))
    if ppr is not None:
        spacing = ppr.find(qn("w:spacing"))
        if spacing is not None:
            ppr.remove(spacing)
        for name in ("w:autoSpaceDE", "w:autoSpaceDN"):  # schema order: both before w:spacing and others
            element = OxmlElement(name)
            element.set(qn("w:val"), "0")
            ppr.insert(len(ppr.findall(qn("w:autoSpaceDE"))), element)
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _reset(style: BaseStyle, keep_outline: bool = False) -> Any:
    """Drop the template's paragraph and run formatting of a built-in style (theme fonts, colours …)."""
    element = style.element
    ppr = element.find(qn("w:pPr"))
    if ppr is not None:
        outline = ppr.find(qn("w:outlineLvl"))
        element.remove(ppr)
        if keep_outline and outline is not None:
            element.get_or_add_pPr().append(outline)
    rpr = element.find(qn("w:rPr"))
    if rpr is not None:
        element.remove(rpr)
    style.font.color.rgb = RGBColor(0, 0, 0)
    return style


def _add_paragraph_style(doc: DocxDocument, name: str, base: BaseStyle) -> ParagraphStyle:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = _STYLE_IDS[name]
    style.base_style = base
    style.quick_style = True
    style.next_paragraph_style = doc.styles["Normal"]
    return style  # type: ignore[return-value]


def _font(style: BaseStyle, name: str, size: Length) -> None:
    """Latin and East Asian font plus size of a style."""
    style.font.name = name
    _east_asian(style.element.get_or_add_rPr(), name)
    style.font.size = size


def _east_asian(rpr: Any, name: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    style: BaseStyle,
    first_chars: int,
    size: Length,
    line: Length | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    before: Length | None = None,
    after: Length | None = None,
) -> None:
    """Indent (in characters of ``size``), spacing, alignment of a paragraph style."""
    fmt = style.paragraph_format  # type: ignore[attr-defined]
    fmt.left_indent = 0
    fmt.right_indent = 0
    fmt.first_line_indent = Length(int(size) * first_chars)
    ind = style.element.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(first_chars * 100))  # Word indents by characters
    ind.set(qn("w:leftChars"), "0")
    fmt.space_before = before or Pt(0)
    fmt.space_after = after or Pt(0)
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
    if align is not None:
        fmt.alignment = align


def _heading_numbering(doc: DocxDocument) -> int:
    """A multilevel list 一、/（一） linked to Heading 1/2; returns its numId."""
    numbering = doc.part.numbering_part.element
    ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    abstract_id = max(ids, default=-1) + 1
    indent = f'<w:pPr><w:ind w:left="0" w:firstLine="{int(SIZE_3.pt * 40)}" w:firstLineChars="200"/></w:pPr>'
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        f'<w:pStyle w:val="{style_id}"/><w:suff w:val="nothing"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/>{indent}</w:lvl>'
        for i, (style_id, text) in enumerate((("Heading1", "%1、"), ("Heading2", "（%2）")))
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    return int(numbering.add_num(abstract_id).numId)


def _table_style(doc: DocxDocument) -> None:
    """数据表格: thin single borders all round, small cell margins, centred."""
    style = doc.styles.add_style(STYLE_TABLE, WD_STYLE_TYPE.TABLE)
    style.style_id = _STYLE_IDS[STYLE_TABLE]
    style.base_style = doc.styles["Normal Table"]
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    tbl_pr = parse_xml(
        f'<w:tblPr {nsdecls("w")}><w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
        '<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>'
    )
    style.element.append(tbl_pr)


def _page_numbers(doc: DocxDocument) -> None:
    """Footer "— N —", centred (style Footer)."""
    footer = doc.sections[0].footer
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.style = doc.styles["Footer"]
    paragraph.add_run("— ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" —")


def _font_table(doc: DocxDocument) -> None:
    """Declare the official fonts (GB2312 charset) with alternatives Word can use when they are missing."""
    rel = next((r for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if rel is None or not hasattr(rel.target_part, "_blob"):
        return
    part = rel.target_part
    root = etree.fromstring(part.blob)
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name in (FONT_TITLE, FONT_HEI, FONT_KAI, FONT_FANG, FONT_SONG):
        if name in known:
            continue
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        alt = FONT_ALTERNATIVES.get(name)
        if alt:
            etree.SubElement(font, qn("w:altName"), {qn("w:val"): alt})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "modern" if name == FONT_HEI else "roman"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _properties(doc: DocxDocument, title: str, subject: str) -> None:
    props = doc.core_properties
    props.title = title
    props.subject = subject
    props.author = "数据分析套件"
    props.last_modified_by = "数据分析套件"
    props.comments = ""
    props.keywords = ""
    props.revision = 1
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's preview picture
            package.rels.pop(r_id)


# --- content -------------------------------------------------------------------------------------------


def _field(paragraph: Paragraph, instruction: str, cached: str) -> None:
    """A complex field (begin / instruction / separate / cached result / end) in ``paragraph``."""

    def char(kind: str) -> None:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run(cached)
    char("end")


def _caption(
    doc: DocxDocument, label: str, text: str, counters: dict[str, int], keep_next: bool
) -> Paragraph:
    """Caption "图N text" / "表N text" with N a SEQ field (style Caption)."""
    counters[label] += 1
    paragraph = doc.add_paragraph(style="Caption")
    paragraph.add_run(label)
    _field(paragraph, f"SEQ {label} \\* ARABIC", str(counters[label]))
    paragraph.add_run(_clean(f" {text}".rstrip()))
    if keep_next:  # a table caption stays with its table
        paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _clean(value: Any) -> str:
    """Text as the document shows it: control characters (other than tab/newline) removed (Word rejects
    them), set by the typography rule (`formatting.typeset`). Every text of the document passes here."""
    return formatting.typeset(_CONTROL_CHARS.sub("", str(value)))


def _add(doc: DocxDocument, text: Any, style: str | None = None) -> Paragraph:
    return doc.add_paragraph(_clean(text), style=style)


def add_text(doc: DocxDocument, text: Any, style: str | None = None) -> Paragraph:
    """A paragraph of ``text`` (set by the typography rule) in ``style`` (default 正文): for documents
    made with `new_document`."""
    return _add(doc, text, style)


def add_table(doc: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    """A 数据表格 table of display texts (set by the typography rule): for documents made with
    `new_document`."""
    return _table(doc, header, rows)


def _text(doc: DocxDocument, text: str) -> None:
    for line in text.splitlines():
        if line.strip():
            _add(doc, line.strip())


def _figure(
    doc: DocxDocument,
    item: dict[str, Any],
    reports_dir: Path,
    counters: dict[str, int],
    max_height_cm: float = FIGURE_MAX_HEIGHT_CM,
) -> bool:
    """The picture (15.5 cm wide, centred; narrower when it would be taller than ``max_height_cm``) and
    its caption below; False when the PNG is unusable."""
    caption = str(item.get("caption", ""))
    relative = str(item.get("png") or f"{FIGURES_DIR}/{item.get('name')}.png")
    path = (reports_dir / relative).resolve()
    if not path.is_relative_to(reports_dir.resolve()) or not path.is_file():
        log.warning("年度总结草稿：找不到图表文件 %s（%s），已跳过该图。", relative, caption)
        return False
    try:
        with Image.open(path) as image:
            width_px, height_px = image.size
    except (OSError, UnidentifiedImageError):
        log.warning("年度总结草稿：图表文件 %s 无法读取，已跳过该图。", relative)
        return False
    width_cm = FIGURE_WIDTH_CM
    if width_px and height_px and width_cm * height_px / width_px > max_height_cm:
        width_cm = max_height_cm * width_px / height_px  # tall charts: narrower
    paragraph = doc.add_paragraph(style=STYLE_FIGURE)
    try:
        paragraph.add_run().add_picture(str(path), width=Cm(width_cm))
    except Exception:  # python-docx rejects some image variants; a draft must not fail on one figure
        log.warning("年度总结草稿：图表文件 %s 无法插入文档，已跳过该图。", relative, exc_info=True)
        paragraph._p.getparent().remove(paragraph._p)
        return False
    _caption(doc, SEQ_FIGURE, caption, counters, keep_next=False)
    return True


def _data_table(doc: DocxDocument, item: dict[str, Any], counters: dict[str, int]) -> None:
    """Caption above, the table, and the truncation note when only the first rows are listed."""
    columns = [str(c) for c in item.get("columns", [])]
    rows = [list(r) for r in item.get("rows", [])]
    _caption(doc, SEQ_TABLE, str(item.get("caption", "")), counters, keep_next=True)
    cells = [[_cell_text(v, columns[j] if j < len(columns) else "") for j, v in enumerate(r)] for r in rows]
    _table(doc, columns, cells)
    if item.get("truncated"):
        shown = sum(1 for r in rows if not _is_total(r))
        _add(doc, f"（仅列出前{shown}行，完整数据见{WORKBOOK}）", STYLE_TABLE_NOTE)


def _table(
    doc: DocxDocument,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
) -> Table:
    """A 数据表格 table: bold header repeated on every page, rows kept whole, content-based widths."""
    n_cols = max(len(header), *(len(r) for r in rows)) if rows else len(header)
    n_cols = max(n_cols, 1)
    header = list(header) + [""] * (n_cols - len(header))
    body = [list(r) + [""] * (n_cols - len(r)) for r in rows]
    table = doc.add_table(rows=1 + len(body), cols=n_cols)
    table.style = doc.styles[STYLE_TABLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    small = n_cols > SMALL_TABLE_COLUMNS or sum(_column_needs(header, body, SIZE_S4)) > TEXT_WIDTH_CM
    size = SIZE_5 if small else SIZE_S4  # 五号 when 小四 does not fit on one line per cell
    # the style's id, resolved once: assigning ``paragraph.style`` looks the default style up every time
    text_style_id = doc.styles[STYLE_TABLE_TEXT_SMALL if small else STYLE_TABLE_TEXT].style_id
    widths = [Cm(w) for w in _fit_widths(_column_needs(header, body, size), _breakable(body, n_cols), size)]
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
    for i, (row, values) in enumerate(zip(table.rows, [header, *body], strict=True)):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if i == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        for cell, value, width in zip(row.cells, values, widths, strict=True):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph._p.style = text_style_id
            run = paragraph.add_run(_clean(value))
            if i == 0 or _is_total(values):
                run.bold = True
    return table


def _is_total(row: Sequence[Any]) -> bool:
    """A 合计 row (bold, not counted among the listed rows)."""
    return any(str(v) == TOTAL_LABEL for v in row)


def _column_needs(header: Sequence[str], rows: Sequence[Sequence[str]], size: Length) -> list[float]:
    """Width (cm) each column needs for its longest cell on one line (CJK counts double); a long header
    may take two lines."""
    needs = []
    for j, head in enumerate(header):
        units = _text_units(head)
        head_units = units if units <= HEADER_UNITS else max(HEADER_UNITS, math.ceil(units / 2))
        longest = max([head_units, *(_text_units(r[j]) for r in rows)])
        needs.append(_cm(max(longest, 2), size))
    return needs


def _cm(units: float, size: Length) -> float:
    return units * size.pt * HALF_WIDTH_EM * 2.54 / 72 + CELL_PADDING_CM


def _breakable(rows: Sequence[Sequence[str]], n_cols: int) -> list[bool]:
    """Columns of longer Chinese text, which wrap well (names of branches, activities); numbers, dates and
    short words should not wrap."""
    return [any(_wide_chars(r[j]) >= BREAKABLE_WIDE_CHARS for r in rows) for j in range(n_cols)]


def _wide_chars(text: str) -> int:
    return sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def _text_units(text: str) -> int:
    """Width in half-width characters of the longest line; wide and ambiguous (–, ×, ·) count 2."""
    if text.isascii():
        return max((len(line) for line in text.split("\n")), default=0)
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line) for line in text.split("\n")
    )


def _fit_widths(needs: Sequence[float], breakable: Sequence[bool], size: Length) -> list[float]:
    """Column widths (cm) filling the text width. When everything fits on one line, spare room is shared
    in proportion to the needs; otherwise the other columns keep their width and the Chinese-text
    columns share the rest (wrapping), or, when even that does not fit, the widest columns are capped."""
    total = sum(needs)
    if total <= TEXT_WIDTH_CM:
        return [TEXT_WIDTH_CM * n / total for n in needs]
    fixed = sum(n for n, b in zip(needs, breakable, strict=True) if not b)
    floor = _cm(BREAKABLE_MIN_UNITS, size)
    wrapping = [n for n, b in zip(needs, breakable, strict=True) if b]
    if wrapping and fixed + floor * len(wrapping) <= TEXT_WIDTH_CM:
        cap = _water_level(wrapping, TEXT_WIDTH_CM - fixed)
        return [min(n, cap) if b else n for n, b in zip(needs, breakable, strict=True)]
    cap = _water_level(needs, TEXT_WIDTH_CM)
    return [min(n, cap) for n in needs]


def _water_level(needs: Sequence[float], room: float) -> float:
    """The cap c with sum(min(need, c)) == room (narrow columns keep their need, wide ones get c)."""
    ordered = sorted(needs)
    for i, need in enumerate(ordered):
        share = room / (len(ordered) - i)
        if need > share:
            return share
        room -= need
    return max(needs)


def _cell_text(value: Any, column: str) -> str:
    """Display text of a section table cell (the notebooks store them as text already; numbers are
    formatted as everywhere else: rates by a rate column's name, 是/否 for booleans)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return ""
        if _is_rate_column(column) and 0.0 <= value <= 1.0:
            return formatting.percent(value)
        return formatting.count(value) if float(value).is_integer() else formatting.number(value)
    return str(value)


def _is_rate_column(column: str) -> bool:
    if "%" in column or "％" in column:
        return False
    name = re.sub(r"（.*?）|\(.*?\)", "", column).strip()
    return column in _RATE_HEADERS or name.endswith("率") or name.endswith("占比")


# --- 主要数据一览 --------------------------------------------------------------------------------------


def _headline_table(doc: DocxDocument, cat: Catalogue, counters: dict[str, int], branch_rates: bool) -> None:
    summary = cat.summary_table()
    if not branch_rates and len(summary):
        summary = summary[~summary["key"].str.startswith(BRANCH_RATE_PREFIX)]
    if not len(summary):
        _add(doc, "本年度暂无可汇总的指标数据。")
        return
    with_previous = bool(cat.previous)
    with_targets = any(_number(t) is not None for t in summary["target"])
    header = ["指标", "本年"]
    if with_previous:
        header += ["上年", "变化"]
    if with_targets:
        header += ["目标", "是否达标"]
    rows = []
    marked = False
    for r in summary.itertuples(index=False):
        gap = bool(cat.assessment.affected(r.key))
        marked |= gap
        ki = cat.info(r.key)
        row = [_clean(r.label) + ("*" if gap else ""), _with_unit(ki, _number(r.value))]
        if with_previous:
            change = formatting.shown_change(_number(r.value), _number(r.previous), ki.kind)
            row += [_with_unit(ki, _number(r.previous)), _change(ki, change)]
        if with_targets:
            target = _number(r.target)
            row += [_with_unit(ki, target) if target is not None else "—", _met(r.met)]
        rows.append(row)
    _caption(doc, SEQ_TABLE, f"{cat.year}年主要工作数据", counters, keep_next=True)
    _table(doc, header, rows)
    notes = []
    if with_previous:
        notes.append(
            f"本年为{cat.year}年，上年为{cat.year - 1}年；比率的变化以百分点计，由表中显示的百分比相减得出"
        )
    if marked:
        notes.append("带 * 的指标受数据缺口影响（数据不完整，见第一页）")
    if notes:
        _add(doc, "注：" + "；".join(notes) + "。", STYLE_TABLE_NOTE)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return None if pd.isna(value) else float(value)
    except (TypeError, ValueError):
        return None


def _met(value: Any) -> str:
    return value if isinstance(value, str) and value else "—"


def _with_unit(ki: KeyInfo, value: float | None) -> str:
    if value is None:
        return formatting.DASH
    return f"{ki.format(value)}{ki.unit}"


def _change(ki: KeyInfo, change: float | None) -> str:
    """'增加34人' / '提高1.2个百分点' / '持平' (words, not signs, as the narrative says it)."""
    return formatting.change_words(change, ki.kind, ki.unit, sep="")
