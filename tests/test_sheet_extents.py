"""guard.check_sheet_extents: a sheet's used area comes from its cell references, streamed, before any
reader allocates a grid; one stray cell far away is refused by file and sheet, never a crash."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from analysis.common.errors import InputFileError
from analysis.ingest.readers import read_file
from analysis.safety import guard
from analysis.safety.guard import Limits, check_sheet_extents

ROOT = Path(__file__).resolve().parents[1]


def _far_cell_xlsx(path: Path) -> Path:
    """A two-row roster on sheet 名单 plus one stray cell at the sheet's last row and column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["姓名", "所在团支部"])
    ws.append(["张三", "塔岗村团支部"])
    ws.cell(row=1_048_576, column=16_384, value="x")  # XFD1048576
    wb.save(path)
    return path


def _with_sheet_data(path: Path, sheet_data: str) -> Path:
    """A one-sheet workbook whose <sheetData> is exactly ``sheet_data`` (hand-written cells)."""
    wb = openpyxl.Workbook()
    wb.active.title = "表一"
    wb.active["A1"] = "x"
    src = path.with_suffix(".src.xlsx")
    wb.save(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start, end = text.index("<sheetData>"), text.index("</sheetData>")
                data = (text[:start] + f"<sheetData>{sheet_data}" + text[end:]).encode()
            zout.writestr(info, data)
    return path


def _shape(path: Path) -> tuple[int, int]:
    with zipfile.ZipFile(path) as zf:
        return guard._exact_extent(zf, "xl/worksheets/sheet1.xml", lambda e: False).shape


def test_far_cell_refused_by_file_sheet_and_cell(tmp_path: Path) -> None:
    path = _far_cell_xlsx(tmp_path / "团员名册.xlsx")
    with pytest.raises(InputFileError) as info:
        read_file(path, "团员名册.xlsx")  # the one call readers make before calamine
    text = str(info.value)
    assert "文件“团员名册.xlsx”" in text and "工作表“名单”" in text
    assert "使用区域过大：A1:XFD1048576（1,048,576 行 × 16,384 列" in text


def test_far_cell_refused_in_a_process_limited_to_4_gb(tmp_path: Path) -> None:
    """The whole ingest command, in a process that cannot allocate the full grid: a message, no abort."""
    resource = pytest.importorskip("resource")  # POSIX
    raw = tmp_path / "raw"
    raw.mkdir()
    _far_cell_xlsx(raw / "团员名册.xlsx")
    four_gb = 4 * 1024**3

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (four_gb, four_gb))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "ingest",
            "--year",
            "2022",
            "--raw",
            str(raw),
            "--processed",
            str(tmp_path / "processed"),
            "--config",
            str(ROOT / "data" / "sample" / "town.yml"),
        ],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 4, output  # reported as not imported; nothing imported is a serious gap
    assert "工作表“名单”" in output and "XFD1048576" in output
    assert "Traceback" not in output and "panicked" not in output


@pytest.mark.parametrize(
    ("sheet_data", "shape"),
    [
        # rows out of order: the area still spans rows 1–1000 and columns A–C
        ('<row r="1"><c r="A1"><v>1</v></c></row><row r="1000"><c r="C1000"><v>2</v></c></row>'
         '<row r="2"><c r="A2"><v>3</v></c></row>', (1000, 3)),
        # cells and rows without references: placed after the previous ones (rows 1–3, columns A–C)
        ('<row r="1"><c r="A1"><v>1</v></c></row><row><c><v>2</v></c><c><v>3</v></c><c><v>4</v></c></row>'
         '<row><c r="B3"><v>5</v></c></row>', (3, 3)),
        # an empty styled cell far away holds nothing: it does not count
        ('<row r="1"><c r="A1"><v>1</v></c></row><row r="900000"><c r="ZZ900000" s="1"/></row>', (1, 1)),
        # tags with a namespace prefix are cells too
        ('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="AB1"><x:v>2</x:v></x:c></x:row>', (1, 28)),
    ],
)  # fmt: skip
def test_exact_extent(tmp_path: Path, sheet_data: str, shape: tuple[int, int]) -> None:
    assert _shape(_with_sheet_data(tmp_path / "t.xlsx", sheet_data)) == shape


HEADER = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'  # two columns
BODY = "".join(
    f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r}</v></c></row>' for r in range(2, 8000)
)


