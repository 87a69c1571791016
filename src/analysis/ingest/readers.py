"""Readers: one raw export file → its sheets as grids of cell values (nothing interpreted yet).

xlsx, xlsm, xlsb, ods, xls and WPS .et (by content: an xlsx renamed .xls works) go through
python-calamine (typed cell values, merged ranges); HTML saved as .xls through lxml (colspan/rowspan
expanded); CSV through the csv module with the encoding detected (UTF-8, UTF-8 with BOM, GBK/GB18030).
Every sheet of a workbook is returned.

``read_sources`` is the entry point of the listing callers: a zip of exports (platform downloads) is
read member by member, each under the display name ``压缩包名/成员名``.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from analysis.common.errors import InputFileError, Location
from analysis.ingest import prefetch
from analysis.safety import guard


@dataclass
class RawSheet:
    """One sheet as read: ``cells`` is an object grid indexed by the Excel row number (1-based)."""

    file: str
    sheet: str
    cells: pd.DataFrame
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2)
    hidden: bool = False  # hidden (or very hidden) in its workbook

    @property
    def where(self) -> Location:
        return Location(file=self.file, sheet=self.sheet or None)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_file(path: Path, display_name: str, limits: guard.Limits | None = None) -> list[RawSheet]:
    """All sheets of one export. Raises InputFileError (Chinese message) when the file is unusable."""
    limits = limits or guard.Limits()
    if (prefetched := prefetch.take(path, limits)) is not None:  # checked and parsed while starting up
        return _read_xlsx_columnar(path, display_name, limits, *prefetched)
    info = guard.check_file(path, limits, name=display_name)
    merged: guard.MergedRanges = {}
    if info.format in ("xlsx", "xlsb", "ods"):
        merged = guard.check_sheet_extents(path, limits, name=display_name)  # before calamine allocates
    if info.format == "xlsx" and info.size >= COLUMNAR_BYTES:
        return _read_xlsx_columnar(path, display_name, limits, merged)
    if info.format in ("xlsx", "xlsb", "ods", "xls"):
        return _read_workbook(path, display_name, limits, merged)
    encoding = info.encoding or guard.detect_text_encoding(path.read_bytes(), name=display_name)
    if info.format == "html":
        return _read_html(path, display_name, limits, encoding)
    return _read_csv(path, display_name, limits, encoding)


COLUMNAR_BYTES = prefetch.COLUMNAR_BYTES


Read = tuple[str, list[RawSheet] | InputFileError]
"""What ``read_sources`` yields: a display name and its sheets, or why it could not be read."""


def read_sources(path: Path, display_name: str, limits: guard.Limits | None = None) -> Iterator[Read]:
    """Every export in one raw file: the file itself, or each member of a zip of exports under the display
    name ``压缩包名/成员名`` (e.g. ``青年大学习导出.zip/第5期.xlsx``). A problem with one member is that
    member's InputFileError (the others are read); a problem with the archive itself (too many members,
    too large, a bomb, corrupt) is one InputFileError under the archive's name. Unsupported, nested or
    encrypted members and names escaping the archive come as InputFileErrors saying they were skipped."""
    limits = limits or guard.Limits()
    if path.suffix.lower() in guard.ARCHIVE_SUFFIXES and _is_zip(path):
        yield from _read_archive(path, display_name, limits)
        return
    try:
        yield display_name, read_file(path, display_name, limits)
    except InputFileError as exc:
        yield display_name, exc


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4).startswith(guard.ZIP_MAGICS)
    except OSError:
        return False  # read_file says why


ARCHIVE_MEMBER_SUFFIXES = frozenset(prefetch.SUPPORTED - guard.ARCHIVE_SUFFIXES)
"""Members of a zip of exports that are read (by suffix, as in the raw folder); the others are listed
as skipped."""


def _read_archive(path: Path, display_name: str, limits: guard.Limits) -> Iterator[Read]:
    with contextlib.ExitStack() as stack:
        try:
            archive = stack.enter_context(guard.open_archive(path, limits, display_name))
        except InputFileError as exc:
            yield display_name, exc
            return
        if archive is None:  # a workbook renamed .zip: read as the file it is
            try:
                yield display_name, read_file(path, display_name, limits)
            except InputFileError as exc:
                yield display_name, exc
            return
        zf, members = archive
        # A private folder (mode 0700) outside the raw folder, which is never written; one member at a
        # time, under a fixed name: a member is never extracted to the path its name gives.
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tuanwei-zip-")))
        for member in members:
            shown = f"{display_name}/{member.name}"
            suffix = PurePosixPath(member.name).suffix.lower()
            if member.problem:
                yield shown, InputFileError(member.problem, Location(file=shown), member.hint)
                continue
            if suffix not in ARCHIVE_MEMBER_SUFFIXES:
                yield (
                    shown,
                    InputFileError(
                        f"压缩包中的这个文件不是可读取的表格（{suffix or '没有扩展名'}），已跳过",
                        Location(file=shown),
                        "可读取的格式：" + "、".join(sorted(ARCHIVE_MEMBER_SUFFIXES)),
                    ),
                )
                continue
            target = tmp / f"member{suffix}"
            try:
                _extract(zf, member.info, target, shown)
                sheets: list[RawSheet] | InputFileError = read_file(target, shown, limits)
            except InputFileError as exc:
                sheets = exc
            finally:
                target.unlink(missing_ok=True)
            yield shown, sheets


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, shown: str) -> None:
    """Copy one checked member to ``target``, never more bytes than its declared size (checked by
    ``guard.open_archive``)."""
    written = 0
    try:
        with zf.open(info) as src, target.open("wb") as out:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > info.file_size:
                    raise zipfile.BadZipFile("member larger than declared")
                out.write(chunk)
    except NotImplementedError:
        raise InputFileError(
            "压缩包中的这个文件使用了不支持的压缩方式，无法解压",
            Location(file=shown),
            "请用系统自带的“压缩”功能重新打包，或解压后把表格放入原始数据文件夹",
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError, zlib.error):
        raise InputFileError(
            "压缩包中的这个文件已损坏，无法解压",
            Location(file=shown),
            "请重新下载该压缩包，或解压后把表格放入原始数据文件夹",
        ) from None


def _cell_ref(ref: str) -> tuple[int, int]:
    """'AB12' → (12, 27): Excel row (1-based), column index (0-based)."""
    m = re.match(r"([A-Z]+)(\d+)", ref)
    if not m:
        return 1, 0
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col - 1


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part inside the xlsx package."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'Id="([^"]+)"', m.group(0)), re.search(r'Target="([^"]+)"', m.group(0))
        if rid and target:
            targets[rid.group(1)] = target.group(1)
    out = {}
    names = set(zf.namelist())
    for m in re.finditer(r"<sheet\b[^>]*>", workbook):
        name, rid = re.search(r'name="([^"]+)"', m.group(0)), re.search(r'r:id="([^"]+)"', m.group(0))
        if not name or not rid or rid.group(1) not in targets:
            continue
        target = targets[rid.group(1)]
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if part in names:
            out[html.unescape(name.group(1))] = part
    return out


def _first_columns(zf: zipfile.ZipFile, parts: dict[str, str]) -> dict[str, int]:
    """Per sheet name: its first used column, from ``<dimension ref>`` at the start of the sheet XML
    (read without decompressing the cells)."""
    out = {}
    for name, part in parts.items():
        with zf.open(part) as fh:
            head = fh.read(4096)
        dim = re.search(rb'<dimension ref="([A-Z]+\d+)', head)
        out[name] = _cell_ref(dim.group(1).decode())[1] if dim else 0
    return out


def _read_xlsx_columnar(
    path: Path,
    display_name: str,
    limits: guard.Limits,
    merges: guard.MergedRanges,
    parsed: list[tuple[str, Any]] | None = None,
) -> list[RawSheet]:
    """Sheets read column-wise into Arrow strings (fastexcel); ``merges`` from the extent check (the
    sheet XML is not read a second time), ``parsed``: the sheets already parsed by the prefetch."""
    import fastexcel

    try:
        if parsed is None:
            reader = fastexcel.read_excel(path.read_bytes())  # by content: an xlsx renamed .xls works
            parsed = [
                (name, reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string"))
                for name in reader.sheet_names
            ]
        with zipfile.ZipFile(path) as zf:
            parts = _sheet_parts(zf)
            first_columns = _first_columns(zf, parts)
        sheets: list[RawSheet] = []
        for name, sheet in parsed:
            _too_big(display_name, name, sheet.total_height, sheet.width, limits)
            table = sheet.to_arrow()
            if table.num_rows == 0:
                continue
            first_col = first_columns.get(name, 0)
            frame = table.to_pandas(types_mapper=lambda _: pd.StringDtype("pyarrow", na_value=np.nan))
            frame.columns = range(first_col, first_col + frame.shape[1])
            frame.index = pd.RangeIndex(1, 1 + len(frame))
            hidden = str(getattr(sheet, "visible", "visible")) != "visible"
            sheets.append(RawSheet(display_name, name, frame, merges.get(name, []), hidden))
        return sheets
    except InputFileError:
        raise
    except Exception as exc:  # fastexcel raises its own error types
        raise InputFileError(
            f"读取工作表时出错（{type(exc).__name__}）",
            Location(file=display_name),
            "文件可能已损坏：请在 Excel 中打开后另存为 .xlsx 再试。",
        ) from None


def _grid(rows: list[list[Any]], first_row: int, first_col: int) -> pd.DataFrame:
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame(rows, dtype=object, columns=range(first_col, first_col + width))
    frame.index = pd.RangeIndex(first_row, first_row + len(rows))
    return frame.replace("", None)


def _too_big(display_name: str, sheet: str, height: int, width: int, limits: guard.Limits) -> None:
    if height > limits.max_rows or width > limits.max_columns:
        raise InputFileError(
            f"工作表过大（{height} 行 × {width} 列，上限 {limits.max_rows} 行 × {limits.max_columns} 列）",
            Location(file=display_name, sheet=sheet),
            "如确为正常数据，可在 config/town.yml 的 limits 中调高上限。",
        )


def _read_workbook(
    path: Path, display_name: str, limits: guard.Limits, merges: guard.MergedRanges | None = None
) -> list[RawSheet]:
    """xlsx/xlsm/xlsb/ods/xls/et through calamine; ``merges`` (from the extent check) stand in for the
    merged ranges calamine does not give for xlsb and ods."""
    wps = guard.is_wps(display_name)
    try:
        # from a file object calamine detects the format from the content (an xlsx renamed .xls works)
        with path.open("rb") as fh:
            workbook = CalamineWorkbook.from_filelike(fh)
    except PasswordError:
        raise InputFileError(
            "文件设有密码，无法读取",
            Location(file=display_name),
            f"请在 {'WPS' if wps else 'Excel'} 中取消密码后另存为 .xlsx。",
        ) from None
    except (CalamineError, OSError, ValueError) as exc:
        raise InputFileError(
            f"无法打开表格文件（{type(exc).__name__}）",
            Location(file=display_name),
            "这可能是 WPS 表格专用格式：请在 WPS 中另存为 .xlsx 再试。"
            if wps
            else "文件可能已损坏：请在 Excel 中打开后另存为 .xlsx 再试。",
        ) from None
    sheets: list[RawSheet] = []
    try:
        for meta in workbook.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet",):
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            _too_big(display_name, meta.name, sheet.height, sheet.width, limits)
            rows = sheet.to_python(skip_empty_area=True)
            if not rows:
                continue
            start_row, start_col = sheet.start or (0, 0)
            ranges = sheet.merged_cell_ranges
            merged = (
                [(r1 + 1, c1, r2 + 1, c2) for (r1, c1), (r2, c2) in ranges]
                if ranges is not None
                else list((merges or {}).get(meta.name, []))
            )
            hidden = not str(meta.visible).endswith("Visible")
            grid = _grid(rows, start_row + 1, start_col)
            sheets.append(RawSheet(display_name, meta.name, grid, merged, hidden))
    except (CalamineError, ValueError) as exc:
        raise InputFileError(
            f"读取工作表时出错（{type(exc).__name__}）",
            Location(file=display_name),
            "文件可能已损坏：请在 Excel 中打开后另存为 .xlsx 再试。",
        ) from None
    finally:
        workbook.close()
    return sheets


def _read_html(path: Path, display_name: str, limits: guard.Limits, encoding: str) -> list[RawSheet]:
    from lxml import html as lxml_html

    text = path.read_bytes().decode(encoding, errors="replace")
    parser = lxml_html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except Exception as exc:  # lxml raises several unrelated types on broken markup
        raise InputFileError(
            f"无法解析网页格式的表格（{type(exc).__name__}）", Location(file=display_name)
        ) from None
    sheets: list[RawSheet] = []
    for number, table in enumerate(root.iter("table"), start=1):
        rows = _html_rows(table)
        if not rows:
            continue
        _too_big(display_name, f"表{number}", len(rows), max(len(r) for r in rows), limits)
        sheets.append(RawSheet(display_name, f"表{number}", _grid(rows, 1, 0)))
    return sheets


def _html_rows(table: Any) -> list[list[Any]]:
    """Rows of an HTML table with colspan/rowspan expanded (a spanned value repeats in each cell)."""
    grid: list[list[Any]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.iter("tr")):
        row: list[Any] = []
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            value = " ".join(cell.text_content().split()) or None
            colspan = _span(cell.get("colspan"))
            rowspan = _span(cell.get("rowspan"))
            for dc in range(colspan):
                row.append(value)
                for dr in range(1, rowspan):
                    pending[(r + dr, c + dc)] = value
            c += colspan
        while (r, c) in pending:
            row.append(pending.pop((r, c)))
            c += 1
        grid.append(row)
    return grid


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _read_csv(path: Path, display_name: str, limits: guard.Limits, encoding: str) -> list[RawSheet]:
    text = path.read_bytes().decode(encoding, errors="replace")
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        return []
    _too_big(display_name, "", len(rows), max(len(r) for r in rows), limits)
    return [RawSheet(display_name, "", _grid(rows, 1, 0))]
