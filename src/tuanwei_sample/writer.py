"""Write the sample town to disk: xlsx (openpyxl, stable bytes), csv (csv module), town.yml."""

from __future__ import annotations

import csv
import dataclasses
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from analysis.common.config import default_sections
from tuanwei_sample import catalog as cat
from tuanwei_sample.model import ExportFile, ExportSheet, SampleTown

FIXED_TIME = datetime(2023, 1, 3, 9, 0, 0)
_ZIP_TIME = (2023, 1, 3, 9, 0, 0)


class _StableZip(zipfile.ZipFile):
    """A ZipFile whose entries carry a fixed timestamp (openpyxl otherwise stamps the current time)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # type: ignore[override]
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # type: ignore[override]
        """openpyxl writes worksheets from temporary files: store their bytes with the fixed timestamp."""
        with open(filename, "rb") as fh:
            data = fh.read()
        self.writestr(str(arcname or filename), data, compress_type, compresslevel)


def _display_width(value: object) -> int:
    text = value.isoformat() if isinstance(value, date) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


STREAM_ROWS = 10_000  # sheets longer than this are written in openpyxl's write-only (streaming) mode


def _widths(spec: ExportSheet) -> dict[int, int]:
    """Column widths from the first 200 rows (merged title rows left out), as a person would set them."""
    merged_rows = {int("".join(c for c in m.split(":")[0] if c.isdigit())) for m in spec.merges if m}
    widths: dict[int, int] = {}
    for r, row in enumerate(spec.rows[:200], start=1):
        if r in merged_rows:
            continue
        for c, value in enumerate(row, start=1):
            if value is not None:
                widths[c] = max(widths.get(c, 0), _display_width(value))
    return {c: min(max(width + 2, 8), 45) for c, width in widths.items()}


def _save(wb: Workbook, path: Path) -> None:
    props = wb.properties
    props.creator = props.lastModifiedBy = "示例镇团委"
    props.created = props.modified = FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    archive = _StableZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # closes the archive


def _write_xlsx_streaming(export: ExportFile, path: Path) -> None:
    """The same cells, merges, text formats and widths, written row by row (large county-scale files)."""
    wb = Workbook(write_only=True)
    for spec in export.sheets:
        ws = wb.create_sheet(spec.title)
        for c, width in _widths(spec).items():
            ws.column_dimensions[get_column_letter(c)].width = width
        for merge in spec.merges:
            ws.merged_cells.add(merge)
        text = {c - 1 for c in spec.text_columns}
        for row in spec.rows:
            if text:
                cells = []
                for c, value in enumerate(row):
                    if c in text and isinstance(value, str):
                        cell = WriteOnlyCell(ws, value)
                        cell.number_format = "@"
                        cells.append(cell)
                    else:
                        cells.append(value)
                ws.append(cells)
            else:
                ws.append(row)
    _save(wb, path)


def write_xlsx(export: ExportFile, path: Path, stream_rows: int = STREAM_ROWS) -> None:
    if any(len(spec.rows) > stream_rows for spec in export.sheets):
        _write_xlsx_streaming(export, path)
        return
    wb = Workbook()
    wb.remove(wb.active)
    for spec in export.sheets:
        ws = wb.create_sheet(spec.title)
        for row in spec.rows:
            ws.append(list(row))
        for merge in spec.merges:
            ws.merge_cells(merge)
        for column in spec.text_columns:
            for (cell,) in ws.iter_rows(min_col=column, max_col=column):
                if isinstance(cell.value, str):
                    cell.number_format = "@"
        for c, width in _widths(spec).items():
            ws.column_dimensions[get_column_letter(c)].width = width
    _save(wb, path)


def write_csv(export: ExportFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=export.encoding, newline="") as fh:
        writer = csv.writer(fh)
        for row in export.sheets[0].rows:
            writer.writerow(["" if v is None else v for v in row])


def _scalar(value: str) -> str:
    if value != value.strip() or any(ch in value for ch in ":#,[]{}&*!|>'\"%@`"):
        return json.dumps(value, ensure_ascii=False)
    return value


def _flow(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_scalar(v) for v in values) + "]"


def town_yaml(town: SampleTown) -> str:
    """town.yml of the sample town, commented in Chinese (loads with analysis.common.config.load_config)."""
    lines = [
        f"# {town.town}（虚构）的配置文件：由 `python -m analysis sample` 生成，供内置示例数据使用。",
        "# 复制为 config/town.yml 后，按本镇实际情况修改镇名、团支部、年度指标和活动归类关键词。",
        "",
        f"town: {town.town}  # 镇名，显示在报告和图表标题中",
        "",
        "# 镇团委在各类台账中的其他写法；作为活动组织者时统一识别为“镇团委”",
        f"committee_aliases: {_flow([s for s in cat.COMMITTEE_SPELLINGS if s != '镇团委'])}",
        "",
        "membership:",
        "  leave_age: 28  # 年满该年龄且不担任团内职务的团员应办理离团（用于统计超龄团员）",
        "",
        "# 团支部：name 为规范名称（报告中使用）；type 为类型（村 / 社区 / 学校 / 企业 / 机关 / 其他）；",
        "# aliases 为导出文件中出现的其他写法。",
        "# “团支部 / 支部 / 团总支 / 团委”等后缀的不同写法会自动识别，无需列出。",
        "branches:",
    ]
    for b in town.branches:
        lines += [f"  - name: {_scalar(b.name)}", f"    type: {b.type}", f"    aliases: {_flow(b.aliases)}"]
    lines += [
        "",
        "# 各年度指标：发展团员计划（调控指标）、青年大学习参学率目标、团干部每月学习打卡率目标",
        "years:",
    ]
    for year in town.years:
        lines += [
            f"  {year}:",
            f"    recruitment_quota: {town.quotas[year]}  # 发展团员计划数（名）",
            f"    study_rate_target: {cat.STUDY_TARGET}  # 青年大学习参学率目标，图中画参考线",
        ]
        if year >= 2022:
            lines.append(f"    checkin_rate_target: {cat.CHECKIN_TARGET}  # 团干部每月学习打卡率目标")
    lines += [
        "",
        "# 活动归入年度总结四个板块的关键词（活动名称包含任一关键词即归入该板块，按下列顺序判断）；",
        "# 活动台账的“活动类型”列写明板块时以该列为准。可在此增删关键词。",
        "default_category: ideology  # 没有命中任何关键词的活动归入的板块",
        "categories:",
    ]
    for key, spec in default_sections().items():
        lines += [
            f"  {key}:",
            f"    label: {_scalar(spec['label'])}",
            f"    keywords: {_flow(spec['keywords'])}",
        ]
    return "\n".join(lines) + "\n"


def _note(name: str, year: int) -> str:
    """One line (Chinese) on what an export file holds and how it is shaped."""
    if name.startswith("团员名册"):
        return (
            f"{year} 年末名册（含当年离团、当年入团人员）：首行为标题；"
            "身份证号为文本（个别小写 x）；入团年月写法不一"
        )
    if name.startswith("示例镇中学"):
        return (
            "学校自行导出（仅有学号的学生）：标题行 + 课程 / 系统 / 学校 / 学院 / 班级 / "
            "学号/卡号/工号 / 姓名 / 学习时间 + 表尾"
        )
    if name.startswith("青年大学习") and name.endswith(".csv"):
        return "期数 / 姓名 / 归属组织 / 报名时间；GBK 编码、无 BOM"
    if name == f"青年大学习_{year}年{cat.STUDY_RAW_SHEET_MONTH[year]:02d}月.xlsx":
        return "工作表“原始数据”：期数 / 团支部 / 姓名/学号（多种拼写）/ 学习时间；另有“汇总”工作表"
    if name.startswith("青年大学习"):
        return "期数 / 姓名 / 归属组织 / 报名时间（文本）"
    if name.startswith("活动台账"):
        if year >= 2022:
            return (
                "标题行 + 两行合并表头（志愿者服务人数及时长统计：人数 / 小时）+ 月份行 + 底部合计行；"
                "日期多为“6.30”写法"
            )
        return "单行表头（服务总时长(小时)）+ 表头下方的总合计行"
    notes = {
        "团干部学习打卡": "每位团干部每月一行：是否打卡（是 / 否 / √ / 空）与打卡日期；含一名名册外人员",
        "活动参与名单": "部分活动的参与人员名单",
        "发展团员台账": "发展团员各阶段日期（写法混杂）与发展团员编号",
        "爱心助学": "UTF-8（带 BOM）CSV：青檬励学金、情暖童心发放记录",
        "对标定级": "团支部定级结果" + ("（旧制“5星 / 4星 / 3星”）" if year < 2022 else ""),
        "团员教育评议": "团员年度评议结果",
        "组织关系转接": "团员组织关系转接记录",
    }
    return next((v for k, v in notes.items() if name.startswith(k)), "")


def readme(town: SampleTown, with_examples: bool = False) -> str:
    """README.md of the sample folder (Chinese): what the fictional town is and which files it holds."""
    lines = [
        f"# 内置示例镇：{town.town}（虚构，全部为合成数据）",
        "",
        f"由 `python -m analysis sample` 以随机种子 {town.seed} 生成，相同种子生成相同数据，请勿手工修改。",
        "姓名、身份证号（地区码 99 开头，校验位正确）、手机号码均为随机合成，不对应任何真实人员。",
        "导出文件有意保留真实导出中常见的“脏数据”：标题行、合并表头、合计行、团支部简称与后缀变体、",
        "全角空格、重名团员、重复提交、文本日期、GBK 编码等，用于检验导入流程。",
        "",
        f"- 配置：`town.yml`（{len(town.branches)} 个团支部、各年度指标、活动归类关键词）",
    ]
    for year in town.years:
        end = f"{year}-12-31"
        active = len(town.members_active_on(date(year, 12, 31)))
        lines += [
            "",
            f"## {year} 年（{end} 在册团员 {active} 名，当年发展团员 {len(town.joined_in(year))} 名）",
            "",
        ]
        for export in town.exports:
            if not export.path.startswith(f"{year}/"):
                continue
            name = export.path.split("/", 1)[1]
            lines.append(f"- `{name}`：{_note(name, year)}")
    lines += (
        []
        if not with_examples
        else [
            "",
            "## 示例文件（不属于任何年度，不会被导入）",
            "",
            f"- `examples/发展团员_表头特殊写法.xlsx`：2022 年发展团员台账，但“{UNUSUAL_HEADER[0]}”一列的表头写成了"
            f"“{UNUSUAL_HEADER[1]}”。用于演示 `python -m analysis explain` 和在 town.yml 中补充列名写法"
            "（见项目 README“导入出问题时”）。",
        ]
    )
    return "\n".join(lines) + "\n"


def write_town(town: SampleTown, out_dir: Path, with_examples: bool = False) -> list[Path]:
    """Write town.yml, README.md and every export under ``out_dir`` (and the examples/ folder when asked:
    the bundled sample has it, scaled benchmark towns do not); returns the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    config = out_dir / "town.yml"
    config.write_text(town_yaml(town), encoding="utf-8")
    notes = out_dir / "README.md"
    notes.write_text(readme(town, with_examples), encoding="utf-8")
    written = [config, notes]
    for export in (*town.exports, *(examples(town) if with_examples else ())):
        path = out_dir / export.path
        if export.format == "csv":
            write_csv(export, path)
        else:
            write_xlsx(export, path)
        written.append(path)
    return written


UNUSUAL_HEADER = ("申请日期", "交表日")  # a spelling no recognition rule knows (README: 导入出问题时)


def examples(town: SampleTown) -> list[ExportFile]:
    """data/sample/examples/: the 2022 recruitment ledger with one header spelled as no rule knows it —
    the README's walk-through of ``explain`` and a ``columns:`` fix in town.yml. Not part of any year."""
    ledger = town.export("2022/发展团员台账_2022.xlsx")
    sheet = ledger.sheets[0]
    header = tuple(UNUSUAL_HEADER[1] if h == UNUSUAL_HEADER[0] else h for h in sheet.rows[0])
    unusual = dataclasses.replace(sheet, rows=(header, *sheet.rows[1:]))
    return [dataclasses.replace(ledger, path="examples/发展团员_表头特殊写法.xlsx", sheets=(unusual,))]
