"""One year of raw exports → canonical tables + ingest report + rejected rows (and the accounting of
every row: read = kept + rejected + duplicates + skipped)."""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import re
import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis import __version__
from analysis.codegraph import INGEST, code_fingerprint
from analysis.common import schemas
from analysis.common.config import TownConfig
from analysis.common.errors import AnalysisError, InputFileError, write_internal_log
from analysis.common.paths import INGEST_REPORT, REJECTED_ROWS
from analysis.common.vocabulary import Vocabulary
from analysis.ingest import clean, prefetch
from analysis.ingest.branches import BranchResolver
from analysis.ingest.detector import DETECTOR
from analysis.ingest.doubt import Doubt, doubts
from analysis.ingest.filecache import FileCache
from analysis.ingest.matching import match_records, person_keys
from analysis.ingest.prefetch import SUPPORTED as SUPPORTED  # re-exported: the home is prefetch.py
from analysis.ingest.prefetch import raw_files as raw_files
from analysis.ingest.readers import RawSheet, read_sources
from analysis.ingest.recognise import Layout, Recogniser, SheetContext
from analysis.ingest.rows import SKIP_LABELS, extract
from analysis.processed import processed_folder
from analysis.processed.membership import Membership
from analysis.safety import guard, privacy, safe_io

SUMMARY_SHEET = re.compile(r"汇总|统计|透视|说明|目录|封面|图表")
# Files made from the records, kept next to them (学习率.xlsx, 未学习学生.xlsx): never records or a roster
# unless they carry the records' own columns (a time of study).
DERIVED = re.compile(r"未学习|未参学|未完成|未打卡|未报名|学习率|参学率|完成率|打卡率|排名|排行|通报")
# Lookup sheets of a template or a form (数据字典, 下拉选项, 代码表): the options offered when filling it in,
# never data of any kind (a list of branches and names would read as records) — skipped and listed.
LOOKUP_SHEET = re.compile(
    r"字典|下拉|选项|代码表|码表|枚举|数据有效性|数据验证|^(dict|lists?|options?)$", re.I
)


@dataclass
class SourceReport:
    """Accounting of one sheet of one file."""

    file: str
    sheet: str
    kind: str
    kind_label: str
    header_rows: list[int]
    rows_read: int = 0
    kept: int = 0
    rejected: int = 0
    duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    notes: list[str] = field(default_factory=list)
    recognition: dict[str, Any] = field(default_factory=dict)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def balanced(self) -> bool:
        return self.rows_read == self.kept + self.rejected + self.duplicates + self.skipped_total

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "header_row": self.header_rows[0] if self.header_rows else None,
            "header_rows": self.header_rows,
            "rows_read": self.rows_read,
            "kept": self.kept,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "skipped": self.skipped_total,
            "skipped_detail": {SKIP_LABELS.get(k, k): v for k, v in self.skipped.items() if v},
            "warnings": self.warnings,
            "notes": self.notes,
            "recognition": self.recognition,
        }


@dataclass
class IngestResult:
    year: int
    tables: dict[str, pd.DataFrame]
    sources: list[SourceReport]
    rejected: pd.DataFrame
    warnings: pd.DataFrame
    ambiguous: pd.DataFrame
    unknown_branches: pd.DataFrame
    failures: list[dict[str, str]]
    unknown_sheets: list[dict[str, Any]]
    summary_sheets: list[dict[str, Any]]  # 汇总/统计 sheets next to the detail data: not data, skipped
    set_aside: list[dict[str, Any]]  # sheets whose rows mostly fall in another year
    inputs: list[dict[str, Any]]
    config_hash: str
    notes: list[str] = field(default_factory=list)  # what the year's data can and cannot give (Chinese)
    unsure_sheets: list[dict[str, Any]] = field(default_factory=list)  # set aside: the reading is doubted
    lookup_sheets: list[dict[str, Any]] = field(default_factory=list)  # 数据字典, 下拉选项: not data
    cache: FileCache | None = None  # the per-file cache: files read and reused, new entries (filecache.py)

    def totals(self) -> dict[str, int]:
        keys = ("rows_read", "kept", "rejected", "duplicates")
        out = {k: sum(getattr(s, k) for s in self.sources) for k in keys}
        out["skipped"] = sum(s.skipped_total for s in self.sources)
        return out

    def report(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "version": __version__,
            "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
            "config_sha256": self.config_hash,
            "code_sha256": code_fingerprint(INGEST),
            "inputs": self.inputs,
            "totals": self.totals(),
            "balanced": all(s.balanced() for s in self.sources),
            "sources": [s.as_dict() for s in self.sources],
            "tables": {name: len(df) for name, df in self.tables.items()},
            "failed_files": self.failures,
            "unknown_sheets": self.unknown_sheets,
            "summary_sheets_skipped": self.summary_sheets,
            "set_aside_other_year": self.set_aside,
            "unsure_sheets": self.unsure_sheets,
            "lookup_sheets_skipped": self.lookup_sheets,
            "unknown_branches": self.unknown_branches.to_dict(orient="records"),
            "ambiguous_matches": len(self.ambiguous),
            "warnings": len(self.warnings),
            "yearless_dates": self._yearless(),
            "notes": self.notes,
        }

    def _yearless(self) -> dict[str, Any]:
        """Dates written without a year (their year was filled in from the title, file or ingest year)."""
        if self.warnings.empty:
            return {"count": 0, "files": []}
        rows = self.warnings[self.warnings["reason"].astype(str).str.contains("没有写年份")]
        return {"count": len(rows), "files": list(dict.fromkeys(rows["file"].astype(str)))}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def config_fingerprint(config: TownConfig) -> str:
    return hashlib.sha256(repr(config).encode("utf-8")).hexdigest()


