"""Readings that know when they are unsure: what contradicts the kind a sheet was recognised as.

A recognised sheet is set aside — never turned into ratings, activities or study records — and reported as
a serious gap (无法确定这张表是什么, with the evidence and the ``files:`` line that settles it) when:

- its name says otherwise: the sheet name, else its title row, else the file name names another kind
  (the longest kind name found decides: 积极分子名册 is recruitment, not a 名册) and never the kind read;
- it is a summary made from records: a header cell it leaves unread is a rate, a ranking or a score of a
  period (参与率, 学习率, 排名, 本期分数 …).

A name is weighed against the header: a reading whose columns make a strong case (score ≥ ``Detector.strong_reading``, far
above any misreading seen: 3.25 for a check-in log read as activities) is not doubted for a word in a
title (花名册 above an aid list), nor is one whose own kind the same text also names.

A kind pinned in town.yml's ``files:`` is never doubted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.common.text import compact
from analysis.common.vocabulary import Vocabulary, header_key
from analysis.ingest.detector import DETECTOR
from analysis.ingest.recognise import VALUE_CELL, Layout, SheetContext

_DERIVED_HEADER = re.compile(
    r"(?<!税)率$|率\(%\)$|率%$|排名|名次|排行|本期分数|平均分|(天数|次数)$|^(汇总|统计|异常统计)$"
)
_SUMMARY_NAME = re.compile(r"汇总|统计|透视|排名|排行")
# what a sheet may be that no kind is: money paid by members, not aid; wages; expenses
NOT_A_KIND = ("团费", "党费", "缴纳", "收缴", "缴费", "工资", "报销")


@dataclass(frozen=True)
class Doubt:
    """Why a reading is not trusted (Chinese), for the report, the gate and ``explain``."""

    reasons: tuple[str, ...]
    not_ours: str | None = None  # the name says the sheet is something no kind is (团费 …): skip it

    def __bool__(self) -> bool:
        return bool(self.reasons)


def named_kind(text: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """(kind key, the name found) of the longest kind name or label written in ``text``; the key is
    ``""`` for a name of something no kind is (团费, 工资 …)."""
    key = compact(text) or ""
    best: tuple[int, str, str] | None = None
    for name in NOT_A_KIND:
        if name in key and (best is None or len(name) > best[0]):
            best = (len(name), "", name)
    for kind in vocab.kinds.values():
        for name in (kind.label, *kind.names):
            n = compact(name) or ""
            if len(n) >= 2 and n in key and (best is None or len(n) > best[0]):
                best = (len(n), kind.key, name)
    return (best[1], best[2]) if best else None


def doubts(layout: Layout, where: SheetContext, vocab: Vocabulary) -> Doubt:
    """What contradicts ``layout`` (empty when nothing does)."""
    kind = vocab.kinds[layout.kind]
    reasons: list[str] = []
    not_ours: str | None = None
    texts = [("工作表名称", where.sheet), ("标题行", layout.title), ("文件名", where.file.rsplit("/", 1)[-1])]
    for how, text in texts:
        found = named_kind(text or "", vocab)
        if found is None:
            continue
        other, name = found
        own = any(
            (compact(n) or "") in (compact(text) or "") for n in (kind.label, *kind.names) if len(n) >= 2
        )
        if other != layout.kind and not own and layout.score < DETECTOR.strong_reading:
            what = f"（{vocab.kinds[other].label}）" if other else "（不属于任何一类数据）"
            reasons.append(f"{how}“{text}”写的是“{name}”{what}，却被识别为“{kind.label}”")
            not_ours = None if other else name
        break  # the most specific text that names a kind decides
    used = set(layout.columns.values())
    unused = {
        c: t
        for c, t in layout.headers.items()
        if c not in used and (layout.wide is None or c not in layout.wide.columns)
    }
    derived = [t for t in unused.values() if _DERIVED_HEADER.search(header_key(t.rsplit("/", 1)[-1]) or "")]
    if derived and layout.wide is None:  # a matrix of marks may end in a row total (全年打卡次数)
        shown = "、".join(f"“{t}”" for t in derived[:4])
        reasons.append(f"表头有 {shown} 等统计列，像是由明细汇总出来的统计表，不是明细记录")
        if any(_SUMMARY_NAME.search(t or "") for t in (where.sheet, layout.title)):
            not_ours = "统计表"  # named a summary, headed like one: known not to be records
    valued = [t for t in layout.headers.values() if VALUE_CELL.match(header_key(t.rsplit("/", 1)[-1]) or "")]
    if len(valued) >= 2:
        shown = "、".join(f"“{t}”" for t in valued[:4])
        rows = "、".join(map(str, layout.header_rows))
        reasons.append(
            f"被当作表头的第 {rows} 行中有 {shown} 等像是数据的单元格（日期、时刻、编号），表头多半没有找对"
        )
    return Doubt(tuple(dict.fromkeys(reasons)), not_ours)
