"""Recognition of a sheet: where its header is, which export kind it is, and where each canonical column's
values come from — a header (by meaning, see resources/kinds.yml), the cells' content, or the sheet's context
(sheet name, title rows, file name, folder names). Wide layouts (one column per branch, month or period)
are recognised from their header cells.

Every kind is scored on every header candidate; a column only one kind has weighs more than shared ones,
and a header that is such a column of another kind counts against a kind. The winner, the runner-up and
the margin are kept for the ingest report and ``explain``.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, ClassVar

import pandas as pd

from analysis.common.config import COMMITTEE, TownConfig
from analysis.common.vocabulary import DISTINCTIVE, ColumnDef, KindDef, Vocabulary, header_key
from analysis.ingest.branches import BranchResolver
from analysis.ingest.detector import DETECTOR
from analysis.ingest.normalize import (
    PLACEHOLDERS,
    canonical_period,
    clean_text,
    compact,
    is_blank,
    is_code,
    is_running,
    month_of,
    normalize_name,
    parse_date,
    parse_flag,
    parse_number,
    split_identity,
)
from analysis.ingest.readers import RawSheet, column_letter
from analysis.safety import privacy

INFER_TYPES = ("name", "identity", "branch", "period", "id_number", "month", "date")
AMBIGUOUS_HEADER = frozenset({"seq", "code"})  # a header naming only a number of some kind: 编号, 账号, ID
_CJK_NAME = re.compile(r"^[\u3400-\u9fff·]{2,12}$")
# a cell that is a value, not a header: a date, a time of day, a code with digits (TW0001), a long number
VALUE_CELL = re.compile(
    r"^(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?.*|\d{1,2}:\d{2}(:\d{2})?|[a-z]{1,4}\d{3,}|\d{5,})$"
)
_MONTH_HEADER = re.compile(r"^(?:(20\d{2})\s*[年.\-/])?\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*月份?$")


# ------------------------------------------------------------------ where values come from


@dataclass(frozen=True)
class Source:
    """Where a canonical column's values come from."""

    how: str  # header / spelling / content / sheet / title / file / folder / wide
    col: int | None = None
    header: str | None = None
    value: str | None = None

    HOW: ClassVar[dict[str, str]] = {
        "header": "表头",
        "spelling": "表头（town.yml 中的写法）",
        "content": "按内容识别",
        "sheet": "工作表名称",
        "title": "标题行",
        "file": "文件名",
        "folder": "文件夹名",
        "wide": "宽表的列标题",
        "code": "按内容识别为学号",
        "heading": "分组标题行",
    }

    def describe(self) -> str:
        where = f"{column_letter(self.col)} 列" if self.col is not None else ""
        if self.how in ("header", "spelling"):
            return f"{self.HOW[self.how]}“{self.header}”（{where}）"
        if self.how == "content":
            shown = self.header or "（空）"
            return f"{self.HOW['content']}：{where}，表头为“{shown}”"
        if self.how == "code":
            return f"{self.HOW['code']}：{where}，表头“{self.header}”只说是编号；与名册中的学号相符时才作为学号使用"
        if self.how == "wide":
            return f"{self.HOW['wide']}（每列一个{self.value}）"
        if self.how == "heading":
            return f"{self.HOW['heading']}（如“一、团干部培训（3月30日，…）”，其下各行属于该组）"
        return f"{self.HOW[self.how]}“{self.value}”"

    def as_dict(self) -> dict[str, Any]:
        return {
            "how": self.how,
            "column": column_letter(self.col) if self.col is not None else None,
            "header": self.header,
            "value": self.value,
            "described": self.describe(),
        }


@dataclass(frozen=True)
class SheetContext:
    """What surrounds a sheet: its name, its file's name and the folders above it (inside the raw folder)."""

    file: str  # path relative to the raw folder, "/"-separated
    sheet: str
    year: int

    def texts(self, title: str) -> list[tuple[str, str]]:
        """(how, text) in the order a value is looked for: sheet name, title rows, file name, folders."""
        path = PurePosixPath(self.file)
        out = [("sheet", self.sheet), ("title", title), ("file", path.stem)]
        out += [("folder", part) for part in reversed(path.parts[:-1])]
        return [(how, text) for how, text in out if text and text.strip()]