def ingest_year(
    raw_dir: Path,
    config: TownConfig,
    year: int,
    limits: guard.Limits | None = None,
    progress: Callable[[str], None] | None = None,
    cache: FileCache | None = None,
) -> IngestResult:
    """Read every export of ``raw_dir`` and build the canonical tables of ``year`` (with ``cache``, the
    files read before unchanged are taken from it: filecache.py)."""
    resolver = BranchResolver(config)
    ctx = clean.Context(config=config, year=year, resolver=resolver)
    recogniser = Recogniser(config, resolver, year)
    limits = limits or guard.Limits.from_config(config.limits, source=str(config.source))
    run = _Run(ctx, recogniser)
    for path in raw_files(raw_dir):
        name = path.relative_to(raw_dir).as_posix()
        digest = file_sha256(path)
        run.inputs.append({"file": name, "sha256": digest, "bytes": path.stat().st_size})
        if cache is not None and cache.replay(run, name, digest, SourceReport):
            prefetch.drop(path)  # parsed in the background for nothing: stopped if not yet begun
            continue
        if progress:
            progress(name)
        mark = cache.mark(run) if cache is not None else None
        for shown, sheets in read_sources(path, name, limits):  # a zip: each member, as "压缩包/成员"
            pinned = pinned_kind(config, shown)
            if isinstance(sheets, InputFileError):
                run.failures.append({"file": shown, "message": sheets.render()})
                continue
            if not sheets:
                run.failures.append({"file": shown, "message": f"文件“{shown}”中没有任何数据"})
                continue
            for sheet in sheets:
                run.sheet(sheet, SheetContext(shown, sheet.sheet, year), pinned)
        if cache is not None and mark is not None:
            cache.record(run, name, digest, mark)
    run.minimal_rosters()
    tables, ambiguous = _assemble(run.batches, ctx, run.sources)
    for src_report in run.sources:
        if not src_report.balanced():
            raise AnalysisError(
                f"内部错误：文件“{src_report.file}”的行数对不上（读取 {src_report.rows_read}，保留 {src_report.kept}，"
                f"拒绝 {src_report.rejected}，重复 {src_report.duplicates}，跳过 {src_report.skipped_total}）"
            )
    unknown = pd.DataFrame(
        [{"text": k, "suggestion": v or ""} for k, v in sorted(resolver.unknown.items())],
        columns=["text", "suggestion"],
    )
    return IngestResult(
        year=year,
        tables=tables,
        sources=run.sources,
        rejected=pd.DataFrame(ctx.rejected, columns=["file", "sheet", "row", "column", "value", "reason"]),
        warnings=pd.DataFrame(ctx.warnings, columns=["file", "sheet", "row", "column", "value", "reason"]),
        ambiguous=ambiguous,
        unknown_branches=unknown,
        failures=run.failures,
        unknown_sheets=run.unknown_sheets,
        summary_sheets=run.summary_sheets,
        set_aside=run.set_aside,
        inputs=run.inputs,
        config_hash=config_fingerprint(config),
        notes=_year_notes(tables),
        unsure_sheets=run.unsure,
        lookup_sheets=run.lookup,
        cache=cache,
    )


def _year_notes(tables: dict[str, pd.DataFrame]) -> list[str]:
    notes = []
    if "members" not in tables and ("study_records" in tables or "cadre_checkins" in tables):
        notes.append(
            "本年度没有团员名册：青年大学习只统计期数和学习人次，参学率、从未参学人数和团干部打卡率需要名册，未计算"
        )
    return notes


def pinned_kind(config: TownConfig, name: str) -> str | None:
    """The kind town.yml's ``files:`` gives a file (pattern matched against its path or its name)."""
    base = name.rsplit("/", 1)[-1]
    return next(
        (
            k
            for pat, k in config.file_kinds.items()
            if fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(base, pat)
        ),
        None,
    )


@dataclass
class _Run:
    """The state of one ingest while its sheets are read."""

    ctx: clean.Context
    recogniser: Recogniser
    sources: list[SourceReport] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    unknown_sheets: list[dict[str, Any]] = field(default_factory=list)
    summary_sheets: list[dict[str, Any]] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    batches: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    deferred: list[tuple[RawSheet, Layout]] = field(default_factory=list)  # name-and-branch-only rosters
    set_aside: list[dict[str, Any]] = field(default_factory=list)  # sheets of another year
    unsure: list[dict[str, Any]] = field(default_factory=list)  # readings something contradicts
    lookup: list[dict[str, Any]] = field(default_factory=list)  # 数据字典, 下拉选项: skipped, listed

    def sheet(self, sheet: RawSheet, where: SheetContext, pinned: str | None) -> None:
        if (why := lookup_sheet(sheet)) is not None:  # even in a file pinned to a kind: not its data
            rows = int(sheet.cells.notna().any(axis=1).sum())
            self.lookup.append({"file": sheet.file, "sheet": sheet.sheet, "rows": rows, "message": why})
            return
        layouts = self.recogniser.recognise(sheet, where, pinned)
        layout = layouts[0] if layouts else None
        if layout is None or (layout.missing and not pinned):
            self._not_data(sheet, layout)
            return
        if layout.missing:
            self.failures.append(
                {"file": sheet.file, "message": _missing_columns_message(sheet, layout, self.ctx)}
            )
            return
        if not pinned and _derived(sheet, layout):
            self.summary_sheets.append(
                {"file": sheet.file, "sheet": sheet.sheet, "rows": int(sheet.cells.notna().any(axis=1).sum())}
            )
            return
        if not pinned and (doubt := doubts(layout, where, self.ctx.config.vocabulary)):
            if doubt.not_ours:  # 团费, 工资 …: known not to be data of any kind, skipped like a summary
                rows = int(sheet.cells.notna().any(axis=1).sum())
                self.summary_sheets.append({"file": sheet.file, "sheet": sheet.sheet, "rows": rows})
            else:
                self.unsure.append(unsure_entry(sheet, layout, doubt, self.ctx.config.vocabulary))
            return
        if layout.minimal and not pinned:
            self.deferred.append((sheet, layout))
            return
        self._read(sheet, layout)

    def _read(self, sheet: RawSheet, layout: Layout) -> None:
        before = len(self.ctx.rejected), len(self.ctx.warnings)
        try:
            report, table, frame = _ingest_sheet(sheet, layout, self.ctx, len(self.sources))
        except AnalysisError as exc:
            del self.ctx.rejected[before[0] :], self.ctx.warnings[before[1] :]
            self.failures.append({"file": sheet.file, "message": exc.render()})
            return
        except Exception:  # a bug must not cost the analyst the rest of the year
            del self.ctx.rejected[before[0] :], self.ctx.warnings[before[1] :]
            log = _log_internal_error()
            self.failures.append(
                {
                    "file": sheet.file,
                    "message": f"{_where(sheet)}处理时出现程序内部错误，该表未导入；详细信息已写入 {log}，请发给维护人员",
                }
            )
            return
        other = _other_year(frame, self.ctx, layout)
        if other is None and "_event" in frame:
            frame = _events_of_year(frame, self.ctx, layout, report)
        if other is not None:
            del self.ctx.rejected[before[0] :], self.ctx.warnings[before[1] :]
            report.skipped["other_year"] = report.rows_read - report.skipped_total
            report.rejected = report.warnings = 0
            frame = frame.iloc[0:0]
            self.set_aside.append(
                {
                    "file": sheet.file,
                    "sheet": sheet.sheet,
                    "rows": report.rows_read,
                    "message": other,
                    "table": table,
                }
            )
        self.sources.append(report)
        self.batches.setdefault(table, []).append(frame)

    def _not_data(self, sheet: RawSheet, layout: Layout | None) -> None:
        filled = int(sheet.cells.notna().any(axis=1).sum())
        if not filled:
            return
        names = (sheet.sheet, sheet.file.rsplit("/", 1)[-1])
        if any(p.search(n) for p in (SUMMARY_SHEET, DERIVED) for n in names):
            self.summary_sheets.append({"file": sheet.file, "sheet": sheet.sheet, "rows": filled})
            return
        self.unknown_sheets.append(
            {
                "file": sheet.file,
                "sheet": sheet.sheet,
                "rows": filled,
                "message": _unknown_sheet_message(sheet),
            }
        )

    def minimal_rosters(self) -> None:
        """A list of names and branches only (long or one column per branch) is the roster when it is the
        year's only roster-like sheet; otherwise it is listed as not imported."""
        has_roster = "members" in self.batches
        if not has_roster and len(self.deferred) == 1:
            sheet, layout = self.deferred[0]
            layout.notes.append(
                "只有姓名和团支部的名单，本年度没有其他名册，按团员名册导入（没有团籍、入团日期等信息）"
            )
            self._read(sheet, layout)
            return
        for sheet, _ in self.deferred:
            why = (
                "本年度已有团员名册"
                if has_roster
                else f"本年度有 {len(self.deferred)} 份这样的名单，无法确定哪一份是名册"
            )
            self.unknown_sheets.append(
                {
                    "file": sheet.file,
                    "sheet": sheet.sheet,
                    "rows": int(sheet.cells.notna().any(axis=1).sum()),
                    "message": f"{_where(sheet)}：只有姓名和团支部的名单，{why}，未导入。"
                    f'如需作为团员名册导入，请在 config/town.yml 的 files 中指定，例如 files: {{"{sheet.file.rsplit("/", 1)[-1]}": 团员名册}}。',
                }
            )