@pytest.mark.parametrize(
    "sheet_data",
    [
        HEADER + '<row r="5"><c r="A5"><v>1</v></c><c><v>2</v></c></row>',  # a cell without reference
        HEADER + BODY + '<row r="9000"><c r="Z9000"><v>1</v></c></row>',  # wider than the top rows
        HEADER + '<row r="2000000"><c r="A2000000"><v>1</v></c></row>',  # beyond the row bound
        HEADER + '<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c></x:row>',  # prefixed tags
        '<row r="1"><c><v>1</v></c></row>',  # no reference at the top: width unknown
    ],
)
def test_fast_path_sends_anything_unusual_to_the_exact_scan(tmp_path: Path, sheet_data: str) -> None:
    path = _with_sheet_data(tmp_path / "t.xlsx", sheet_data)
    with zipfile.ZipFile(path) as zf:
        assert not guard._plain(zf, "xl/worksheets/sheet1.xml", Limits())


def test_ordinary_sheet_takes_the_fast_path(tmp_path: Path) -> None:
    """Two columns down to Excel's last row (2 × 1,048,576 cells, within the 12 million limit); row tags
    without numbers do not matter when every cell carries its reference."""
    data = HEADER + '<row><c r="A2"><v>1</v></c></row><row r="1048576"><c r="B1048576"><v>2</v></c></row>'
    path = _with_sheet_data(tmp_path / "t.xlsx", data)
    with zipfile.ZipFile(path) as zf:
        assert guard._plain(zf, "xl/worksheets/sheet1.xml", Limits())
    check_sheet_extents(path)


def test_a_sheet_twenty_six_columns_wide_and_half_a_million_rows_is_measured_and_refused(
    tmp_path: Path,
) -> None:
    header = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(26))
    data = f'<row r="1">{header}</row><row r="500000"><c r="A500000"><v>1</v></c></row>'
    with pytest.raises(InputFileError, match=r"A1:Z500000（500,000 行 × 26 列"):  # 13 million cells
        check_sheet_extents(_with_sheet_data(tmp_path / "t.xlsx", data))


@pytest.mark.parametrize(
    ("limit", "pattern", "largest"),
    [
        (1_999_999, b"[1-1]?[0-9]{1,6}", 1_999_999),
        (461_538, b"[1-3]?[0-9]{1,5}", 399_999),
        (38, b"[1-2]?[0-9]{1,1}", 29),
        (8, None, 0),
    ],
)
def test_row_bound_patterns(limit: int, pattern: bytes | None, largest: int) -> None:
    assert guard._number_pattern(limit) == pattern
    if pattern is not None:
        rx = re.compile(pattern + b"$")
        assert rx.match(str(largest).encode()) and not rx.match(str(largest + 1).encode())


@pytest.mark.parametrize(("width", "last", "beyond"), [(4, "D", "E"), (30, "AD", "AE"), (60, "BH", "BI")])
def test_column_patterns(width: int, last: str, beyond: str) -> None:
    rx = re.compile(guard._column_pattern(width) + b"$")
    assert rx.match(b"A") and rx.match(last.encode()) and not rx.match(beyond.encode())


def test_wide_sheet_within_limits_passes_and_limits_apply(tmp_path: Path) -> None:
    data = '<row r="1"><c r="A1"><v>1</v></c><c r="AZ1"><v>2</v></c></row><row r="40"><c r="B40"><v>3</v></c></row>'
    path = _with_sheet_data(tmp_path / "宽表.xlsx", data)
    check_sheet_extents(path)  # 40 rows × 52 columns
    with pytest.raises(InputFileError, match=r"A1:AZ40（40 行 × 52 列"):
        check_sheet_extents(path, Limits.from_config({"max_columns": 50}))
    with pytest.raises(InputFileError, match="工作表“表一”"):
        check_sheet_extents(path, Limits.from_config({"max_cells": 2000}))  # 40 × 52 = 2,080 cells


@pytest.mark.parametrize("far", [False, True], ids=["fast path", "exact scan"])
def test_merged_ranges_come_from_the_same_pass(tmp_path: Path, far: bool) -> None:
    """The column-wise reader takes its merged ranges from the extent check (one pass over the XML), on
    both the fast path and the exact scan (a cell without a reference sends the sheet there)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "打卡"
    ws.append(["月份", "姓名"])
    for month, names in (("1月", "甲乙丙"), ("2月", "丁戊")):
        for n in names:
            ws.append([month, n])
    ws.merge_cells("A2:A4")
    ws.merge_cells("A5:A6")
    ws.merge_cells("AA10:AB12")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    if far:  # drop one reference: the exact scan places the cell after the previous one
        with zipfile.ZipFile(path) as zin:
            parts = {i.filename: zin.read(i) for i in zin.infolist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        parts["xl/worksheets/sheet1.xml"] = xml.replace('<c r="B3"', "<c", 1).encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for name, data in parts.items():
                zout.writestr(name, data)
    with zipfile.ZipFile(path) as zf:
        assert guard._plain(zf, "xl/worksheets/sheet1.xml", Limits()) is not far
    assert check_sheet_extents(path) == {"打卡": [(2, 0, 4, 0), (5, 0, 6, 0), (10, 26, 12, 27)]}
