"""The data rows of a recognised sheet: which rows are data, totals, month sections, footer notes or
repeated headers; group cells filled over their merged (or blank) block; values taken from the context
added as columns; wide layouts melted into one row per cell."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.common.vocabulary import KindDef
from analysis.ingest.normalize import blank_mask, date_column, is_blank, month_section
from analysis.ingest.readers import RawSheet, column_letter
from analysis.ingest.recognise import Layout, heading_of

_NOTE = re.compile(
    r"(共\s*\d+\s*[条人行项]|导出|制表|填表|审核人|统计时间|截至|截止|^注[:：]|说明[:：]|备注[:：]|负责人[:：]|联系人[:：])"
)
BLANK_FILL_COLUMNS = ("month", "period")  # group columns also filled down over blank cells (CSV blocks)
SKIP_LABELS = {
    "totals": "合计行",
    "examples": "填写示例行",
    "sections": "月份分隔行",
    "headings": "分组标题行",
    "notes": "表尾说明",
    "headers": "重复的表头行",
    "not_studied": "未学习名单行",
    "not_done": "未完成的转接",
    "other_year": "其他年度（整表未导入）",
    "events": "并入同一人同月的逐条记录",
    "other_year_events": "不在本年度的逐条记录",
}


@dataclass
class Extracted:
    """Data rows of a sheet with canonical column names, plus what was skipped and why."""

    rows: pd.DataFrame  # canonical columns (object) + "_row" (Excel row) + "_month" (month section)
    skipped: dict[str, int]  # reason → count
    skipped_rows: list[tuple[int, str]]  # (Excel row, reason) for the report
    filled: dict[str, int]  # canonical column → cells filled from a merged or blank block


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
_EXAMPLE = r"^\s*(示例|样例|例)\s*$|填写示例|请勿删除|此行为示例"
_TOTAL_SENTENCE = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|总合计|共\s*计)\s*[:：]")


def fill_groups(sheet: RawSheet, layout: Layout, kind: KindDef) -> tuple[pd.DataFrame, dict[str, int]]:
    """Group cells (月份, 团支部, 活动日期, 期数) merged over a block of data rows hold their value in the
    first row only: copy it down the block. Month and period columns are also filled over blank cells below
    a value when the column is written in blocks (an unmerged or CSV export). Nothing else is filled."""
    cells = sheet.cells
    start = layout.data_start
    group = {
        key: col for key, col in layout.columns.items() if key in kind.columns and kind.columns[key].group
    }
    if not group:
        return cells, {}
    by_col = {col: key for key, col in group.items()}
    filled: dict[str, int] = {}
    cells = cells.copy()
    for r1, c1, r2, c2 in sheet.merged:
        if c1 != c2 or r2 <= r1 or c1 not in by_col or r1 < start:
            continue
        value = cells.at[r1, c1] if r1 in cells.index else None
        if is_blank(value):
            continue
        block = [r for r in range(r1 + 1, r2 + 1) if r in cells.index]
        empty = [r for r in block if is_blank(cells.at[r, c1])]
        if empty:
            cells.loc[empty, c1] = value
            filled[by_col[c1]] = filled.get(by_col[c1], 0) + len(empty)
    for key in BLANK_FILL_COLUMNS:
        col = group.get(key)
        if col is None or col not in cells.columns:
            continue
        data = cells.loc[start:]
        other = [c for c in layout.columns.values() if c != col and c in data.columns]
        if not other:
            continue
        is_row = data[other].notna().any(axis=1)
        column = data.loc[is_row, col]
        blank = blank_mask(column)
        if not blank.any() or blank.iloc[0] or blank.mean() < 0.3:
            continue
        values = column.where(~blank).ffill()
        cells.loc[values.index, col] = values
        filled[key] = filled.get(key, 0) + int(blank.sum())
    return cells, filled


def extract(sheet: RawSheet, layout: Layout, kind: KindDef) -> Extracted:
    """Classify every non-blank row below the header; keep the data rows.

    Vectorised over columns (hash look-ups, no per-cell Python): only rows with one to three filled
    cells are looked at one by one (month sections such as “（三月份）” and footer notes).
    """
    grid, filled = fill_groups(sheet, layout, kind)
    data = grid.loc[layout.data_start :]
    present = data.notna()
    count = present.sum(axis=1)
    data, present, count = data[count > 0], present[count > 0], count[count > 0]
    header_cells = grid.loc[layout.header_rows[-1]]
    total = pd.Series(False, index=data.index)
    repeated = pd.Series(0, index=data.index)
    mapped = set(layout.columns.values()) | (set(layout.wide.columns) if layout.wide else set())
    for c in data.columns:
        column = data[c]
        total |= column.isin(TOTAL_CELLS)
        raw_header = header_cells.get(c)
        if int(c) in mapped and isinstance(raw_header, str) and raw_header.strip():
            repeated += (column == raw_header).astype(int)
    few = (count <= 3).to_numpy()  # a footer such as “合计：10人，其中发展新团员4名”
    if few.any():
        cells = data[few].astype(object).stack()
        said = cells[cells.map(lambda v: isinstance(v, str) and bool(_TOTAL_SENTENCE.match(v)))]
        total[said.index.get_level_values(0).unique()] = True
    example = pd.Series(False, index=data.index)
    first = data.iloc[:3]  # a template's example row sits right under the header: 序号 “示例” …
    for position, row in enumerate(first.itertuples(index=False)):
        if any(isinstance(v, str) and re.search(_EXAMPLE, v) for v in row):
            example.iloc[position] = True
    reason = pd.Series(None, index=data.index, dtype=object)
    reason[total] = "totals"
    reason[example & ~total] = "examples"
    reason[(reason.isna()) & (repeated >= max(2, len(mapped) // 2))] = "headers"
    month_marks = pd.Series(pd.NA, index=data.index, dtype="Int64")
    mapped_cols = [c for c in mapped if c in present.columns]
    few = data.index[(count <= 3) & reason.isna()]
    headings = pd.Series(None, index=data.index, dtype=object)
    for row in few:
        cells = [v for v in data.loc[row] if not is_blank(v)]
        if layout.headings and (head := heading_of(cells)) is not None:
            reason[row] = "headings"
            headings[row] = head
            continue
        if len(cells) == 1 and isinstance(cells[0], str) and (m := month_section(cells[0])) is not None:
            reason[row] = "sections"
            month_marks[row] = m
            continue
        is_note = all(isinstance(v, str) for v in cells) and _NOTE.search(" ".join(cells))
        if is_note and int(present.loc[row, mapped_cols].sum()) <= 1:
            reason[row] = "notes"
    skipped = {k: int((reason == k).sum()) for k in ("totals", "sections", "notes", "headers")}
    if layout.headings:
        skipped["headings"] = int((reason == "headings").sum())
    skipped_rows = [(int(r), SKIP_LABELS[k]) for r, k in reason.dropna().items()]
    months = month_marks.ffill()
    kept = data[reason.isna()]
    frame = pd.DataFrame({name: kept[col].reset_index(drop=True) for name, col in layout.columns.items()})
    frame["_row"] = kept.index.to_numpy()
    frame["_month"] = months[reason.isna()].to_numpy()
    if layout.wide is not None:
        frame = melt(frame, kept, layout)
    for key, value in layout.constants.items():
        frame[key] = value
    if layout.headings:  # each row takes the name / date of the heading row above it
        heads = headings.ffill()[reason.isna()].to_numpy()
        for key, part in layout.headings.items():
            frame[key] = [None if h is None or h is pd.NA else h[0 if part == "name" else 1] for h in heads]
    return Extracted(frame, skipped, skipped_rows, filled)


def melt(frame: pd.DataFrame, kept: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """A wide layout → one row per non-blank cell under an axis column (the roster's names under each branch,
    a check-in matrix's months, a study tally's periods)."""
    assert layout.wide is not None
    wide = layout.wide
    parts = []
    for col, axis_value in wide.columns.items():
        values = kept[col].reset_index(drop=True) if col in kept.columns else pd.Series(dtype=object)
        part = frame.copy()
        cell = "name" if wide.axis == "branch" else ("checked_in" if wide.axis == "month" else "_cell")
        part[cell] = values.to_numpy() if len(values) == len(part) else None
        part[wide.axis] = axis_value
        part["_column"] = column_letter(col)
        part = part[~blank_mask(part[cell])]  # a blank cell says nothing (a check-in left blank: no row)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else frame.iloc[0:0]
    if wide.axis == "period":  # a tally cell: √ / 是 / a date of study
        dated = date_column(out["_cell"], layout.year_hint)["value"].notna()
        out = out.assign(
            study_status=out["_cell"].where(~dated, "√"), recorded_at=out["_cell"].where(dated, None)
        ).drop(columns="_cell")
    if wide.axis == "month":  # a check-in cell: √ / 已打卡 / the date of the check-in
        dated = date_column(out["checked_in"], layout.year_hint)["value"].notna()
        out = out.assign(checkin_date=out["checked_in"].where(dated, None))
        out["checked_in"] = out["checked_in"].where(~dated, "√")
    return out.sort_values(["_row", "_column"], kind="stable").reset_index(drop=True)