def _other_year(frame: pd.DataFrame, ctx: clean.Context, layout: Layout) -> str | None:
    """A sheet whose rows mostly fall in another year (last year's ledger left in this year's folder) is set
    aside as a whole: the message says why; None when the sheet belongs to the year."""
    column = ctx.config.vocabulary.kinds[layout.kind].year_of
    if column is None or column not in frame or frame.empty or "period" in frame:
        # records with a 青年大学习 period belong to a year by the period's median time (the definitions):
        # an export of the period released in late December is assigned period by period, never set aside
        return None
    values = frame[column]
    years = values.astype("Int64") if column == "year" else pd.to_datetime(values).dt.year.astype("Int64")
    years = years.dropna()
    if years.empty or (years == ctx.year).mean() >= 1 - DETECTOR.other_year_share:
        return None
    counts = years.value_counts()
    top = int(counts.index[0])
    return (
        f"{len(years)} 行中有 {int((years != ctx.year).sum())} 行属于其他年度（最多的是 {top} 年，{int(counts.iloc[0])} 行），"
        f"整表未计入 {ctx.year} 年；如确为本年数据，请检查日期，如是上一年的导出请移到 {top} 年的文件夹"
    )


def _events_of_year(
    frame: pd.DataFrame, ctx: clean.Context, layout: Layout, report: SourceReport
) -> pd.DataFrame:
    """A log's events of another year (a punch log exported to 01-10 of the next year) are set aside row by
    row and counted as skipped (不在本年度的逐条记录); its other rows are the year's."""
    column = ctx.config.vocabulary.kinds[layout.kind].year_of
    if column is None or column not in frame or frame.empty:
        return frame
    outside = frame["_event"].fillna(False).astype(bool) & (pd.to_datetime(frame[column]).dt.year != ctx.year)
    if outside.any():
        report.skipped["other_year_events"] = int(outside.sum())
    return frame[~outside.to_numpy()]


def unsure_entry(sheet: RawSheet, layout: Layout, doubt: Doubt, vocab: Vocabulary) -> dict[str, Any]:
    """A doubted reading as the report, the gate and the terminal show it: the evidence and the fix."""
    used = set(layout.columns.values())
    runner = vocab.kinds[layout.runner_up].label if layout.runner_up else None
    name = sheet.file.rsplit("/", 1)[-1]
    return {
        "file": sheet.file,
        "sheet": sheet.sheet,
        "rows": int(sheet.cells.notna().any(axis=1).sum()),
        "kind_label": layout.kind_label,
        "score": round(layout.score, 2),
        "runner_up": runner,
        "margin": layout.margin,
        "used": [layout.headers.get(c, "") for c in sorted(used)],
        "unused": [t for c, t in sorted(layout.headers.items()) if c not in used],
        "reasons": list(doubt.reasons),
        "hint": f'确认后在 town.yml 的 files 中指定类型，例如 files: {{"{name}": {layout.kind_label}}}；'
        f'运行 python -m analysis explain "{name}" 查看识别依据',
    }


def lookup_sheet(sheet: RawSheet) -> str | None:
    """Why a sheet is a lookup sheet (Chinese), or None: named as one (数据字典, 下拉选项, 代码表 …), or hidden
    and holding lists of options — every column's values distinct, the columns of different lengths."""
    hidden = "（隐藏）" if sheet.hidden else ""
    if sheet.sheet and LOOKUP_SHEET.search(sheet.sheet.strip()):
        return f"工作表“{sheet.sheet}”{hidden}是数据字典或下拉选项（填表时的可选值，不是数据），未导入"
    if sheet.hidden and _option_lists(sheet.cells):
        return "隐藏的工作表，各列是互不重复、长短不一的可选值列表（下拉选项），不是数据，未导入"
    return None


