"""Layout of a sheet: where the header is (title rows above, two-row merged headers), which export
kind it is, which column holds what, and which rows are data, totals, month sections or footer notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.config import KindSpec, TownConfig
from analysis.ingest.branches import BranchResolver
from analysis.ingest.normalize import (
    canonical_period,
    compact,
    date_column,
    is_blank,
    month_section,
    normalize_name,
)
from analysis.ingest.readers import RawSheet, column_letter

HEADER_SCAN_ROWS = 15
_NOTE = re.compile(
    r"(共\s*\d+\s*[条人行项]|导出|制表|填表|审核人|统计时间|截至|截止|^注[:：]|说明[:：]|备注[:：]|负责人[:：]|联系人[:：])"
)
_PARENS = re.compile(r"\(.*?\)")
_CJK_NAME = re.compile(r"^[\u3400-\u9fff·]{2,12}$")


def header_key(text: Any) -> str | None:
    """Header text as compared with aliases: NFKC, no spaces, brackets unified to ( )."""
    key = compact(text)
    if not key:
        return None
    return key.replace("（", "(").replace("）", ")").replace("【", "(").replace("】", ")")


@dataclass
class Layout:
    """The structure found in one sheet."""

    kind: str
    header_rows: list[int]
    columns: dict[str, int]  # canonical column → grid column
    headers: dict[int, str]  # grid column → flattened header text
    title: str = ""
    inferred: list[str] = field(default_factory=list)  # Chinese notes on columns found by content
    score: int = 0

    def header_of(self, column: str) -> str:
        """'活动日期（B 列）' for messages."""
        col = self.columns.get(column)
        if col is None:
            return column
        return f"{self.headers.get(col, column)}（{column_letter(col)} 列）"

    @property
    def data_start(self) -> int:
        return self.header_rows[-1] + 1


class AliasMatcher:
    """Header texts → canonical columns of one kind, alias order deciding priority."""

    def __init__(self, spec: KindSpec):
        self.spec = spec
        self._aliases: dict[str, list[tuple[str, re.Pattern[str] | None]]] = {}
        for column, aliases in spec.columns.items():
            entries: list[tuple[str, re.Pattern[str] | None]] = []
            for alias in aliases:
                if alias.startswith("re:"):
                    entries.append(("", re.compile(alias[3:])))
                else:
                    entries.append((header_key(alias) or alias, None))
            self._aliases[column] = entries

    def match(self, headers: dict[int, str]) -> dict[str, int]:
        taken: set[int] = set()
        result: dict[str, int] = {}
        for column, entries in self._aliases.items():
            found = self._find(entries, headers, taken)
            if found is not None:
                result[column] = found
                taken.add(found)
        return result

    @staticmethod
    def _find(
        entries: list[tuple[str, re.Pattern[str] | None]], headers: dict[int, str], taken: set[int]
    ) -> int | None:
        free = {c: h for c, h in headers.items() if c not in taken}
        for text, pattern in entries:
            for col, header in free.items():
                if pattern is None and (
                    header == text or (header.rsplit("/", 1)[-1] == text and "/" not in text)
                ):
                    return col
                if pattern is not None and pattern.search(header):
                    return col
        for text, pattern in entries:  # second chance: ignore bracketed units, e.g. 参与人数(人)
            if pattern is not None:
                continue
            bare = _PARENS.sub("", text)
            for col, header in free.items():
                if _PARENS.sub("", header) == bare and bare:
                    return col
        return None


def _row_texts(cells: pd.DataFrame, row: int) -> dict[int, str]:
    values = cells.loc[row]
    out: dict[int, str] = {}
    for col, value in values.items():
        if isinstance(value, str):
            key = header_key(value)
            if key:
                out[int(col)] = key
    return out


def _spread_group_headers(top: dict[int, str], sub: dict[int, str]) -> dict[int, str]:
    """Without merge information (CSV, HTML, large files read column-wise): a top header with sub-headers
    under it and under the blank cells to its right is a group header spanning those columns
    (志愿者服务人数及时长统计 over 人数 / 小时)."""
    filled = dict(top)
    for c in sorted(top):
        if c not in sub:
            continue
        nxt = c + 1
        while nxt not in top and nxt in sub:
            filled[nxt] = top[c]
            nxt += 1
    return filled


def _header_candidates(sheet: RawSheet) -> list[tuple[list[int], dict[int, str]]]:
    """Single-row and two-row header candidates among the first rows of the sheet."""
    cells = sheet.cells
    rows = [r for r in cells.index[: HEADER_SCAN_ROWS + 1]]
    merged_top: dict[int, list[tuple[int, int]]] = {}
    for r1, c1, _r2, c2 in sheet.merged:
        if c2 > c1:
            merged_top.setdefault(r1, []).append((c1, c2))
    candidates: list[tuple[list[int], dict[int, str]]] = []
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        top = _row_texts(cells, row)
        if len(top) < 2:
            continue
        candidates.append(([row], top))
        if i + 1 >= len(rows):
            continue
        nxt = rows[i + 1]
        sub_values = cells.loc[nxt]
        if any(not is_blank(v) and not isinstance(v, str) for v in sub_values):
            continue  # the next row holds numbers or dates: data, not a sub-header
        sub = _row_texts(cells, nxt)
        if not sub:
            continue
        filled = dict(top)
        for c1, c2 in merged_top.get(row, []):
            if c1 in top:
                for c in range(c1 + 1, c2 + 1):
                    filled.setdefault(c, top[c1])
        if not sheet.merged:
            filled = _spread_group_headers(top, sub)
        if not any(c not in top or filled.get(c) != sub.get(c) for c in sub):
            continue
        flat: dict[int, str] = {}
        for c in sorted(set(filled) | set(sub)):
            upper, lower = filled.get(c), sub.get(c)
            if upper and lower and upper != lower:
                flat[c] = f"{upper}/{lower}"
            else:
                flat[c] = upper or lower or ""
        candidates.append(([row, nxt], flat))
    return candidates


def _score(spec: KindSpec, mapped: dict[str, int]) -> int:
    if any(req not in mapped for req in spec.required):
        return -1
    signature = sum(1 for s in spec.signature if s in mapped)
    if spec.signature and signature == 0:
        return -1
    return len(mapped) + 2 * signature


def detect_layout(sheet: RawSheet, config: TownConfig, pinned_kind: str | None = None) -> Layout | None:
    """Find the header rows and kind of a sheet; None when no kind fits (reported as unknown)."""
    kinds = {pinned_kind: config.kinds[pinned_kind]} if pinned_kind else config.kinds
    matchers = {kind: AliasMatcher(spec) for kind, spec in kinds.items()}
    best: Layout | None = None
    for rows, headers in _header_candidates(sheet):
        for kind, matcher in matchers.items():
            mapped = matcher.match(headers)
            score = _score(kinds[kind], mapped)
            if score < 0 and pinned_kind:
                score = len(mapped)  # pinned by the analyst: accept what maps, inference fills the rest
            if score < 0:
                continue
            if best is None or score > best.score:
                best = Layout(kind, rows, mapped, headers, score=score)
    if best is None:
        best = _detect_with_inference(sheet, config, matchers)
    if best is not None:
        first = best.header_rows[0]
        title_rows = sheet.cells.loc[: first - 1] if first > sheet.cells.index[0] else sheet.cells.iloc[0:0]
        best.title = " ".join(
            str(v) for v in title_rows.to_numpy().ravel() if isinstance(v, str) and v.strip()
        )
    return best


def _detect_with_inference(
    sheet: RawSheet, config: TownConfig, matchers: dict[str, AliasMatcher]
) -> Layout | None:
    """A header whose one required cell was overwritten by a data value: infer it from the content."""
    resolver = BranchResolver(config)
    best: Layout | None = None
    for rows, headers in _header_candidates(sheet):
        for kind, matcher in matchers.items():
            spec = matcher.spec
            mapped = matcher.match(headers)
            missing = [r for r in spec.required if r not in mapped]
            if len(missing) != 1 or len(mapped) < 3:
                continue
            if (
                spec.signature
                and not any(s in mapped for s in spec.signature)
                and missing[0] not in spec.signature
            ):
                continue
            layout = Layout(kind, rows, dict(mapped), headers)
            infer_columns(sheet, layout, resolver, only=missing)
            if all(r in layout.columns for r in spec.required):
                layout.score = len(layout.columns)
                if best is None or layout.score > best.score:
                    best = layout
    return best


def _looks_like(column: str, values: pd.Series, resolver: BranchResolver, year: int | None) -> bool:
    values = values[values.map(lambda v: not is_blank(v))]
    if len(values) < 3:
        return False
    sample = values.iloc[:200]
    if column in ("branch", "organiser", "to_branch", "from_branch"):
        hits = sample.map(lambda v: resolver.resolve_one(v, allow_committee=True) is not None)
        return hits.mean() >= 0.6
    if column in ("date", "recorded_at", "applied_date", "joined_date", "checkin_date"):
        parsed = date_column(sample, year or 2000)
        return parsed["value"].notna().mean() >= 0.8
    if column == "period":
        return (
            sample.map(
                lambda v: (canonical_period(v).label is not None and "期" in str(v)) or "特辑" in str(v)
            ).mean()
            >= 0.8
        )
    if column == "name":
        return sample.map(lambda v: bool(_CJK_NAME.match(normalize_name(v) or ""))).mean() >= 0.8
    return False


INFERABLE = ("branch", "organiser", "date", "recorded_at", "period", "name")


def infer_columns(
    sheet: RawSheet,
    layout: Layout,
    resolver: BranchResolver,
    only: list[str] | None = None,
    year: int | None = None,
) -> None:
    """Fill missing canonical columns from unmapped columns whose content fits (one candidate only)."""
    spec_columns = only or [c for c in INFERABLE if c not in layout.columns]
    data = sheet.cells.loc[layout.data_start :]
    used = set(layout.columns.values())
    for column in spec_columns:
        if column not in INFERABLE or column in layout.columns:
            continue
        fits = [
            c
            for c in data.columns
            if int(c) not in used and _looks_like(column, data[c].iloc[:300], resolver, year)
        ]
        if len(fits) == 1:
            col = int(fits[0])
            layout.columns[column] = col
            used.add(col)
            shown = layout.headers.get(col) or "（空）"
            layout.inferred.append(f"{column_letter(col)} 列表头为“{shown}”，按内容识别为“{column}”列")
            layout.headers.setdefault(col, shown)


@dataclass
class Extracted:
    """Data rows of a sheet with canonical column names, plus what was skipped and why."""

    rows: pd.DataFrame  # canonical columns (object) + "_row" (Excel row) + "_month" (month section)
    skipped: dict[str, int]  # reason → count: totals / sections / notes / headers
    skipped_rows: list[tuple[int, str]]  # (Excel row, reason) for the report


def _total_variants() -> frozenset[str]:
    """合计 / 总计 / 总合计 / 小计 as typed: with spaces of any kind between the characters, a colon after."""
    spaces = ["", " ", "  ", "\u3000", "\u00a0"]
    out = set()
    for word in ("合计", "总计", "小计", "总合计"):
        for gap in spaces:
            core = gap.join(word)
            for pad in ("", " ", "\u3000"):
                for colon in ("", ":", "："):
                    out |= {core + colon, pad + core + colon, core + colon + pad, pad + core + colon + pad}
    return frozenset(out)


TOTAL_CELLS = _total_variants()


def extract(sheet: RawSheet, layout: Layout) -> Extracted:
    """Classify every non-blank row below the header; keep the data rows.

    Vectorised over columns (hash look-ups, no per-cell Python): only rows with one to three filled
    cells are looked at one by one (month sections such as “（三月份）” and footer notes).
    """
    data = sheet.cells.loc[layout.data_start :]
    present = data.notna()
    filled = present.sum(axis=1)
    data, present, filled = data[filled > 0], present[filled > 0], filled[filled > 0]
    header_cells = sheet.cells.loc[layout.header_rows[-1]]
    total = pd.Series(False, index=data.index)
    repeated = pd.Series(0, index=data.index)
    mapped = set(layout.columns.values())
    for c in data.columns:
        column = data[c]
        total |= column.isin(TOTAL_CELLS)
        raw_header = header_cells.get(c)
        if int(c) in mapped and isinstance(raw_header, str) and raw_header.strip():
            repeated += (column == raw_header).astype(int)
    reason = pd.Series(None, index=data.index, dtype=object)
    reason[total] = "totals"
    reason[(reason.isna()) & (repeated >= max(2, len(layout.columns) // 2))] = "headers"
    month_marks = pd.Series(pd.NA, index=data.index, dtype="Int64")
    mapped_cols = list(layout.columns.values())
    few = data.index[(filled <= 3) & reason.isna()]
    for row in few:
        cells = [v for v in data.loc[row] if not is_blank(v)]
        if len(cells) == 1 and isinstance(cells[0], str) and (m := month_section(cells[0])) is not None:
            reason[row] = "sections"
            month_marks[row] = m
            continue
        is_note = all(isinstance(v, str) for v in cells) and _NOTE.search(" ".join(cells))
        if is_note and int(present.loc[row, mapped_cols].sum()) <= 1:
            reason[row] = "notes"
    labels = {"totals": "合计行", "sections": "月份分隔行", "notes": "表尾说明", "headers": "重复的表头行"}
    skipped = {k: int((reason == k).sum()) for k in labels}
    skipped_rows = [(int(r), labels[k]) for r, k in reason.dropna().items()]
    months = month_marks.ffill()
    kept = data[reason.isna()]
    frame = pd.DataFrame({name: kept[col].reset_index(drop=True) for name, col in layout.columns.items()})
    frame["_row"] = kept.index.to_numpy()
    frame["_month"] = months[reason.isna()].to_numpy()
    return Extracted(frame, skipped, skipped_rows)
