"""safe_io.py: formula-injection-safe CSV/xlsx and atomic writes."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.safety import safe_io
from analysis.safety.safe_io import (
    atomic_output,
    atomic_write_bytes,
    atomic_write_text,
    display_width,
    neutralise,
    sanitize_sheet_names,
    write_csv,
    write_xlsx,
)

DANGEROUS = ['=HYPERLINK("http://x","点我")', "+1+1", "@SUM(A1)", "-5", "\tx", "\rx", "  =1+1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_dangerous_text(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["张三", "", "5", "a=b", "'=already", -5, 3.2, 0, None, True, dt.date(2022, 3, 5)]
)
def test_neutralise_leaves_safe_values(value: object) -> None:
    out = neutralise(value)
    assert out == value and type(out) is type(value)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "姓名": ["张三", *DANGEROUS, "#N/A"],
            "次数": [-5, 3, 1, 2, 3, 4, 5, 6, 7],
            "参学率": [0.5, 0.91, 1.0, 0.0, None, 0.2, 0.3, 0.4, 0.5],
            "日期": pd.to_datetime(["2022-03-05"] * 8 + [None]),
            "金额": [3.2, -1.5, 0, 1, 2, 3, 4, 5, 6],
        }
    )


def test_write_xlsx_cells_are_safe_and_typed(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_xlsx(path, {"明细": _frame()}, percent_columns={"明细": ["参学率"]})
    ws = openpyxl.load_workbook(path)["明细"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    with zipfile.ZipFile(path) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    assert [c.value for c in ws[1]] == ["姓名", "次数", "参学率", "日期", "金额"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    names = [ws.cell(row=r, column=1).value for r in range(2, 11)]
    assert names == ["张三", *("'" + t for t in DANGEROUS), "#N/A"]
    assert all(
        ws.cell(row=r, column=1).data_type == "s" for r in range(2, 11)
    )  # "#N/A" is text, not an error
    assert ws["B2"].value == -5 and ws["B2"].data_type == "n"
    assert ws["E2"].value == 3.2 and ws["E3"].value == -1.5
    assert ws["C2"].value == 0.5 and ws["C2"].number_format == "0.0%"
    assert ws["C6"].value is None
    assert ws["D2"].value == dt.datetime(2022, 3, 5) and ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["D10"].value is None


def test_write_xlsx_title_widths_and_sheet_names(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    wide = pd.DataFrame({"团支部名称": ["示例镇塔岗村团支部"], "code": ["abc"], "n": [1]})
    write_xlsx(
        path,
        {"a:b/c?": wide, "A:B/C?": wide, "x" * 40: wide},
        titles={"a:b/c?": "2022 年团员名册"},
        number_formats={"A:B/C?": {"n": "#,##0"}},
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["a_b_c_", "A_B_C_(2)", "x" * 31]
    ws = wb["a_b_c_"]
    assert ws["A1"].value == "2022 年团员名册" and ws["A1"].font.bold
    assert [c.value for c in ws[2]] == ["团支部名称", "code", "n"]
    assert ws.freeze_panes == "A3"
    # 9 CJK characters count 18 units (+2 padding); "code"/"abc" stay narrow
    assert ws.column_dimensions["A"].width == 20
    assert ws.column_dimensions["B"].width == 6
    assert wb["A_B_C_(2)"]["C2"].number_format == "#,##0"


def test_write_xlsx_splits_beyond_excel_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_io, "_EXCEL_MAX_ROWS", 5)  # 4 data rows per sheet
    path = tmp_path / "out.xlsx"
    write_xlsx(path, {"明细": pd.DataFrame({"n": range(10)})})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["明细", "明细_2", "明细_3"]
    assert [c.value for c in wb["明细_3"]["A"]] == ["n", 8, 9]


def test_write_xlsx_odd_values(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    frame = pd.DataFrame(
        {
            "mixed": [1, "=x", dt.date(2022, 1, 2), None, "a\x01b"],
            "big": [123456789012345678, 1, 2, 3, 4],
            "nullable": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "flag": [True, False, True, False, True],
        }
    )
    write_xlsx(path, {"s": frame})
    ws = openpyxl.load_workbook(path)["s"]
    assert [c.value for c in ws["A"]] == ["mixed", 1, "'=x", dt.datetime(2022, 1, 2), None, "ab"]
    assert ws["B2"].value == "123456789012345678" and ws["B2"].data_type == "s"  # Excel would drop digits
    assert ws["C3"].value is None and ws["C4"].value == 3
    assert ws["D2"].value is True


def test_write_csv_bom_and_prefixes(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    frame = _frame()
    frame.columns = ["=姓名", *frame.columns[1:]]
    write_csv(frame, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert back.columns[0] == "'=姓名"
    assert back.iloc[:, 0].tolist()[:8] == ["张三", *("'" + t for t in DANGEROUS)]
    assert back["次数"].tolist()[0] == -5  # numbers untouched


def test_atomic_writes(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.txt"
    atomic_write_text(target, "一\n二\r\n")
    assert target.read_bytes() == "一\n二\r\n".encode()
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]  # no temp file left


def test_helpers() -> None:
    assert display_width("团员") == 4
    assert display_width("ab\n团员团员") == 8
    assert display_width("ＡＢ") == 4
    assert sanitize_sheet_names(["", "History", "'x'", "a", "A"]) == ["Sheet", "History_", "x", "a", "A(2)"]


def test_illegal_characters_are_openpyxls() -> None:
    """safe_io keeps its own copy (openpyxl loads only when a workbook is written): the same pattern."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assert safe_io.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern
