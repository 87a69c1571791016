"""``python -m analysis explain FILE|FOLDER``: how each sheet would be read — the same code path as the
ingest (reader → recogniser → rows → cleaning), shown to the analyst with a ready-to-paste town.yml snippet."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.common import schemas
from analysis.common.config import TownConfig
from analysis.common.errors import InputFileError
from analysis.ingest import clean
from analysis.ingest.branches import BranchResolver
from analysis.ingest.doubt import doubts
from analysis.ingest.pipeline import lookup_sheet, pinned_kind, raw_files
from analysis.ingest.readers import RawSheet, column_letter, read_sources
from analysis.ingest.recognise import Layout, Recogniser, SheetContext
from analysis.ingest.rows import extract
from analysis.safety import privacy

PREVIEW_ROWS = 5


@dataclass
class SheetExplanation:
    file: str
    sheet: str
    pinned: str | None
    layouts: list[Layout]  # best first
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    problem: str | None = None
    unmapped_headers: list[str] = field(default_factory=list)
    doubt: tuple[str, ...] = ()  # what contradicts the reading: the ingest sets the sheet aside
    lookup: str | None = None  # why the sheet is a lookup sheet (数据字典, 下拉选项): never read

    @property
    def chosen(self) -> Layout | None:
        if self.layouts and (not self.layouts[0].missing or self.pinned):
            return self.layouts[0]
        return None


def explain(target: Path, config: TownConfig, year: int, base: Path | None = None) -> list[SheetExplanation]:
    """Explain every sheet of a file, or of every export under a folder."""
    files = raw_files(target) if target.is_dir() else [target]
    root = base or (target if target.is_dir() else target.parent)
    resolver = BranchResolver(config)
    recogniser = Recogniser(config, resolver, year)
    out: list[SheetExplanation] = []
    for path in files:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        for shown, sheets in read_sources(path, name):  # a zip: each member, as "压缩包/成员"
            pinned = pinned_kind(config, shown)
            if isinstance(sheets, InputFileError):
                out.append(SheetExplanation(shown, "", pinned, [], problem=sheets.render()))
                continue
            for sheet in sheets:
                if (why := lookup_sheet(sheet)) is not None:
                    out.append(SheetExplanation(shown, sheet.sheet, pinned, [], lookup=why))
                    continue
                layouts = recogniser.recognise(sheet, SheetContext(shown, sheet.sheet, year), pinned)
                item = SheetExplanation(shown, sheet.sheet, pinned, layouts)
                if item.chosen is not None and not pinned:
                    item.doubt = doubts(
                        item.chosen, SheetContext(shown, sheet.sheet, year), config.vocabulary
                    ).reasons
                if item.chosen is not None and not item.chosen.missing:
                    item.preview = _preview(sheet, item.chosen, config, resolver, year)
                    used = set(item.chosen.columns.values())
                    item.unmapped_headers = [t for c, t in item.chosen.headers.items() if c not in used and t]
                out.append(item)
    return out


def _preview(
    sheet: RawSheet, layout: Layout, config: TownConfig, resolver: BranchResolver, year: int
) -> pd.DataFrame:
    """The first rows after cleaning, names masked (张*三), as the canonical table will hold them."""
    kind = config.vocabulary.kinds[layout.kind]
    rows = extract(sheet, layout, kind).rows.head(PREVIEW_ROWS * 3)
    ctx = clean.Context(config=config, year=year, resolver=resolver)
    src = clean.Source(sheet.file, sheet.sheet, layout, kind, year)
    frame = clean.CLEANERS[layout.kind](rows, src, ctx).head(PREVIEW_ROWS)
    internal = {
        "member_id",
        "person_id",
        "person_key",
        "match",
        "name_norm",
        "recipient_key",
        "activity_id",
        "join_precision",
        "section_source",
    }
    keep = [
        c
        for c in schemas.columns(kind.table)
        if c in frame and not c.startswith("source_") and c not in internal and frame[c].notna().any()
    ]
    frame = frame[keep].copy()
    if "section" in frame:
        labels = {sec.key: sec.label for sec in config.sections}
        frame["section"] = frame["section"].map(lambda k: labels.get(k, k))
    if "name" in frame and kind.table != "activities":  # a person's name (an activity's is not masked)
        frame["name"] = frame["name"].map(mask_name)
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_datetime64_any_dtype(
            frame[col]
        ):
            frame[col] = privacy.scrub_series(frame[col].astype("str"))
    return frame.rename(columns=schemas.labels(kind.table))


def mask_name(value: Any) -> Any:
    """张三 → 张*, 欧阳娜娜 → 欧阳**: a name shown outside the rejected-rows workbook is masked."""
    if not isinstance(value, str) or not value:
        return value
    keep = 2 if len(value) >= 4 else 1
    return value[:keep] + "*" * (len(value) - keep)


def snippet(item: SheetExplanation, config: TownConfig) -> str:
    """A town.yml fragment that pins the sheet's kind and names the spellings read by content or context."""
    layout = item.chosen or (item.layouts[0] if item.layouts else None)
    if layout is None:
        kinds = "、".join(k.label for k in config.vocabulary.kinds.values())
        return (
            "files:\n"
            f'  "{item.file.rsplit("/", 1)[-1]}": 青年大学习   # 改为这个文件的类型：{kinds}\n'
            "columns:\n"
            "  青年大学习:\n"
            "    期次: [表头中的写法]   # 改为缺少的列和它在表头中的写法"
        )
    kind = config.vocabulary.kinds[layout.kind]
    lines = ["files:", f'  "{item.file.rsplit("/", 1)[-1]}": {kind.label}']
    spellings = []
    for key, source in layout.sources.items():
        if source.how in ("content", "code") and source.header:
            spellings.append(f"    {kind.label_of(key)}: [{source.header}]")
    for group in layout.missing:
        spellings.append(f"    {kind.label_of(group[0])}: [表头中的写法]   # 缺少的列")
    if spellings:
        lines += ["columns:", f"  {kind.label}:", *spellings]
    return "\n".join(lines)