_PERIOD_IN_TEXT = re.compile(
    r"(第?[\d一二三四五六七八九十百]+季[,，\-—_\s]*第?[\d一二三四五六七八九十百]+期"
    r"|\d{4}年?[,，\-—_\s]*第[\d一二三四五六七八九十百]+期"
    r"|第[\d一二三四五六七八九十百]+期"
    r"|[\u3400-\u9fff]{0,6}特辑)"
)
_YEAR_MONTH_TOKEN = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)")
_MONTH_IN_TEXT = re.compile(r"(?:(20\d{2})\s*年\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_PROGRAMME = re.compile(r"([\u3400-\u9fff]{2,10}?(?:励学金|助学金|奖学金|基金|计划|工程|行动))")


def period_in(text: str) -> str | None:
    """A 青年大学习 period written in a sheet, file or folder name, or a title (as written)."""
    text = clean_text(text) or ""
    if m := _PERIOD_IN_TEXT.search(text):
        return m.group(1)
    if m := _YEAR_MONTH_TOKEN.search(text):
        return m.group(0)
    return None


_LABELLED_DATE = re.compile(
    r"(?:日期|时间)\s*[:：]\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})"
)
_BARE_PERIOD = re.compile(r"第[\d一二三四五六七八九十百]+期")
_SEASON_IN_TEXT = re.compile(r"第?([\d一二三四五六七八九十百]+)季(?![\d一二三四五六七八九十百]*期)")


def _with_season(period: str, outer: list[tuple[str, str]]) -> str:
    """A bare 第5期 in a file name under a folder (or title) naming the season (第十二季/第5期.xlsx) is
    that season's period: the platform names its downloads by the period alone."""
    if not _BARE_PERIOD.fullmatch(clean_text(period) or ""):
        return period
    for _, text in outer:
        if m := _SEASON_IN_TEXT.search(clean_text(text) or ""):
            return f"第{m.group(1)}季{period}"
    return period


def month_in(text: str, year: int) -> str | None:
    """A month written in a name or title, as 'YYYY年M月'."""
    m = _MONTH_IN_TEXT.search(clean_text(text) or "")
    if not m:
        return None
    value = month_of(f"{m.group(2)}月", int(m.group(1) or year))
    return f"{value.year}年{value.month}月" if value is not None else None


def year_in(text: str) -> int | None:
    m = _YEAR_IN_TEXT.search(clean_text(text) or "")
    return int(m.group(1)) if m else None


def programme_in(text: str, config: TownConfig) -> str | None:
    """An aid programme named in a title or file name: one of town.yml's ``aid_programmes``, else a name
    ending in 励学金 / 助学金 / 基金 / 计划 …"""
    key = compact(text) or ""
    for name in config.aid_programmes:
        if compact(name) and compact(name) in key:
            return name
    key = re.sub(r"20\d{2}\s*年度?|[（(].*?[)）]", "", key)
    m = _PROGRAMME.search(key)
    return m.group(1) if m else None


# ------------------------------------------------------------------ content


class ContentJudge:
    """How well a column's cells fit a content type (share of the non-blank cells looked at), cached."""

    def __init__(self, sheet: RawSheet, resolver: BranchResolver, year: int):
        self.sheet, self.resolver, self.year = sheet, resolver, year
        self._values: dict[tuple[int, int], list[Any]] = {}
        self._heads: dict[int, tuple[list[int], list[Any], bool]] = {}
        self._fit: dict[tuple[int, int, str], float | None] = {}
        self._tested: dict[str, dict[tuple[type, Any], bool]] = {}  # content → cell value → fits

    def values(self, start: int, col: int) -> list[Any]:
        """The first DETECTOR.sample_values non-blank cells of the column from row ``start`` on."""
        key = (start, col)
        if key not in self._values:
            rows, cells, complete = self._head(col)
            at = bisect.bisect_left(rows, start)
            found = cells[at : at + DETECTOR.sample_values]
            if len(found) < DETECTOR.sample_values and not complete:  # a sparse column: look further down
                column = self.sheet.cells.loc[start:, col]
                column = column[column.notna()]
                found = [v for v in column.iloc[: DETECTOR.sample_values * 2] if not _empty_like(v)][
                    : DETECTOR.sample_values
                ]
            self._values[key] = found
        return self._values[key]

    def _head(self, col: int) -> tuple[list[int], list[Any], bool]:
        """The non-blank cells of the column's first DETECTOR.head_rows rows (row numbers, values), read once for
        every candidate header row; and whether that is the whole column."""
        if col not in self._heads:
            sheet = self.sheet.cells
            if col not in sheet.columns:
                self._heads[col] = ([], [], True)
            else:
                column = sheet[col].iloc[: DETECTOR.head_rows]
                column = column[column.notna()]
                pairs = [(r, v) for r, v in zip(column.index, column, strict=True) if not _empty_like(v)]
                self._heads[col] = (
                    [r for r, _ in pairs],
                    [v for _, v in pairs],
                    len(sheet) <= DETECTOR.head_rows,
                )
        return self._heads[col]

    def fit(self, start: int, col: int, content: str) -> float | None:
        """Share of fitting cells; None when the column holds fewer than 3 values (nothing to judge)."""
        key = (start, col, content)
        if key not in self._fit:
            values = self.values(start, col)
            self._fit[key] = (
                None if len(values) < 3 else sum(map(self._tester(content), values)) / len(values)
            )
        return self._fit[key]

    def _tester(self, content: str) -> Callable[[Any], bool]:
        """``test(content)`` remembering each distinct cell value: the candidate header rows of a sheet
        look at nearly the same cells again and again."""
        test, seen = self.test(content), self._tested.setdefault(content, {})

        def tested(value: Any) -> bool:
            key = (type(value), value)
            try:
                return seen[key]
            except KeyError:
                seen[key] = result = bool(test(value))
                return result
            except TypeError:  # an unhashable cell value
                return bool(test(value))

        return tested

    def test(self, content: str) -> Callable[[Any], bool]:
        return {
            "name": _is_name,
            "identity": _is_identity,
            "id_number": lambda v: privacy.normalize_id(v) is not None or privacy.id_is_lossy_number(v),
            "phone": lambda v: privacy.normalize_phone(v) is not None,
            "date": lambda v: parse_date(v, self.year).value is not None,
            "month": lambda v: month_of(v, self.year) is not None,
            "period": _is_period,
            "branch": lambda v: self.resolver.lookup(v) is not None,
            "flag": lambda v: parse_flag(v) is not None or parse_date(v, self.year).value is not None,
            "number": _is_number,
            "money": _is_number,
            "rating": _is_rating,
            "review": lambda v: any(w in (compact(v) or "") for w in ("优秀", "合格")),
            "year": lambda v: re.fullmatch(r"(19|20)\d{2}(年度?)?", compact(v) or "") is not None,
            "code": is_code,
        }.get(content, lambda v: True)


def _is_name(value: Any) -> bool:
    return bool(_CJK_NAME.match(normalize_name(value) or "")) if isinstance(value, str) else False


def _is_identity(value: Any) -> bool:
    ident = split_identity(value)
    return bool(ident.student_no or ident.id_number or ident.id_tail or _CJK_NAME.match(ident.name or ""))


_PERIOD_LABEL = re.compile(r"第\d+季第\d+期|\d{4}年第\d+期|\d{4}年\d{1,2}月")


def _is_period(value: Any) -> bool:
    """A 青年大学习 period label in one of the recognised shapes (not any text that contains 期, e.g. 日期)."""
    period = canonical_period(value)
    if period.needs_year:  # a bare number is a period only when written as one (第5期, 5期), not 5
        return "期" in (compact(value) or "")
    return period.special or bool(period.label and _PERIOD_LABEL.fullmatch(period.label))


_NO_VALUE = PLACEHOLDERS - {"否"}  # 否 is a value of a yes/no column


def _empty_like(value: Any) -> bool:
    """A cell content tests skip: blank, or a placeholder (无, -, (空), 问卷星's (跳过) …)."""
    return is_blank(value) or (isinstance(value, str) and compact(value) in _NO_VALUE)


def _is_number(value: Any) -> bool:
    number = parse_number(value)
    return number is not None and not math.isnan(number)


def _is_rating(value: Any) -> bool:
    text = compact(value) or ""
    return bool(re.search(r"星|★|后进|涣散|不予定级|不定级", text)) or (
        _is_number(value) and 0 <= (parse_number(value) or -1) <= 100
    )


# ------------------------------------------------------------------ header candidates


@dataclass(frozen=True)
class HeaderCell:
    col: int
    text: str  # as shown: "上层/下层" for two-row headers
    key: str  # normalised
    lower_key: str  # the lower row's own text (the whole text for one-row headers)
    concepts: frozenset[str]
    lower: frozenset[str]


def _row_texts(cells: pd.DataFrame, row: int) -> dict[int, str]:
    out: dict[int, str] = {}
    for col, value in cells.loc[row].items():
        if isinstance(value, str) and value.strip():
            out[int(col)] = value.strip()
    return out


def _spread_group_headers(top: dict[int, str], sub: dict[int, str]) -> dict[int, str]:
    """Without merge information (CSV, HTML): a top header with sub-headers under it and under the blank
    cells to its right is a group header spanning those columns (志愿者服务人数及时长统计 over 人数 / 小时)."""
    filled = dict(top)
    for c in sorted(top):
        if c not in sub:
            continue
        nxt = c + 1
        while nxt not in top and nxt in sub:
            filled[nxt] = top[c]
            nxt += 1
    return filled


_FORM_LINE = re.compile(r"^[\u3400-\u9fff()（）]{2,12}\s*[:：]")  # 填报单位（盖章）：… / 联系电话：


def header_candidates(sheet: RawSheet) -> list[tuple[list[int], dict[int, tuple[str, str | None]]]]:
    """Single-row and two-row header candidates among the first rows: (rows, {col: (lower, upper)})."""
    cells = sheet.cells
    rows = list(cells.index[: DETECTOR.header_scan_rows + 1])
    merged_top: dict[int, list[tuple[int, int]]] = {}
    for r1, c1, _r2, c2 in sheet.merged:
        if c2 > c1:
            merged_top.setdefault(r1, []).append((c1, c2))
    out: list[tuple[list[int], dict[int, tuple[str, str | None]]]] = []
    for i, row in enumerate(rows[: DETECTOR.header_scan_rows]):
        top = _row_texts(cells, row)
        if len(top) < 2 or sum(bool(_FORM_LINE.match(t)) for t in top.values()) >= 2:
            continue  # fewer than two cells, or a form line (填报单位：… 联系电话：…): not a header
        out.append(([row], {c: (t, None) for c, t in top.items()}))
        if i + 1 >= len(rows):
            continue
        nxt = rows[i + 1]
        if any(not is_blank(v) and not isinstance(v, str) for v in cells.loc[nxt]):
            continue  # the next row holds numbers or dates: data, not a sub-header
        sub = _row_texts(cells, nxt)
        if not sub or heading_of(list(sub.values())) is not None:
            continue  # nothing, or a heading row grouping the data (一、团干部培训（3月30日…）): not a sub-header
        filled = dict(top)
        for c1, c2 in merged_top.get(row, []):
            if c1 in top:
                for c in range(c1 + 1, c2 + 1):
                    filled.setdefault(c, top[c1])
        if not merged_top.get(row):
            filled = _spread_group_headers(top, sub)
        if not any(c not in top or filled.get(c) != sub.get(c) for c in sub):
            continue
        flat: dict[int, tuple[str, str | None]] = {}
        for c in sorted(set(filled) | set(sub)):
            upper, lower = filled.get(c), sub.get(c)
            if upper and lower and upper != lower:
                flat[c] = (lower, upper)
            else:
                flat[c] = ((lower or upper or ""), None)
        out.append(([row, nxt], flat))
    return out


def _cells(vocab: Vocabulary, raw: dict[int, tuple[str, str | None]]) -> list[HeaderCell]:
    out = []
    for col, (lower, upper) in raw.items():
        lower_key = header_key(lower) or ""
        key = f"{header_key(upper)}/{lower_key}" if upper else lower_key
        text = f"{upper}/{lower}" if upper else lower
        lower_concepts = vocab.concepts_of(lower_key)
        concepts = lower_concepts | (vocab.concepts_of(header_key(upper) or "") if upper else frozenset())
        out.append(HeaderCell(col, text, key, lower_key, concepts, lower_concepts))
    return out


# ------------------------------------------------------------------ one kind on one header


@dataclass(frozen=True)
class Wide:
    """A wide layout: one column per branch (roster), month (check-ins) or period (study)."""

    axis: str  # the canonical column the header cells give: branch / month / period
    columns: dict[int, str]  # grid column → value of the axis (canonical branch, 'YYYY年M月', period text)
    label: str  # 团支部 / 月份 / 期次


@dataclass
class Layout:
    """How one sheet is read: kind, header rows, and the source of every canonical column."""

    kind: str
    kind_label: str
    header_rows: list[int]
    columns: dict[str, int]  # canonical column → grid column
    constants: dict[str, str]  # canonical column → value taken from the context
    sources: dict[str, Source]
    headers: dict[int, str]  # grid column → header text as shown
    score: float = 0.0
    missing: list[tuple[str, ...]] = field(default_factory=list)
    wide: Wide | None = None
    minimal: bool = False  # a roster with nothing but names and branches
    title: str = ""
    year_hint: int = 0
    year_source: str = ""  # where the year of dates written without one comes from (Chinese)
    runner_up: str | None = None
    runner_up_score: float | None = None
    notes: list[str] = field(default_factory=list)
    headings: dict[str, str] = field(
        default_factory=dict
    )  # canonical column → "name" / "date" of heading rows

    @property
    def data_start(self) -> int:
        return self.header_rows[-1] + 1

    @property
    def margin(self) -> float | None:
        return None if self.runner_up_score is None else round(self.score - self.runner_up_score, 2)

    def header_of(self, column: str, label: str | None = None) -> str:
        """'活动日期（B 列）' for messages; a column not read from the sheet shows its Chinese label."""
        col = self.columns.get(column)
        if col is None:
            source = self.sources.get(column)
            return f"{label or column}（{source.describe()}）" if source else (label or column)
        return f"{self.headers.get(col, label or column)}（{column_letter(col)} 列）"

    def report(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "score": round(self.score, 2),
            "runner_up": self.runner_up,
            "runner_up_score": None if self.runner_up_score is None else round(self.runner_up_score, 2),
            "margin": self.margin,
            "header_rows": self.header_rows,
            "wide": None
            if self.wide is None
            else {"axis": self.wide.axis, "columns": len(self.wide.columns)},
            "columns": {c: s.as_dict() for c, s in self.sources.items()},
        }


class Recogniser:
    """Recognises the sheets of one ingest (one configuration, one year)."""

    def __init__(self, config: TownConfig, resolver: BranchResolver, year: int):
        self.config, self.resolver, self.year = config, resolver, year
        self.vocab: Vocabulary = config.vocabulary
        self._telling: dict[str, list[ColumnDef]] = {}  # columns of weight ≥ 2 per kind
        for kind in self.vocab.kinds.values():
            self._telling[kind.key] = [col for col in kind.columns.values() if col.weight >= 2]

    # -- public -------------------------------------------------------------------------------
    def recognise(self, sheet: RawSheet, ctx: SheetContext, pinned: str | None = None) -> list[Layout]:
        """Every eligible (kind, header) reading of the sheet, best first (the best per kind only)."""
        judge = ContentJudge(sheet, self.resolver, ctx.year)
        kinds = [self.vocab.kinds[pinned]] if pinned else list(self.vocab.kinds.values())
        best: dict[str, Layout] = {}
        for rows, raw in header_candidates(sheet):
            cells = _cells(self.vocab, raw)
            values = {c.col for c in cells if self._is_value(c)}
            title = _title(sheet, rows[0])
            texts = ctx.texts(title)
            year_hint, year_source = _year_hint(texts, ctx.year)
            foreign = self._foreign_weights(cells)
            data_like = len(values) >= 2 and len(values) >= 0.3 * len(cells)  # a data row, not a header
            for kind in [] if data_like else kinds:
                layout = self._read_as(kind, rows, cells, judge, texts, foreign, pinned is not None, values)
                if layout is None:
                    continue
                layout.title, layout.year_hint, layout.year_source = title, year_hint, year_source
                if kind.key not in best or layout.score > best[kind.key].score:
                    best[kind.key] = layout
            for layout in self._wide(rows, cells, judge, texts, pinned):
                layout.title, layout.year_hint, layout.year_source = title, year_hint, year_source
                if layout.kind not in best or layout.score > best[layout.kind].score:
                    best[layout.kind] = layout
        ranked = sorted(best.values(), key=lambda lay: (not lay.missing or pinned is not None, lay.score))
        ranked.reverse()
        if ranked:
            top = ranked[0]
            others = [lay for lay in ranked[1:] if not lay.missing]
            if others:
                top.runner_up, top.runner_up_score = others[0].kind, others[0].score
        return ranked

    def _is_value(self, cell: HeaderCell) -> bool:
        """A header cell overwritten by a data value: a branch name, a date, a time of day, a code (a row of
        a punch log under its header: 2022/01/03 星期一, 17:08, TW0001, 示例镇团委/柳河村)."""
        text = cell.lower_key
        branch = self.resolver.lookup(text)
        if branch is not None and branch != COMMITTEE:
            return True
        return bool(VALUE_CELL.match(text))

    # -- scoring helpers ----------------------------------------------------------------------
    def _foreign_weights(self, cells: list[HeaderCell]) -> dict[int, dict[str, float]]:
        """Per header cell: kind → what the cell counts against another kind that leaves it unread: the full
        weight of a distinctive column (打卡, 转出, 申请日期 …) it fits, half the weight of a telling one."""
        out: dict[int, dict[str, float]] = {}
        for cell in cells:
            for kind_key, cols in self._telling.items():
                for col in cols:
                    if col.rule_score(cell.concepts, cell.lower) > 0 or cell.key in col.spellings:
                        weight = float(col.weight) if col.weight >= DISTINCTIVE else col.weight / 2
                        slot = out.setdefault(cell.col, {})
                        slot[kind_key] = max(slot.get(kind_key, 0.0), weight)
        return out

    def _read_as(
        self,
        kind: KindDef,
        rows: list[int],
        cells: list[HeaderCell],
        judge: ContentJudge,
        texts: list[tuple[str, str]],
        foreign: dict[int, dict[str, float]],
        pinned: bool,
        values: set[int] | frozenset[int] = frozenset(),
    ) -> Layout | None:
        start = rows[-1] + 1
        pairs: list[tuple[float, int, str, HeaderCell, bool]] = []
        for order, col in enumerate(kind.columns.values()):
            for cell in cells:
                exact = cell.key in col.spellings or cell.lower_key in col.spellings
                if cell.col in values and not exact:
                    continue  # a data value where the header should be: the content decides
                score = 100.0 if exact else col.rule_score(cell.concepts, cell.lower)
                if score <= 0:
                    continue
                fit = judge.fit(start, cell.col, col.content)
                if fit is not None and not exact and fit < DETECTOR.min_fit_of(col.content):
                    continue
                effective = score * (0.5 + 0.5 * fit) if fit is not None else score * 0.75
                pairs.append((effective, -order, col.key, cell, exact))
        pairs.sort(key=lambda p: (p[0], p[1], -p[3].col), reverse=True)
        columns: dict[str, int] = {}
        sources: dict[str, Source] = {}
        used: set[int] = set()
        for _, _, key, cell, exact in pairs:
            if key in columns or cell.col in used:
                continue
            columns[key] = cell.col
            used.add(cell.col)
            sources[key] = Source("spelling" if exact else "header", cell.col, cell.text)
        if not columns:
            return None
        headers = {cell.col: cell.text for cell in cells}
        self._infer(kind, columns, sources, used, headers, judge, start)
        self._codes(kind, columns, sources, used, cells, judge, start)
        constants = self._context(kind, columns, sources, texts)
        headed = _headed(kind, columns, constants, sources, judge.sheet, start)
        present = set(columns) | set(constants) | set(headed)
        missing = kind.missing(present)
        if missing and not pinned:
            return None
        score = 0.0
        own_evidence = 0  # columns that tell the kind apart, read from a header
        for key, col in columns.items():
            weight = kind.columns[key].weight
            from_header = sources[key].how in ("header", "spelling")
            score += (
                weight
                * (1.0 if from_header else 0.5)
                * _confirmed(judge.fit(start, col, kind.columns[key].content), kind.columns[key].content)
            )
            own_evidence += weight >= 2 and from_header
        score += sum(0.5 * kind.columns[key].weight for key in constants)
        # the sheet, its title or its file named for the kind (a presence-only list): that is evidence
        named = [k for k in constants if kind.columns[k].content == "flag"]
        own_evidence += len(named)
        score += sum(0.5 * kind.columns[k].weight for k in named)
        for cell in cells:
            if cell.col in used:
                continue
            # an unread header counts against the kind when it tells another kind more than this one: a
            # punch log's 打卡类型 / 打卡地点 speak of check-ins (打卡) before activities (类型, 地点)
            weights = foreign.get(cell.col, {})
            against = max((w for k, w in weights.items() if k != kind.key), default=0.0)
            score -= against if against > weights.get(kind.key, 0.0) else 0.0
        minimal = kind.key == "roster" and not own_evidence
        if not own_evidence and not minimal and not pinned:
            return None  # content and context complete a kind; they never make one
        if minimal and (constants or any(s.how == "content" for s in sources.values())) and not pinned:
            return None
        if score <= 0 and not pinned:
            return None  # the header says more against this kind than for it
        return Layout(
            kind=kind.key,
            kind_label=kind.label,
            header_rows=rows,
            columns=columns,
            constants=constants,
            sources=sources,
            headers=headers,
            score=score,
            missing=missing,
            minimal=minimal,
            headings=headed,
        )

    def _infer(
        self,
        kind: KindDef,
        columns: dict[str, int],
        sources: dict[str, Source],
        used: set[int],
        headers: dict[int, str],
        judge: ContentJudge,
        start: int,
    ) -> None:
        """Columns whose header is missing or overwritten, found by their content (one candidate each)."""
        wanted = [c for group in kind.missing(set(columns)) for c in group]
        wanted += [c.key for c in kind.columns.values() if c.content in ("branch", "period", "id_number")]
        grid = [int(c) for c in judge.sheet.cells.columns]
        for key in dict.fromkeys(wanted):
            col = kind.columns[key]
            if key in columns or col.content not in INFER_TYPES:
                continue
            if any(k in columns for group in kind.requires if key in group for k in group):
                continue  # another column of its group is there
            need = DETECTOR.infer_fit_of(col.content)
            fits = [c for c in grid if c not in used and (judge.fit(start, c, col.content) or 0) >= need]
            if col.content in ("name", "identity"):  # a column of plain names is not a branch or a period
                fits = [c for c in fits if (judge.fit(start, c, "branch") or 0) < 0.5]
            if len(fits) == 1:
                columns[key] = fits[0]
                used.add(fits[0])
                sources[key] = Source("content", fits[0], headers.get(fits[0]))

    def _codes(
        self,
        kind: KindDef,
        columns: dict[str, int],
        sources: dict[str, Source],
        used: set[int],
        cells: list[HeaderCell],
        judge: ContentJudge,
        start: int,
    ) -> None:
        """A column whose header only says it holds a number of some kind (编号, 账号, ID, 序号) is decided by
        its content: for a kind with an identity column, codes (20190348) that do not just count up the rows
        are taken as 学号 — one such column only, and unverified (``code``): the pipeline keeps them as
        学号 when they are the roster's. A row number or a platform's serial counts up: it is never one."""
        targets = [c.key for c in kind.columns.values() if c.content == "identity" and c.key not in columns]
        if not targets:
            return
        need = DETECTOR.infer_fit_of("code")
        fits = [
            cell
            for cell in cells
            if cell.col not in used
            and cell.concepts
            and cell.concepts <= AMBIGUOUS_HEADER
            and (judge.fit(start, cell.col, "code") or 0) >= need
            and not is_running(judge.values(start, cell.col))
        ]
        if len(fits) == 1:
            columns[targets[0]] = fits[0].col
            used.add(fits[0].col)
            sources[targets[0]] = Source("code", fits[0].col, fits[0].text)

    def _context(
        self, kind: KindDef, columns: dict[str, int], sources: dict[str, Source], texts: list[tuple[str, str]]
    ) -> dict[str, str]:
        constants: dict[str, str] = {}
        for col in kind.columns.values():
            if not col.context or col.key in columns:
                continue
            for i, (how, text) in enumerate(texts):
                value = self._context_value(col, text, kind)
                if value is not None and col.content == "period":
                    value = _with_season(value, texts[i + 1 :])
                if value is not None:
                    constants[col.key] = value
                    sources[col.key] = Source(how, value=value)
                    break
        return constants

    def _context_value(self, col: ColumnDef, text: str, kind: KindDef) -> str | None:
        if col.content == "flag":
            # a presence-only list named for its kind (…学习打卡名单): every person listed has done it
            key = compact(text) or ""
            return "是" if any(compact(n) and compact(n) in key for n in kind.names) else None
        if col.content == "date":
            # a date stated above the table for all its rows: 发放时间：2022年12月20日
            m = _LABELLED_DATE.search(clean_text(text) or "")
            return m.group(1) if m else None
        if col.content == "period":
            return period_in(text)
        if col.content == "month":
            return month_in(text, year_in(text) or self.year)
        if col.content == "year":
            year = year_in(text)
            return str(year) if year else None
        if col.content == "branch":
            return self.resolver.find_in(text)
        if col.key == "programme":
            return programme_in(text, self.config)
        return None

    # -- wide layouts -------------------------------------------------------------------------
    def _wide(
        self,
        rows: list[int],
        cells: list[HeaderCell],
        judge: ContentJudge,
        texts: list[tuple[str, str]],
        pinned: str | None,
    ) -> list[Layout]:
        if len(rows) > 2:
            return []
        start = rows[-1] + 1
        year = _year_hint(texts, self.year)[0]
        branch_cols: dict[int, str] = {}
        month_cols: dict[int, str] = {}
        period_cols: dict[int, str] = {}
        for cell in cells:
            # two header rows: the lower row names the axis (a merged 2022年每月学习打卡情况 over 1月 … 12月)
            text = clean_text(cell.text.rsplit("/", 1)[-1] if len(rows) == 2 else cell.text) or ""
            branch = self.resolver.lookup(text)
            if branch is not None and branch != COMMITTEE:
                branch_cols[cell.col] = branch
            elif m := _MONTH_HEADER.match(compact(text) or ""):
                month = month_of(f"{m.group(2)}月", int(m.group(1) or year))
                if month is not None:
                    month_cols[cell.col] = f"{month.year}年{month.month}月"
            elif _is_period(text):
                period_cols[cell.col] = text
        out: list[Layout] = []
        headers = {cell.col: cell.text for cell in cells}
        named = len(cells)
        if len(branch_cols) >= 2 and len(branch_cols) >= 0.6 * named and pinned in (None, "roster"):
            names = [v for c in branch_cols for v in judge.values(start, c)]
            if len(names) >= 3 and sum(map(_is_name, names)) / len(names) >= 0.6:
                out.append(self._wide_layout("roster", rows, headers, Wide("branch", branch_cols, "团支部")))
        for kind_key, axis_cols, axis, label, minimum in (
            ("checkin", month_cols, "month", "月份", 3),
            ("study", period_cols, "period", "期次", 2),
        ):
            if len(axis_cols) < minimum or pinned not in (None, kind_key):
                continue
            kind = self.vocab.kinds[kind_key]
            others = [c for c in cells if c.col not in axis_cols]
            base = self._read_as(kind, rows, others, judge, texts, {}, pinned=True)
            if base is None or "name" not in base.columns:
                continue
            wide = Wide(axis, axis_cols, label)
            layout = self._wide_layout(kind_key, rows, headers, wide, base)
            out.append(layout)
        return out

    def _wide_layout(
        self, kind_key: str, rows: list[int], headers: dict[int, str], wide: Wide, base: Layout | None = None
    ) -> Layout:
        kind = self.vocab.kinds[kind_key]
        columns = dict(base.columns) if base else {}
        # the sheet's context (a branch named by the title row, the file or the folder) applies to every
        # melted cell; the axis and what the cells say come from the cells
        told = {wide.axis, "checked_in"}
        constants = {k: v for k, v in (base.constants if base else {}).items() if k not in told}
        sources = {k: v for k, v in (base.sources if base else {}).items() if k in columns or k in constants}
        sources[wide.axis] = Source("wide", value=wide.label)
        score = 2.0 * len(wide.columns) + (base.score if base else 0.0)
        present = set(columns) | set(constants) | {wide.axis}
        if kind_key == "checkin":
            present |= {"checked_in"}  # the cells say whether the cadre checked in
        if kind_key == "roster":
            present |= {"name"}  # the cells are the names
        return Layout(
            kind=kind_key,
            kind_label=kind.label,
            header_rows=rows,
            columns=columns,
            constants=constants,
            sources=sources,
            headers=headers,
            score=score,
            missing=kind.missing(present),
            wide=wide,
            minimal=kind_key == "roster",
        )


def _confirmed(fit: float | None, content: str) -> float:
    """How much a mapped column counts: fully when its cells confirm its content type, less when they
    cannot (free text, or too few cells to judge)."""
    if content == "text" or fit is None:
        return 0.75
    return 0.5 + 0.5 * fit


def _title(sheet: RawSheet, first_header_row: int) -> str:
    cells = sheet.cells
    above = cells.loc[: first_header_row - 1] if first_header_row > cells.index[0] else cells.iloc[0:0]
    return " ".join(str(v).strip() for v in above.to_numpy().ravel() if isinstance(v, str) and v.strip())


# a heading row grouping the rows below it: 一、团干部培训（3月30日，镇会议室，共12人）
HEADING = re.compile(
    r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]\s*(?P<name>[^（(]+?)\s*(?:[（(](?P<note>.*)[)）])?\s*$"
)
_HEADING_DATE = re.compile(r"(?:(?:20\d{2})\s*年)?\d{1,2}\s*月\s*\d{1,2}\s*日")


def heading_of(cells: list[Any]) -> tuple[str, str | None] | None:
    """(name, date text or None) when a row's only cell is a heading such as 一、团干部培训（3月30日，…）."""
    if len(cells) != 1 or not isinstance(cells[0], str) or not (m := HEADING.match(cells[0])):
        return None
    date = _HEADING_DATE.search(m.group("note") or "")
    return m.group("name").strip(), date.group(0) if date else None


def _headed(
    kind: KindDef,
    columns: dict[str, int],
    constants: dict[str, str],
    sources: dict[str, Source],
    sheet: RawSheet,
    start: int,
) -> dict[str, str]:
    """A list grouped by heading rows (一、NAME（M月D日…）, the rows of each group below it): the kind's group
    text column not read from a header or the context takes the heading's name, its group date column the
    heading's date. Two headings at least, or it is a note."""
    wanted = [c for c in kind.columns.values() if c.group and c.key not in columns and c.key not in constants]
    if not wanted:
        return {}
    body = sheet.cells.loc[start:]
    few = body[body.notna().sum(axis=1) == 1]
    heads = [h for h in (heading_of([v for v in row if not is_blank(v)]) for row in few.to_numpy()) if h]
    if len(heads) < 2:
        return {}
    headed: dict[str, str] = {}
    for col in wanted:
        if col.content == "text" and "name" not in headed.values():
            headed[col.key] = "name"
        elif col.content == "date" and all(d for _, d in heads):
            headed[col.key] = "date"
    for key in headed:
        sources[key] = Source("heading")
    return headed


def _year_hint(texts: list[tuple[str, str]], default: int) -> tuple[int, str]:
    """The year written in the title, the sheet, file or folder name ("2022年活动台账"), else the ingest's;
    with where it was found (Chinese), empty for the ingest year."""
    for how, text in texts:
        years = set(re.findall(r"(20\d{2})\s*年", text))
        if not years and how != "title" and (m := re.fullmatch(r"\D*(20\d{2})\D*", text)):
            years = {m.group(1)}
        if len(years) == 1:  # a text naming two years (2021-2022学年) says nothing of a date's year
            return int(years.pop()), f"{Source.HOW[how]}“{text}”"
    return default, ""