def _option_lists(cells: pd.DataFrame) -> bool:
    """Columns of options: at least two columns, each a header over values none of which repeats, ending
    at different rows (one of them with three values or more) or five values long. Records repeat
    something down a column (a period, a date, a gender, a status)."""
    columns = [cells[c].dropna() for c in cells.columns]
    columns = [c[c.astype(str).str.strip() != ""] for c in columns]
    columns = [c for c in columns if len(c)]
    if len(columns) < 2:
        return False
    values = [c.iloc[1:].astype(str).str.strip() for c in columns]
    lengths = {int(c.index[-1]) for c in columns}
    distinct = all(not v.duplicated().any() for v in values)
    longest = max(len(v) for v in values)
    return distinct and ((len(lengths) > 1 and longest >= 3) or longest >= 5)


def _derived(sheet: RawSheet, layout: Layout) -> bool:
    """A list made from the records (未学习学生, 参学率 by class …), named as such: not data. A sheet so named
    that carries a study time or a check-in mark is read all the same."""
    named = DERIVED.search(sheet.sheet) or DERIVED.search(sheet.file.rsplit("/", 1)[-1])
    own = {"recorded_at", "checked_in", "checkin_date", "date", "applied_date", "amount", "rating"}
    return bool(named) and (layout.minimal or not own & set(layout.columns))


def _log_internal_error() -> Path:
    return write_internal_log(traceback.format_exc())


def _where(sheet: RawSheet) -> str:
    return f"文件“{sheet.file}”" + (f"工作表“{sheet.sheet}”" if sheet.sheet else "")


def _ingest_sheet(
    sheet: RawSheet, layout: Layout, ctx: clean.Context, index: int
) -> tuple[SourceReport, str, pd.DataFrame]:
    """One recognised sheet → (its accounting, its table name, its canonical rows)."""
    kind = ctx.config.vocabulary.kinds[layout.kind]
    extracted = extract(sheet, layout, kind)
    report = SourceReport(sheet.file, sheet.sheet, layout.kind, kind.label, layout.header_rows)
    report.recognition = layout.report()
    for key, count in extracted.filled.items():  # cells filled down a merged (or blank) block
        report.recognition["columns"][key]["filled"] = count
    report.notes = _notes(layout, ctx.config.vocabulary, extracted.filled)
    report.skipped = dict(extracted.skipped)
    rows = extracted.rows
    report.rows_read = len(rows) + report.skipped_total
    for kind_key, reason, test in (
        ("study", "not_studied", clean.not_studied),
        ("transfers", "not_done", clean.not_done),
    ):
        if layout.kind == kind_key:
            mask = test(rows)
            report.skipped[reason] = int(mask.sum())
            if report.skipped[reason]:
                rows = rows[~mask]
    src = clean.Source(sheet.file, sheet.sheet, layout, kind, ctx.year)
    before_rej, before_warn = len(ctx.rejected), len(ctx.warnings)
    frame = clean.CLEANERS[layout.kind](rows, src, ctx)
    report.rejected = len(ctx.rejected) - before_rej
    report.warnings = len(ctx.warnings) - before_warn
    return report, kind.table, frame.assign(_src=index)


def _notes(layout: Layout, vocab: Vocabulary, filled: dict[str, int]) -> list[str]:
    """What the analyst should know about how a sheet was read (Chinese, for the report and the terminal)."""
    kind = vocab.kinds[layout.kind]
    notes = list(layout.notes)
    if layout.margin is not None and layout.margin < DETECTOR.close_call and layout.runner_up:
        runner_up = vocab.kinds[layout.runner_up].label
        notes.append(
            f"识别为“{kind.label}”，但与“{runner_up}”相差很小（{layout.margin:g} 分），请核对；"
            "如有误，请在 town.yml 的 files 中指定类型"
        )
    for key, source in layout.sources.items():
        if source.how not in ("header", "spelling"):
            notes.append(f"“{kind.label_of(key)}”取自{source.describe()}")
    for key, count in filled.items():
        notes.append(f"“{kind.label_of(key)}”列有 {count} 个单元格按合并单元格或上方的值填充")
    return notes


def _unknown_sheet_message(sheet: RawSheet) -> str:
    return (
        f"{_where(sheet)}：前 15 行中找不到可识别的表头，未导入。"
        f'可运行 python -m analysis explain "{sheet.file}" 查看识别过程；如果这是需要的数据，'
        "请在 config/town.yml 的 files 中指定其类型，或在 columns 中添加列名的写法。"
    )


def _missing_columns_message(sheet: RawSheet, layout: Layout, ctx: clean.Context) -> str:
    kind = ctx.config.vocabulary.kinds[layout.kind]
    groups = ["或".join(f"“{kind.label_of(c)}”" for c in group) for group in layout.missing]
    return (
        f"{_where(sheet)}按 town.yml 的指定作为“{kind.label}”读取（表头在第 {layout.header_rows[0]} 行），"
        f"但找不到这些列：{'、'.join(groups)}。请在 config/town.yml 的 columns 中添加这些列在表头中的写法。"
    )


def _count(sources: list[SourceReport], frame: pd.DataFrame, attr: str) -> None:
    for src, n in frame["_src"].value_counts().items():
        setattr(sources[int(src)], attr, getattr(sources[int(src)], attr) + int(n))


def _dedup(frame: pd.DataFrame, subset: list[str], sources: list[SourceReport]) -> pd.DataFrame:
    dup = frame.duplicated(subset=subset, keep="first")
    if not dup.any():
        return frame
    _count(sources, frame[dup], "duplicates")
    return frame[~dup]


def _sorted_dedup(
    frame: pd.DataFrame, by: str, subset: list[str], sources: list[SourceReport]
) -> pd.DataFrame:
    """``_dedup(frame.sort_values(by, stable, missing last), subset)`` with one reordering of the whole
    frame instead of two (long study tables)."""
    order = np.argsort(frame[by].to_numpy(), kind="stable")  # NaT sorts last
    dup = frame[subset].take(order).duplicated(keep="first").to_numpy()
    _count(sources, frame[["_src"]].take(order[dup]), "duplicates")
    return frame.take(order[~dup])