def describe(item: SheetExplanation, config: TownConfig) -> list[str]:
    """The explanation of one sheet as lines of Chinese text."""
    where = f"文件“{item.file}”" + (f"工作表“{item.sheet}”" if item.sheet else "")
    lines = [where]
    if item.problem:
        return [*lines, f"  无法读取：{item.problem}"]
    if item.lookup:
        return [*lines, f"  不导入：{item.lookup}"]
    if not item.layouts:
        return [
            *lines,
            "  前 15 行中找不到可识别的表头：没有任何类型的列能对上。",
            "  可在 town.yml 中这样指定：",
            snippet(item, config),
        ]
    chosen = item.chosen
    vocab = config.vocabulary
    if chosen is None:
        lines.append("  没有一种类型的必需列齐全，不会导入。各类型的情况：")
    else:
        pinned = "（town.yml 指定）" if item.pinned else ""
        lines.append(
            f"  识别为：{chosen.kind_label}{pinned}，得分 {chosen.score:g}；表头在第 {'、'.join(map(str, chosen.header_rows))} 行"
        )
        if chosen.runner_up:
            lines.append(
                f"  次选：{vocab.kinds[chosen.runner_up].label}，得分 {chosen.runner_up_score:g}（相差 {chosen.margin:g}）"
            )
        else:
            lines.append("  次选：没有（其他类型都对不上）")
        for reason in item.doubt:
            lines.append(
                f"  识别不确定：{reason}。导入时这张表不计入任何数字，确认类型后用 town.yml 的 files 指定"
            )
    for layout in item.layouts[:4]:
        kind = vocab.kinds[layout.kind]
        mark = "→" if layout is chosen else " "
        missing = (
            "；缺少 " + "、".join("或".join(kind.label_of(c) for c in g) for g in layout.missing)
            if layout.missing
            else ""
        )
        lines.append(f"  {mark} {kind.label}：{layout.score:g} 分{missing}")
    if chosen is not None:
        kind = vocab.kinds[chosen.kind]
        lines.append("  各列的来源：")
        for key, source in chosen.sources.items():
            lines.append(f"    {kind.label_of(key)} ← {source.describe()}")
        if item.unmapped_headers:
            lines.append(f"  未使用的列：{'、'.join(item.unmapped_headers[:12])}")
        if chosen.wide is not None:
            lines.append(
                f"  宽表：{len(chosen.wide.columns)} 列各为一个{chosen.wide.label}（{column_letter(min(chosen.wide.columns))} 列起）"
            )
    lines.append("  town.yml 写法（可直接粘贴后修改）：")
    lines += ["    " + line for line in snippet(item, config).splitlines()]
    return lines


def run_explain(args: Any, console: Any) -> int:
    """The ``explain`` command: print the explanation of every sheet under the given path."""
    import re

    from rich.table import Table

    from analysis.common import paths
    from analysis.common.config import load_config
    from analysis.common.errors import AnalysisError

    target = paths.resolve(args.path)
    if not target.exists():
        raise AnalysisError(f"找不到 {target}", hint="请给出导出文件或文件夹的路径。")
    in_sample = paths.SAMPLE_DIR in (target, *target.parents)
    config_path = (
        paths.resolve(args.config)
        if args.config
        else (paths.SAMPLE_CONFIG if in_sample else paths.CONFIG_FILE)
    )
    config = load_config(config_path)
    years = [int(m) for part in target.parts for m in re.findall(r"(?<!\d)(20\d{2})(?!\d)", part)]
    year = args.year or (years[-1] if years else pd.Timestamp.today().year)
    for item in explain(target, config, year):
        console.print("\n".join(describe(item, config)))
        if not item.preview.empty:
            table = Table(title="清洗后的前几行（姓名已部分隐藏）", title_justify="left")
            for col in item.preview.columns:
                table.add_column(str(col), overflow="fold")
            for row in item.preview.astype("str").fillna("").itertuples(index=False):
                table.add_row(*[str(v) for v in row])
            console.print(table)
        console.print("")
    return 0
