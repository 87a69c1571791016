"""通报.docx: 关于……“青年大学习”学习情况的通报, in the official-document style of the yearly summary
(report/summary_doc.py: page, fonts, numbered headings, tables — its helpers, not a copy).

Addressed to 各团支部: the town's 参学率 with the change against the previous period and the target;
the branches that met the target (commended) and those that did not (named, with their rates); the
branches whose export looks missing (数据缺失, unranked); how many members have not studied once this
quarter; the table of every branch as an attachment; the committee and the date. No personal data:
no member is named. Every text passes the one typography rule (formatting.typeset).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from analysis.bulletin.numbers import MISSING_TEXT, BranchRow, Bulletin, change
from analysis.common import formatting
from analysis.query.participation import SPECIAL
from analysis.report import summary_doc
from analysis.report.section import TOTAL_LABEL
from analysis.safety import safe_io

SIGN_INDENT = Pt(16 * 4)  # the committee and the date: four characters in from the right margin


def title(b: Bulletin) -> str:
    """关于第12季第5期“青年大学习”学习情况的通报 (a 特辑: 关于“青年大学习”五四特辑……)."""
    if b.scope.single and b.scope.label.startswith(SPECIAL):
        return f"关于“青年大学习”{b.scope.words}学习情况的通报"
    return f"关于{b.scope.words}“青年大学习”学习情况的通报"


def _points(fraction: float) -> str:
    return f"{formatting.number(formatting.points(abs(fraction)))}{formatting.POINTS}"


def against_previous(rate: float | None, previous: float | None, words: str) -> str:
    """较上期（第12季第4期）提高1.2个百分点 / 与上季度持平 / "" without a scope before."""
    if not words:
        return ""
    moved = change(rate, previous)
    if moved is None:
        return f"{words}无可比数据"
    if abs(moved) < 1e-9:
        return f"与{words}持平"
    return f"较{words}{formatting.change_words(moved, 'rate', sep='')}"


def against_target(rate: float | None, target: float | None, met: bool | None) -> str:
    """高于90%的目标3.3个百分点 / 低于…… / 达到90%的目标 (the verdict is ``met``, as indicators.xlsx's)."""
    if target is None:
        return "本年度未设参学率目标"
    gap = formatting.shown_change(rate, target, "rate")
    goal = f"{formatting.percent(target)}的目标"
    if gap is None:
        return ""
    if met and gap > 0:
        return f"高于{goal}{_points(gap)}"
    if met:
        return f"达到{goal}"
    return f"低于{goal}{_points(gap)}" if gap < 0 else f"略低于{goal}"


def _when(b: Bulletin) -> str:
    return f"截至{formatting.day(b.data_date)}" if b.data_date is not None else ""


def overview(b: Bulletin) -> str:
    """The opening paragraph: what was studied, the town's rate, its change and the target."""
    s, t = b.scope, b.town
    compared = "，".join(
        x
        for x in (
            against_previous(t.rate, t.previous, s.previous_words),
            against_target(t.rate, b.target, t.met),
        )
        if x
    )
    if s.single:
        first = f"{s.words}“青年大学习”于{formatting.day(s.last_date)}前后发布。"
        numbers = f"全镇应参学团员{formatting.count(t.due)}名，已学习{formatting.count(t.learners)}名，参学率{formatting.percent(t.rate)}"
    else:
        first = f"{s.words}共发布“青年大学习”{len(s.periods)}期。"
        numbers = (
            f"全镇团员平均参学率{formatting.percent(t.rate)}（各期参学率的平均；"
            f"参学{formatting.count(t.learners)}人次，应参学{formatting.count(t.due)}人次）"
        )
    when = _when(b)
    return (
        f"{first}{when}{'，' if when else ''}{numbers}，{compared}。"
        if compared
        else f"{first}{when}，{numbers}。"
    )


def gap_note(b: Bulletin) -> str:
    """Why some branches are not ranked, and what that does to the town's rate ("" without gaps)."""
    gaps = b.with_gaps
    if not gaps:
        return ""
    if b.scope.single:
        where = "、".join(r.branch for r in gaps) + "本期"
    else:
        where = "、".join(f"{r.branch}有{len(r.missing)}期" for r in gaps)
    return (
        f"其中，{where}没有任何学习记录，按以往的参学水平几乎不可能，多半是导出缺失，"
        f"在下文和附件中标为“{MISSING_TEXT}”，不参与排名；全镇参学率中这些团员按未学习计算，"
        "补齐导出后以重新生成的通报为准。"
    )


def _rate_list(rows: list[BranchRow]) -> str:
    return "、".join(f"{r.branch}（{formatting.percent(r.rate)}）" for r in rows)


def commendation(b: Bulletin) -> str:
    """The branches at or above the target, commended (without a target: the three highest)."""
    if b.target is None:
        top = b.ranked[:3]
        if not top:
            return "本期没有可排名的团支部。"
        return f"参学率排名前列的团支部为{_rate_list(top)}，予以通报表扬。"
    good = b.commended
    goal = f"{formatting.percent(b.target)}的目标"
    if not good:
        return f"没有团支部参学率达到{goal}。"
    best = good[0]
    lead = f"其中{best.branch}参学率最高，为{formatting.percent(best.rate)}。" if len(good) > 1 else ""
    many = f"等{len(good)}个团支部" if len(good) > 1 else ""
    return f"{'、'.join(r.branch for r in good)}{many}参学率达到{goal}，予以通报表扬。{lead}"


def shortfall(b: Bulletin) -> str:
    """The branches below the target, named with their rates (without a target: the three lowest)."""
    if b.target is None:
        low = b.ranked[-3:][::-1] if len(b.ranked) > 3 else []
        return f"参学率较低的团支部为{_rate_list(low)}，请抓紧组织团员学习。" if low else ""
    low = b.below
    goal = f"{formatting.percent(b.target)}的目标"
    if not low:
        return f"各团支部参学率均达到{goal}。"
    many = f"等{len(low)}个团支部" if len(low) > 1 else ""
    return (
        f"{_rate_list(low[::-1])}{many}参学率低于{goal}。请相关团支部书记对照待学习名单，"
        "督促未学习的团员及时补学。"
    )


def missing_data(b: Bulletin) -> str:
    """Each branch whose export looks missing, with the periods ("" without gaps)."""
    gaps = b.with_gaps
    if not gaps:
        return ""
    if b.scope.single:
        names = "、".join(r.branch for r in gaps)
        return f"{names}本期没有任何学习记录。请核对是否漏导出，补齐导出后重新生成本通报。"
    parts = "；".join(f"{r.branch}缺少{'、'.join(r.missing)}的记录" for r in gaps)
    return f"{parts}。请核对是否漏导出，补齐导出后重新生成本通报。"


def never(b: Bulletin) -> str:
    """How many members have not studied once this quarter so far."""
    s = b.scope
    if b.town.never == 0:
        return f"{s.quarter_words}，全镇应参学的团员都至少参加了一期学习。"
    note = "（含数据缺失团支部的团员，补齐导出后人数会减少）" if b.with_gaps else ""
    return (
        f"{s.quarter_words}，全镇仍有{formatting.count(b.town.never)}名团员一次也没有参加学习{note}。"
        "各团支部的待学习名单随本通报一并下发，请各团支部书记逐一提醒，做到应学尽学。"
    )


def _change_cell(row: BranchRow) -> str:
    moved = row.change
    return formatting.DASH if moved is None else formatting.change(formatting.points(moved), "number")


def _met_cell(met: bool | None) -> str:
    return formatting.DASH if met is None else ("是" if met else "否")


def attachment(b: Bulletin) -> tuple[list[str], list[list[str]]]:
    """附件: header and rows (every branch, then the town as 合计)."""
    s = b.scope
    header = ["名次", "团支部"]
    header += ["应参学团员", "已学习"] if s.single else ["应参学人次", "参学人次"]
    header += ["参学率", f"{s.since}（百分点）", "是否达标"]
    rows = []
    for r in b.branches:
        rate = f"{MISSING_TEXT}（{len(r.missing)}期）" if r.missing and not s.single else MISSING_TEXT
        rows.append(
            [
                formatting.DASH if r.rank is None else formatting.count(r.rank),
                r.branch,
                formatting.count(r.due),
                formatting.DASH if r.missing and s.single else formatting.count(r.learners),
                rate if r.missing else formatting.percent(r.rate),
                _change_cell(r),
                _met_cell(r.met),
            ]
        )
    t = b.town
    moved = t.change
    rows.append(
        [
            "",
            TOTAL_LABEL,
            formatting.count(t.due),
            formatting.count(t.learners),
            formatting.percent(t.rate),
            formatting.DASH if moved is None else formatting.change(formatting.points(moved), "number"),
            _met_cell(t.met),
        ]
    )
    return header, rows


def definition_note(b: Bulletin) -> str:
    """注 under the attachment: what the rate is, where the gaps come from, how far the data reach."""
    many = "；多期为各期参学率的平均" if not b.scope.single else ""
    when = f"数据{_when(b)}。" if b.data_date is not None else ""
    return (
        f"注：参学率为当期已学习团员占当天在本团支部团员的比例{many}，与年度报告口径一致。"
        f"“{MISSING_TEXT}”指该团支部该期没有任何学习记录、数据完整性检查认为多半是导出缺失。{when}"
    )


def write_notice(path: Path, b: Bulletin, issued: dt.date) -> Path:
    """Write 通报.docx atomically; returns ``path``. ``issued``: the date line."""
    doc = summary_doc.new_document(title(b), f"{b.town_name}团委“青年大学习”学习情况通报")
    summary_doc.add_text(doc, title(b), "Title")
    addressee = summary_doc.add_text(doc, "各团支部：")
    addressee.paragraph_format.first_line_indent = Pt(0)
    summary_doc.add_text(doc, overview(b) + gap_note(b))
    sections = [
        ("通报表扬", commendation(b)),
        ("未达到目标的团支部", shortfall(b)),
        (MISSING_TEXT, missing_data(b)),
        ("尚未参学的团员", never(b)),
    ]
    for heading, text in sections:
        if text:
            summary_doc.add_text(doc, heading, "Heading 1")
            summary_doc.add_text(doc, text)
    summary_doc.add_text(doc, "")
    for line in (f"共青团{b.town_name}委员会", formatting.day(issued)):
        paragraph = summary_doc.add_text(doc, line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = SIGN_INDENT
    heading = summary_doc.add_text(
        doc, f"附件：{b.scope.words}各团支部“青年大学习”参学情况", summary_doc.STYLE_NOTE
    )
    heading.paragraph_format.page_break_before = True
    heading.paragraph_format.first_line_indent = Pt(0)
    header, rows = attachment(b)
    summary_doc.add_table(doc, header, rows)
    summary_doc.add_text(doc, definition_note(b), summary_doc.STYLE_TABLE_NOTE)
    with safe_io.atomic_output(path) as tmp:
        doc.save(str(tmp))
    return path
