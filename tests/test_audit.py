"""audit.py: full 身份证号 / 手机号码 left in outputs are found and reported masked; masked forms pass."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import docx
import nbformat
import openpyxl
import pandas as pd
import pytest

from analysis.safety.audit import (
    KIND_ID,
    KIND_PHONE,
    KIND_UNREADABLE,
    audit,
    audit_ok,
    find_identifiers,
    format_findings,
)
from analysis.safety.safe_io import write_xlsx

# 11010519491231002X: check digit computed by hand in test_privacy.py (sum 167, 167 % 11 = 2 → X)
ID = "11010519491231002X"
ID_MASKED = "110***********002X"
BAD_ID = "110105194912310021"  # same digits, wrong check digit
PHONE = "13812345678"
PHONE_MASKED = "138****5678"


def _write_outputs(folder: Path, id_value: str, phone_value: str) -> None:
    folder.mkdir()
    (folder / "indicators.json").write_text(
        json.dumps({"year": 2022, "note": f"联系人身份证 {id_value}", "rate": 0.9}, ensure_ascii=False),
        encoding="utf-8",
    )
    pd.DataFrame({"姓名": ["张三", "李四"], "手机号码": ["无", phone_value]}).to_csv(
        folder / "query.csv", index=False
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(["姓名", "备注"])
    ws.append(["张三", f"身份证号：{id_value}，已核实"])
    wb.save(folder / "rejected_rows.xlsx")
    doc = docx.Document()
    para = doc.add_paragraph("联系电话：")
    for piece in (phone_value[:3], phone_value[3:7], phone_value[7:]):  # Word often splits text into runs
        para.add_run(piece)
    doc.save(folder / "summary.docx")
    pd.DataFrame(
        {"member_id": ["p_3fa9c2d1e0b4a7f6", "p_0c1d2e3f4a5b6c7d"], "id_number": ["", id_value]}
    ).to_parquet(folder / "members.parquet")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("members.head()")
    cell.outputs = [nbformat.v4.new_output("stream", text=f"张三 {id_value}\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# 团员"), cell]
    nbformat.write(nb, folder / "members.ipynb")


def test_full_identifiers_found_and_reported_masked(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    _write_outputs(folder, ID, PHONE)
    findings = audit(folder)
    got = {(f.file, f.kind, f.masked_value) for f in findings}
    assert got == {
        ("indicators.json", KIND_ID, ID_MASKED),
        ("query.csv", KIND_PHONE, PHONE_MASKED),
        ("rejected_rows.xlsx", KIND_ID, ID_MASKED),
        ("summary.docx", KIND_PHONE, PHONE_MASKED),
        ("members.parquet", KIND_ID, ID_MASKED),
        ("members.ipynb", KIND_ID, ID_MASKED),
    }
    where = {f.file: f.location for f in findings}
    assert where["query.csv"] == "第 3 行"
    assert where["rejected_rows.xlsx"] == "工作表“名册” B2"
    assert where["members.parquet"] == "“id_number”列 第 2 行"
    assert where["members.ipynb"] == "第 2 个单元格（输出）"
    assert where["summary.docx"] == "正文第 1 段"
    report = format_findings(findings)
    everything = report + repr(findings)
    assert ID not in everything and PHONE not in everything and "11010519491231002" not in everything
    assert "发现 6 处" in report and ID_MASKED in report and PHONE_MASKED in report
    assert not audit_ok(folder)
    assert [f.kind for f in audit(folder / "query.csv")] == [KIND_PHONE]  # a single file works too


def test_masked_outputs_are_clean(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    _write_outputs(folder, ID_MASKED, PHONE_MASKED)
    write_xlsx(
        folder / "indicators.xlsx", {"名册": pd.DataFrame({"身份证号（脱敏）": [ID_MASKED], "n": [1]})}
    )
    assert audit(folder) == []
    assert audit_ok(folder)
    assert format_findings([]) == "检查完成：未发现完整的身份证号或手机号码。"


def test_invalid_check_digit_is_not_an_id(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    _write_outputs(folder, BAD_ID, "12345")
    assert audit(folder) == []


@pytest.mark.parametrize(
    "text",
    [
        "110105194912310021",  # wrong check digit
        "9" + ID,  # inside a longer digit run
        ID + "7",
        "880105194912310028",  # valid check digit, but no province 88
        "110105205012310011",  # born in the future (and wrong digit)
        "rate 0.13812345678",  # decimal fraction, not a phone
        "p_13812345678ab, sha 3fa913812345678e0d",  # hex keys and hashes
        "12813812345678",  # longer run
        "110***********002X 138****5678",  # masked
        "12345678901234567890",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert list(find_identifiers(text)) == []


@pytest.mark.parametrize(
    ("text", "kind", "masked"),
    [
        (f"身份证号{ID}", KIND_ID, ID_MASKED),
        (ID.lower(), KIND_ID, ID_MASKED),
        ("１１０１０５１９４９１２３１００２Ｘ", KIND_ID, ID_MASKED),  # full-width
        ("旧证 110105491231002。", KIND_ID, "110*********002"),
        ("电话+86 138-1234-5678", KIND_PHONE, PHONE_MASKED),
        ("电话 138 1234 5678", KIND_PHONE, PHONE_MASKED),
        ("8613812345678", KIND_PHONE, PHONE_MASKED),
        # sample-town style (region 99): 9*7+9*9+0*10+1*5+0*8+2*4+2*2+0*1+0*6+5*3+0*7+1*9+0*10+1*5+1*8+2*4+3*2
        # = 63+81+0+5+0+8+4+0+0+15+0+9+0+5+8+8+6 = 212; 212 % 11 = 3 → "9"
        ("990102200501011239", KIND_ID, "990***********1239"),
        ("13812345678.0", KIND_PHONE, PHONE_MASKED),  # a float rendered as text still leaks the number
        ('"phone": 13812345678}', KIND_PHONE, PHONE_MASKED),
    ],
)
def test_identifier_shapes_found(text: str, kind: str, masked: str) -> None:
    assert [(k, m) for _, k, m in find_identifiers(text)] == [(kind, masked)]


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="受助名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c></row></sheetData></worksheet>'
    ),
    "xl/sharedStrings.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">'
        "<si><t>备注</t></si><si><t>张三</t></si>"
        '<si><r><t>身份证 1101051949</t></r><r><rPr><b/></rPr><t xml:space="preserve">1231002X</t></r></si></sst>'
    ),
}


def test_shared_strings_with_split_runs(tmp_path: Path) -> None:
    path = tmp_path / "excel_made.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in _XLSX_PARTS.items():
            zf.writestr(name, text)
    assert openpyxl.load_workbook(path)["受助名单"]["C2"].value == "身份证 11010519491231002X"
    findings = audit(path)
    assert [(f.location, f.kind, f.masked_value) for f in findings] == [
        ("工作表“受助名单” C2", KIND_ID, ID_MASKED)
    ]


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "chart.png").write_bytes(b"\x89PNG" + PHONE.encode())  # not a scanned type
    findings = audit(folder)
    assert [(f.file, f.kind) for f in findings] == [("broken.xlsx", KIND_UNREADABLE)]
    assert "无法检查" in format_findings(findings)
    assert not audit_ok(folder)


def test_many_findings_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text("\n".join(f"139{i:08d}" for i in range(50)), encoding="utf-8")
    findings = audit(path, max_per_file=10)
    assert len(findings) == 10
    report = format_findings(findings, per_file=3, max_per_file=10)
    assert "至少 10 处" in report and "另有 7 处" in report