def _concat(batches: dict[str, list[pd.DataFrame]], table: str) -> pd.DataFrame | None:
    """A table's rows from all its sheets; None when no sheet kept a row (every row rejected, or the sheet
    set aside as another year's): its indicators are then absent, never 0."""
    frames = [f for f in batches.get(table) or [] if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else None


@dataclass
class _People:
    """What the kinds read so far tell about the members: the roster and membership over the year."""

    members: pd.DataFrame
    membership: Membership
    scopes: dict[str, frozenset[str]]


ROSTER_CODES_SHARE = 0.5  # of a column's codes, the roster's 学号 that make it a 学号 column
# The kinds the others depend on come first: the roster, then recruitment (exact join dates), then
# transfers (branches over the year); the rest follow the registry's order.
FIRST = ("roster", "recruitment", "transfers")


def _assemble(
    batches: dict[str, list[pd.DataFrame]], ctx: clean.Context, sources: list[SourceReport]
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The year's tables from the cleaned batches, one kind at a time as the registry (resources/kinds.yml)
    declares it: its hooks (what only that kind needs), its match to the roster (``match``), its
    de-duplication (``dedup``) and its free-text scrub (``free_text``), then validation."""
    vocab = ctx.config.vocabulary
    tables: dict[str, pd.DataFrame] = {}
    ambiguous: list[pd.DataFrame] = []
    members = _concat(batches, "members")
    if members is None:
        members = schemas.empty("members").assign(_src=pd.Series(dtype="Int64"))
    people = _People(members, Membership.build(members), ctx.resolver.scopes())
    for key in [k for k in FIRST if k in vocab.kinds] + [k for k in vocab.kinds if k not in FIRST]:
        kind = vocab.kinds[key]
        frame = _concat(batches, kind.table)
        if frame is None:
            continue
        frame = HOOKS.get(key, _as_is)(frame, people, ctx, sources)
        if "code_no" in frame:
            frame = _roster_codes(frame, people.members, sources)
        if kind.match:
            frame = _match(
                frame,
                people.members,
                people.membership,
                branch=kind.match["branch"],
                day=kind.match["day"],
                month_end=bool(kind.match.get("month_end")),
                scopes=people.scopes if kind.match.get("scopes") else None,
            )
            ambiguous.append(_ambiguous(frame, kind.label))
            frame = AFTER_MATCH.get(key, _as_is)(frame, people, ctx, sources)
        if kind.dedup_first:  # the earliest of a person's submissions counts
            frame = _sorted_dedup(frame, kind.dedup_first, list(kind.dedup), sources)
        else:
            frame = _dedup(frame, list(kind.dedup), sources)
        frame = FINISH.get(key, _as_is)(frame, people, ctx, sources)
        tables[kind.table] = _scrub_free_text(frame, kind.free_text)
    for name in list(tables):
        tables[name] = _validate(name, tables[name], ctx, sources)
        _count(sources, tables[name], "kept")
        tables[name] = tables[name][schemas.columns(name)].reset_index(drop=True)
    frames = [a for a in ambiguous if len(a)]
    amb = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["kind", "file", "sheet", "row", "name", "branch"])
    )
    return tables, amb


Hook = Callable[[pd.DataFrame, _People, clean.Context, list[SourceReport]], pd.DataFrame]


def _as_is(frame: pd.DataFrame, *_: object) -> pd.DataFrame:
    return frame


def _roster(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    """Exact duplicate rows go; different people sharing a key are kept apart (and warned)."""
    people.members = _dedup_members(frame, ctx, sources)
    people.membership = Membership.build(people.members)
    return people.members


def _recruitment(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    return _merge_stages(frame, ctx)


def _recruitment_joins(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    """An exact 入团日期 from the recruitment export wins over the roster's month."""
    known = frame.dropna(subset=["joined_date", "person_id"])
    exact = dict(zip(known["person_id"], known["joined_date"], strict=True))
    members = people.members
    hit = members["member_id"].isin(list(exact))
    exact_dates = pd.to_datetime(members["member_id"].map(exact.get), errors="coerce")
    members["join_date"] = pd.to_datetime(members["join_date"]).where(~hit, exact_dates)
    members.loc[hit, "join_precision"] = "day"
    people.membership = Membership.build(members)
    return frame


def _transfers_retry(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    """A transfer not matched in the branch it went to is matched in the branch it came from."""
    retry = frame["match"].eq("unmatched") & frame["from_branch"].notna()
    if retry.any():
        again = _match(frame[retry], people.members, people.membership, branch="from_branch", day="date")
        frame.loc[retry, ["member_id", "match"]] = again[["member_id", "match"]].to_numpy()
    _warn_unmatched(frame, ctx, "组织关系转接记录未能对应到名册中的团员，未用于计算所在团支部")
    return frame


def _transfers_membership(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    """Branches over the year follow the transfers from here on."""
    people.membership = Membership.build(people.members, frame)
    return frame


def _study(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    frame = _special_periods(frame)
    frame["day"] = frame["recorded_at"]
    return frame


def _study_learners(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    frame["person_key"] = person_keys(frame, frame[["member_id"]])
    return frame[[*schemas.columns("study_records"), "_src"]]  # the working columns are not reordered


def _checkins(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    _warn_unmatched(frame, ctx, "打卡记录中的人员不在团员名册中，已列出但不计入打卡率")
    frame = frame.sort_values("checked_in", ascending=False, kind="stable")  # a done row wins its month
    frame = frame.assign(_person=_unmatched_person(frame, people.members, "month"))
    return _fold_events(frame, ["month", "_person"], sources)


def _fold_events(frame: pd.DataFrame, grain: list[str], sources: list[SourceReport]) -> pd.DataFrame:
    """A log's events (rows dated to the day, ``_event``) are one row per grain (a cadre's month: checked
    in when any punch was, the done row sorted first): the further events of a grain are folded into it —
    counted as skipped (并入同一人同月的记录), not as duplicates, which they are not."""
    folded = frame["_event"].fillna(False).astype(bool) & frame.duplicated(grain, keep="first")
    for src, n in frame.loc[folded, "_src"].value_counts().items():
        report = sources[int(src)]
        report.skipped["events"] = report.skipped.get("events", 0) + int(n)
    return frame[~folded]


def _checkins_order(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    return frame.sort_values(["month", "_src"], kind="stable")


def _participants(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    return frame.assign(day=frame["date"].fillna(pd.Timestamp(ctx.year, 12, 31)))


def _reviews(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    return frame.assign(day=pd.Timestamp(ctx.year, 12, 31))


def _reviewed(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    return frame.assign(_person=_unmatched_person(frame, people.members, "year"))


_ACTIVITY_FIELDS = (
    "participants",
    "volunteers",
    "hours_per_person",
    "total_hours",
    "beneficiaries",
    "location",
    "note",
)


def _activities(
    frame: pd.DataFrame, people: _People, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    """Per-volunteer details (a volunteer platform's export: one row per volunteer with their own hours)
    become one row per activity — volunteers = distinct names, total hours = the sum of theirs; the rows
    folded in count as duplicates. A ledger row of the same activity keeps its own numbers and takes the
    ones it lacks from the details and from its other entries."""
    detail = (
        frame["volunteer_name"].notna() if "volunteer_name" in frame else pd.Series(False, index=frame.index)
    )
    if detail.any():
        d = frame[detail]
        agg = d.groupby("activity_id").agg(
            volunteers=("volunteer_name", "nunique"),
            total_hours=("hours_per_person", lambda h: h.sum(min_count=1)),
        )
        first = ~d["activity_id"].duplicated()
        _count(sources, d.loc[~first, ["_src"]], "duplicates")
        rows = d[first].set_index("activity_id")
        rows["volunteers"] = agg["volunteers"].astype("Int64")
        rows["total_hours"] = agg["total_hours"]
        rows["hours_per_person"] = float("nan")
        rows["participants"] = pd.array([pd.NA] * len(rows), dtype="Int64")
        frame = pd.concat([frame[~detail], rows.reset_index()], ignore_index=True)
    several = frame["activity_id"].duplicated(keep=False)
    if several.any():
        group = frame[several].groupby("activity_id", sort=False)
        for column in _ACTIVITY_FIELDS:
            frame.loc[several, column] = frame.loc[several, column].fillna(group[column].transform("first"))
    frame["volunteer_hours"] = (
        frame["total_hours"]
        .fillna(frame["volunteers"].astype("float64") * frame["hours_per_person"])
        .fillna(0.0)
    )
    return frame


HOOKS: dict[str, Hook] = {  # before matching: what only this kind needs
    "roster": _roster,
    "activities": _activities,
    "recruitment": _recruitment,
    "study": _study,
    "participants": _participants,
    "reviews": _reviews,
}
AFTER_MATCH: dict[str, Hook] = {  # after matching, before de-duplication
    "transfers": _transfers_retry,
    "study": _study_learners,
    "checkin": _checkins,
    "reviews": _reviewed,
}
FINISH: dict[str, Hook] = {  # after de-duplication
    "recruitment": _recruitment_joins,
    "transfers": _transfers_membership,
    "checkin": _checkins_order,
}


STAGE_DATES = {
    "applied_date": "申请日期",
    "activist_date": "确定积极分子日期",
    "target_date": "确定发展对象日期",
    "joined_date": "入团日期",
}


def _merge_stages(recruitment: pd.DataFrame, ctx: clean.Context) -> pd.DataFrame:
    """Recruitment kept as stage documents (申请人登记表, 积极分子名册, 发展对象名册, 新团员名单): a person's
    rows in several documents are one pipeline row holding every stage date seen (the row of the furthest
    stage first, each empty field filled from the person's other rows). Two different dates of one stage
    are warned. The rows left over then count as duplicates."""
    furthest = recruitment[list(STAGE_DATES)].notna().to_numpy().dot([1, 2, 4, 8])  # later stages weigh more
    ordered = recruitment.assign(_stage=-furthest).sort_values("_stage", kind="stable").drop(columns="_stage")
    several = ordered["person_id"].duplicated(keep=False)
    if not several.any():
        return ordered
    group = ordered[several].groupby("person_id", sort=False)
    for column in STAGE_DATES:
        counts = group[column].nunique()
        for person in counts[counts > 1].index:
            rows = ordered[ordered["person_id"] == person]
            first = rows.iloc[0]
            ctx.warnings.append(
                {
                    "file": first["source_file"],
                    "sheet": first["source_sheet"],
                    "row": int(first["source_row"]),
                    "column": column,
                    "value": "、".join(sorted({f"{d:%Y-%m-%d}" for d in rows[column].dropna()})),
                    "reason": f"同一人在不同文件中的{STAGE_DATES[column]}不一致，"
                    "取进度最靠后的文件中的日期，请核对",
                }
            )
    fill = [c for c in ordered.columns if not c.startswith("source_") and c not in ("_src", "person_id")]
    filled = group[fill].transform("first")
    for column in fill:  # column by column: each keeps its dtype
        ordered.loc[several, column] = filled[column]
    return ordered


def _roster_codes(frame: pd.DataFrame, members: pd.DataFrame, sources: list[SourceReport]) -> pd.DataFrame:
    """Codes of a column read as 学号 by its content alone (a platform's 编号): per sheet, they are 学号 when
    most of them are the roster's 学号 (noted on the sheet), else they are not used (noted too)."""
    codes = frame["code_no"]
    if codes.notna().any():
        known = set(members["student_no"].dropna().astype(str)) if "student_no" in members.columns else set()
        student = frame["student_no"].astype(object)
        for src, group in frame.loc[codes.notna(), ["_src", "code_no"]].groupby("_src"):
            report = sources[int(src)]
            header = report.recognition.get("columns", {}).get("identity", {}).get("header") or "编号"
            share = float(group["code_no"].astype(str).isin(known).mean())
            if share >= ROSTER_CODES_SHARE:
                student.loc[group.index] = student.loc[group.index].fillna(group["code_no"])
                report.notes.append(f"“{header}”列按内容是学号：{share:.0%} 与名册中的学号相同，用于对应团员")
            else:
                report.notes.append(
                    f"“{header}”列像是编号，但只有 {share:.0%} 与名册中的学号相同，没有作为学号使用"
                )
        frame = frame.assign(student_no=student.astype("str"))
    return frame.drop(columns="code_no")


def _scrub_free_text(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """An ID or phone number typed into a remark, a name or a location (the kind's ``free_text``) never
    reaches a processed table."""
    present = [c for c in columns if c in frame]
    return frame.assign(**{c: privacy.scrub_series(frame[c]) for c in present}) if present else frame


def _member_warnings(ctx: clean.Context, rows: pd.DataFrame, column: str, value: str, reason: str) -> None:
    for _, row in rows.iterrows():
        ctx.warnings.append(
            {
                "file": row["source_file"],
                "sheet": row["source_sheet"],
                "row": int(row["source_row"]),
                "column": column,
                "value": row[value],
                "reason": reason,
            }
        )


def _dedup_members(members: pd.DataFrame, ctx: clean.Context, sources: list[SourceReport]) -> pd.DataFrame:
    """Same member key twice: an exact duplicate row is removed; one ID number is one person (the later row
    of a resubmitted form wins; a row whose ID fails its check digit joins the row with the same name and
    phone); different people sharing a name-derived key are kept apart."""
    identity = [c for c in schemas.columns("members") if not c.startswith("source_")]
    members = _dedup(members, identity, sources)
    by_id = members.duplicated("member_id", keep="last") & members["id_masked"].notna()
    _member_warnings(
        ctx,
        members[by_id],
        "身份证号",
        "id_masked",
        "与后面一行身份证号相同（同一人再次填报或更正），按同一人处理，取后面一行，请核对",
    )
    _count(sources, members.loc[by_id, ["_src"]], "duplicates")
    members = members[~by_id]
    if "phone_key" in members:
        person = members["name_norm"].astype(str) + "|" + members["phone_key"].astype(str)
        valid = members["id_valid"].astype(bool)
        typo = members["phone_key"].notna() & ~valid & person.duplicated(keep=False)
        typo &= person.map(members[valid].groupby(person)["member_id"].nunique()).eq(1)
        _member_warnings(
            ctx,
            members[typo],
            "身份证号",
            "id_masked",
            "身份证号校验位不正确，而姓名和手机号与另一行相同：按同一人处理，取身份证号正确的一行，请核对",
        )
        _count(sources, members.loc[typo, ["_src"]], "duplicates")
        members = members[~typo]
    clash = members.duplicated("member_id", keep="first")
    if clash.any():
        n = members.groupby("member_id").cumcount()
        members.loc[clash, "member_id"] = members.loc[clash, "member_id"] + "_" + (n[clash] + 1).astype(str)
        _member_warnings(
            ctx,
            members[clash],
            "姓名",
            "name",
            "与另一行姓名相同且无身份证号/出生日期可区分，按两个人处理，请核对",
        )
    return members


def _unmatched_person(frame: pd.DataFrame, members: pd.DataFrame, within: str) -> pd.Series:
    """Who a per-person row (review, check-in) is about: the matched member, else (name, branch) — with
    as many distinct people per (name, branch) as the roster has namesakes there, so two same-named
    members of one branch are never merged into one row (counted within each ``within`` value)."""
    base = "u:" + frame["name_norm"].astype(str) + "|" + frame["branch"].astype(str).fillna("")
    namesakes = members.groupby(["name_norm", "branch"]).size()
    allowed = pd.Series(
        [int(namesakes.get((n, b), 1)) for n, b in zip(frame["name_norm"], frame["branch"], strict=True)],
        index=frame.index,
    )
    nth = frame.groupby([frame[within], frame["name_norm"], frame["branch"].astype(str)]).cumcount()
    person = base + "#" + (nth.where(nth < allowed, 0)).astype(str)
    return frame["member_id"].astype(object).where(frame["member_id"].notna(), person)


def _match(
    frame: pd.DataFrame,
    members: pd.DataFrame,
    membership: Membership,
    *,
    branch: str,
    day: str,
    month_end: bool = False,
    scopes: dict[str, frozenset[str]] | None = None,
) -> pd.DataFrame:
    records = frame.rename(columns={branch: "_branch"}) if branch != "_branch" else frame
    days = pd.to_datetime(frame[day])
    if month_end:
        days = days + pd.offsets.MonthEnd(0)
    query = pd.DataFrame(
        {
            "id_key": records.get("id_key", pd.NA),
            "student_no": records.get("student_no", pd.NA),
            "id_tail": records.get("id_tail", pd.NA),
            "name_norm": records["name_norm"],
            "branch_canonical": records["_branch"],
            "has_branch_text": frame["has_branch_text"]
            if "has_branch_text" in frame
            else frame[branch].notna(),
            "day": days.fillna(pd.Timestamp.max.normalize()),
            "scope": frame.get("scope", pd.NA),
        },
        index=frame.index,
    )
    matched = match_records(query, members, membership, scopes=scopes)
    return frame.assign(member_id=matched["member_id"].astype("str"), match=matched["match"].astype("str"))


def _ambiguous(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    amb = frame[frame["match"] == "ambiguous"]
    return pd.DataFrame(
        {
            "kind": label,
            "file": amb["source_file"],
            "sheet": amb["source_sheet"],
            "row": amb["source_row"],
            "name": amb["name"] if "name" in amb else amb["name_norm"],
            "branch": amb["branch"].astype(str) if "branch" in amb else "",
        }
    )


def _warn_unmatched(frame: pd.DataFrame, ctx: clean.Context, message: str) -> None:
    for _, row in frame[frame["match"] == "unmatched"].iterrows():
        ctx.warnings.append(
            {
                "file": row["source_file"],
                "sheet": row["source_sheet"],
                "row": int(row["source_row"]),
                "column": "姓名",
                "value": str(row["name"]),
                "reason": message,
            }
        )


def _special_periods(study: pd.DataFrame) -> pd.DataFrame:
    """特辑 with the same title in different weeks are different periods: label them by their first day."""
    special = study["is_special"] & study["recorded_at"].notna()
    if not special.any():
        return study
    labels = study["period"].astype(object).copy()
    for label, group in study[special].groupby("period"):
        times = group["recorded_at"].sort_values()
        cluster = (times.diff() > pd.Timedelta(days=DETECTOR.special_gap_days)).cumsum()
        first = times.groupby(cluster).transform("min")
        # a title back on the same day another year (五四特辑 every 05-04) keeps its year in the label
        years = first.dt.year.groupby(first.dt.strftime("%m-%d")).nunique()
        repeated = set(years[years > 1].index)
        labels.loc[times.index] = [
            f"{label}({d:%Y-%m-%d})" if f"{d:%m-%d}" in repeated else f"{label}({d:%m-%d})" for d in first
        ]
    undated = study["is_special"] & study["recorded_at"].isna()
    if undated.any():
        # undated records join the largest dated cluster of their title
        for label, group in study[undated].groupby("period"):
            dated = labels[special & (study["period"] == label)]
            if len(dated):
                labels.loc[group.index] = dated.value_counts().index[0]
    return study.assign(period=labels.astype("str"))


def _validate(
    name: str, frame: pd.DataFrame, ctx: clean.Context, sources: list[SourceReport]
) -> pd.DataFrame:
    """pandera validation (lazy): failing rows are rejected with the check that failed."""
    model = schemas.TABLES[name]
    try:
        validated = model.validate(frame, lazy=True)
        return validated
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        bad_index = set(int(i) for i in cases["index"].dropna() if isinstance(i, (int, float)))
        labels = schemas.labels(name)
        for _, case in cases.dropna(subset=["index"]).iterrows():
            idx = int(case["index"])
            if idx not in frame.index:
                continue
            row = frame.loc[idx]
            ctx.rejected.append(
                {
                    "file": row["source_file"],
                    "sheet": row["source_sheet"],
                    "row": int(row["source_row"]),
                    "column": labels.get(str(case["column"]), str(case["column"])),
                    "value": clean.scrub(case["failure_case"]),
                    "reason": f"数据校验未通过（{case['check']}）",
                }
            )
        bad = frame.index.isin(list(bad_index))
        _count(sources, frame[bad], "rejected")
        if not bad.any():
            raise AnalysisError(f"内部错误：{schemas.TABLE_LABELS[name]}表结构校验失败：{exc}") from None
        return model.validate(frame[~bad], lazy=True)


def write_processed(result: IngestResult, processed_dir: Path) -> None:
    """Write tables, ingest_report.json and rejected_rows.xlsx — every text scrubbed of identifiers, the
    finished folder audited — then, last, the manifest (processed_folder.py); replaces the folder
    atomically."""
    processed_dir = Path(processed_dir)
    processed_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = processed_dir.parent / f".{processed_dir.name}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    rows = {}
    for name, frame in result.tables.items():
        processed_folder.write_table(
            processed_folder.private_table(frame), tmp / f"{name}.parquet", name, result.year
        )
        rows[name] = len(frame)
    report = processed_folder.private_report(result.report())
    safe_io.atomic_write_text(tmp / INGEST_REPORT, json.dumps(report, ensure_ascii=False, indent=2))
    safe_io.write_xlsx(tmp / REJECTED_ROWS, processed_folder.masked_sheets(rejected_sheets(result)))
    processed_folder.check_private(tmp)
    if result.cache is not None:
        result.cache.save(tmp)  # the per-file cache: new entries (audited), the ones used carried over
    processed_folder.write_manifest(tmp, result.year, rows, report.get("inputs", []))
    old = processed_dir.parent / f".{processed_dir.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if processed_dir.exists():
        processed_dir.rename(old)
    tmp.rename(processed_dir)
    if old.exists():
        shutil.rmtree(old)


PROBLEM_HEADERS = {
    "file": "文件",
    "sheet": "工作表",
    "row": "行号",
    "column": "列",
    "value": "单元格内容",
    "reason": "原因",
}


REJECTED_NOTES = [
    ("被拒绝的行", "无法使用、未导入的行：文件、工作表、Excel 中的行号、列、单元格内容和原因。"),
    ("警告", "已导入但需要核对的行（如编号位数不对、年龄不足 14 周岁、名册外人员）。"),
    ("歧义匹配", "因重名无法确定是哪位团员的记录：已导入，但不计入任何个人。"),
    ("未识别的团支部", "导出中出现、配置 town.yml 中没有的团支部写法，及最接近的团支部。"),
    ("未导入的文件", "整个文件或工作表未导入的原因（无法读取、未识别、汇总类工作表）。"),
    ("来源", "由 python -m analysis ingest 读取原始导出文件夹生成；行号即在 Excel 中看到的行号。"),
]


def rejected_sheets(result: IngestResult) -> dict[str, pd.DataFrame]:
    sheets = {
        "被拒绝的行": result.rejected.rename(columns=PROBLEM_HEADERS),
        "警告": result.warnings.rename(columns=PROBLEM_HEADERS),
        "歧义匹配": result.ambiguous.rename(
            columns={
                "kind": "类别",
                "file": "文件",
                "sheet": "工作表",
                "row": "行号",
                "name": "姓名",
                "branch": "团支部",
            }
        ),
        "未识别的团支部": result.unknown_branches.rename(
            columns={"text": "导出中的写法", "suggestion": "最接近的团支部"}
        ),
        "未导入的文件": pd.DataFrame(
            [{"文件": f["file"], "原因": f["message"]} for f in result.failures]
            + [
                {"文件": u["file"] + (f"（{u['sheet']}）" if u["sheet"] else ""), "原因": u["message"]}
                for u in result.unknown_sheets
            ]
            + [
                {"文件": f"{u['file']}（{u['sheet']}）", "原因": "汇总类工作表（不是逐条明细），未导入"}
                for u in result.summary_sheets
            ]
            + [
                {"文件": u["file"] + (f"（{u['sheet']}）" if u["sheet"] else ""), "原因": u["message"]}
                for u in result.set_aside
            ]
            + [{"文件": f"{u['file']}（{u['sheet']}）", "原因": u["message"]} for u in result.lookup_sheets],
            columns=["文件", "原因"],
        ),
    }
    sheets[safe_io.NOTES_SHEET] = safe_io.notes_frame([*REJECTED_NOTES, ("年度", f"{result.year} 年的导入")])
    return sheets
