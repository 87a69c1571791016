"""Formats (issue 21): .ods, .xlsb and .xlsm read through the same path as .xlsx; WPS .et and password-
protected files refused with a Chinese message saying what to save as; a .zip of exports read member by
member (size and count limits, no path escaping) with each member accounted for as ``压缩包/成员``.

Every input is made here, in tmp_path: nothing in the environment writes .ods, .xlsb or .xls, so those are
built from their published structures (ODF XML, BIFF12 records, BIFF8 records in an OLE2 file)."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from analysis.common import paths
from analysis.common.config import load_config
from analysis.common.errors import InputFileError
from analysis.ingest.explain import explain
from analysis.ingest.pipeline import ingest_year, raw_files
from analysis.ingest.readers import read_file, read_sources
from analysis.safety import guard
from analysis.safety.guard import Limits, check_file, check_sheet_extents
from tests.builders import compound_file

ROWS: list[list[Any]] = [
    ["姓名", "所在团支部", "分数"],
    ["张三", "塔岗村团支部", 3.5],
    ["李四", "新华社区团支部", 2],
]
MiB = 1024 * 1024


# --- builders -------------------------------------------------------------------------------------------


def _xlsx(path: Path, rows: list[list[Any]] = ROWS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _xlsx_bytes(rows: list[list[Any]] = ROWS) -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(buf)
    return buf.getvalue()


ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods_cell(value: Any, extra: str = "") -> str:
    if value is None:
        return f"<table:table-cell{extra}/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell{extra} office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return f'<table:table-cell{extra} office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def _ods(path: Path, body: str, sheet: str = "Sheet1", manifest_extra: str = "") -> Path:
    """An .ods as LibreOffice writes it: ``mimetype`` first and stored, the manifest, content.xml."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIME}"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{manifest_extra}'
        "</manifest:file-entry></manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def _ods_rows(rows: list[list[Any]]) -> str:
    return "".join("<table:table-row>" + "".join(map(_ods_cell, r)) + "</table:table-row>" for r in rows)


def _b12(typ: int, data: bytes = b"") -> bytes:
    """One BIFF12 record: type and size as 7-bit groups, then the data."""
    head = bytes([typ]) if typ < 0x80 else bytes([(typ & 0x7F) | 0x80, typ >> 7])
    n, size = len(data), b""
    while True:
        n, low = n >> 7, n & 0x7F
        size += bytes([low | (0x80 if n else 0)])
        if not n:
            return head + size + data


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _xlsb(path: Path, rows: list[list[Any]] = ROWS, far: tuple[int, int] | None = None) -> Path:
    """A minimal .xlsb (MS-XLSB): workbook.bin with one BrtBundleSh, a sheet of BrtRowHdr + BrtCellSt /
    BrtCellReal records, a merged range A2:A3; ``far`` adds one string cell at (row, column), 0-based."""
    book = (
        _b12(0x83)  # BrtBeginBook
        + _b12(0x8F)  # BrtBeginBundleShs
        + _b12(0x9C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("Sheet1"))
        + _b12(0x90)  # BrtEndBundleShs
        + _b12(0x9D, bytes(26))  # BrtCalcProp
        + _b12(0x84)  # BrtEndBook
    )
    cells = b""
    placed = [(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row) if v is not None]
    if far:
        placed.append((*far, "远处"))
    for r in sorted({r for r, _, _ in placed}):
        cells += _b12(0x00, struct.pack("<I", r) + bytes(8))  # BrtRowHdr
        for _, c, v in (p for p in placed if p[0] == r):
            head = struct.pack("<II", c, 0)
            cells += (
                _b12(0x06, head + _wide(v)) if isinstance(v, str) else _b12(0x05, head + struct.pack("<d", v))
            )
    sheet = (
        _b12(0x81)  # BrtBeginSheet
        + _b12(0x94, struct.pack("<IIII", 0, len(rows) - 1, 0, 2))  # BrtWsDim
        + _b12(0x91)  # BrtBeginSheetData
        + cells
        + _b12(0x92)  # BrtEndSheetData
        + _b12(0xB0, struct.pack("<IIII", 1, 2, 0, 0))  # BrtMergeCell A2:A3
        + _b12(0x82)  # BrtEndSheet
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
        ' Target="worksheets/sheet1.bin"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("xl/workbook.bin", book)
        zf.writestr("xl/_rels/workbook.bin.rels", rels)
        zf.writestr("xl/worksheets/sheet1.bin", sheet)
    return path


def _biff8(rows: list[list[Any]] = ROWS, sheet: str = "Sheet1") -> bytes:
    """A BIFF8 workbook stream (MS-XLS) as Excel and WPS write into .xls / .et: one sheet of LABEL/NUMBER."""

    def rec(rid: int, data: bytes = b"") -> bytes:
        return struct.pack("<HH", rid, len(data)) + data

    def bof(dt: int) -> bytes:
        return rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0, 0, 0, 0))

    def boundsheet(pos: int) -> bytes:
        return rec(0x0085, struct.pack("<IBBBB", pos, 0, 0, len(sheet), 1) + sheet.encode("utf-16-le"))

    cells = b""
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, str):
                cells += rec(0x0204, struct.pack("<HHHHB", r, c, 15, len(v), 1) + v.encode("utf-16-le"))
            elif v is not None:
                cells += rec(0x0203, struct.pack("<HHHd", r, c, 15, v))
    body = bof(0x10) + rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, 3, 0)) + cells + rec(0x000A)
    head_len = len(bof(5) + boundsheet(0) + rec(0x000A))
    return bof(5) + boundsheet(head_len) + rec(0x000A) + body


class _GbkName(zipfile.ZipInfo):
    """A member whose name is written in GBK without the UTF-8 flag, as Chinese Windows tools do."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # zipfile's own method, overridden
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _zip(path: Path, members: dict[str, bytes], gbk: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = _GbkName(name) if name in gbk else zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def _flag_encrypted(archive: Path, name: str) -> None:
    """Set the "encrypted" flag (bit 0) of one member in its local and central headers: zipfile cannot
    write encrypted members, and only the flag matters here."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        local, at = zf.getinfo(name).header_offset, zf.start_dir
    data[local + 6] |= 0x1
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name.encode():
            data[at + 8] |= 0x1
            break
        at += 4
    archive.write_bytes(bytes(data))
    with zipfile.ZipFile(archive) as zf:
        assert zf.getinfo(name).flag_bits & 0x1


def _values(sheets: list[Any]) -> list[list[Any]]:
    assert len(sheets) == 1
    return sheets[0].cells.astype(object).where(sheets[0].cells.notna(), None).values.tolist()


def _sources(path: Path, name: str | None = None, limits: Limits | None = None) -> dict[str, Any]:
    return dict(read_sources(path, name or path.name, limits))


def _refused(path: Path, *needles: str, limits: Limits | None = None) -> str:
    with pytest.raises(InputFileError) as info:
        read_file(path, path.name, limits)
    text = str(info.value)
    assert path.name in text
    for needle in needles:
        assert needle in text, text
    return text


# --- .ods, .xlsm, .xlsb: the same reader as .xlsx ------------------------------------------------------


def test_ods_read_like_xlsx(tmp_path: Path) -> None:
    merged = (
        "<table:table-row>"
        + _ods_cell("一月", ' table:number-rows-spanned="2"')
        + _ods_cell("王五")
        + "</table:table-row><table:table-row><table:covered-table-cell/>"
        + _ods_cell("赵六")
        + "</table:table-row>"
    )
    path = _ods(tmp_path / "名册.ods", _ods_rows(ROWS) + merged)
    assert check_file(path).format == "ods"
    sheets = read_file(path, path.name)
    assert [s.sheet for s in sheets] == ["Sheet1"]
    assert _values(sheets) == [*ROWS, ["一月", "王五", None], [None, "赵六", None]]
    assert sheets[0].merged == [(4, 0, 5, 0)]  # from the extent check: calamine gives none for ods
    assert sheets[0].cells.index[0] == 1  # Excel row numbers
    assert "Sheet1" in check_sheet_extents(path)


def test_ods_repeated_rows_are_a_bomb_not_a_grid(tmp_path: Path) -> None:
    """A 1 KB .ods whose one row is repeated a million times would make the reader allocate the grid."""
    row = '<table:table-row table:number-rows-repeated="1000000">' + _ods_cell(
        "x", ' table:number-columns-repeated="300"'
    )
    path = _ods(tmp_path / "炸弹.ods", _ods_rows(ROWS) + row + "</table:table-row>")
    assert path.stat().st_size < 4096
    text = _refused(path, "使用区域过大", "Sheet1")
    assert "1,000,003 行 × 300 列" in text
    # LibreOffice's own filler (empty rows and cells repeated to the sheet's end) is nothing
    filler = (
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    fine = _ods(tmp_path / "正常.ods", _ods_rows(ROWS) + filler)
    assert _values(read_file(fine, fine.name)) == ROWS


def test_ods_with_password_or_dtd_refused(tmp_path: Path) -> None:
    locked = _ods(tmp_path / "加密.ods", _ods_rows(ROWS), manifest_extra="<manifest:encryption-data/>")
    _refused(locked, "文件设有密码", "另存为 .xlsx")
    bad = tmp_path / "实体.ods"
    with (
        zipfile.ZipFile(_ods(tmp_path / "ok.ods", _ods_rows(ROWS))) as zin,
        zipfile.ZipFile(bad, "w") as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "content.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1)
            zout.writestr(info, data)
    _refused(bad, "不安全的 XML 实体声明")


def test_xlsm_read_like_xlsx(tmp_path: Path) -> None:
    plain = _xlsx(tmp_path / "plain.xlsx")
    path = tmp_path / "带宏.xlsm"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":  # what makes it an .xlsm package
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
                assert b"macroEnabled" in data
            zout.writestr(info, data)
    assert check_file(path).format == "xlsx"
    assert _values(read_file(path, path.name)) == _values(read_file(plain, plain.name))
    assert path in raw_files(tmp_path)


def test_xlsb_read_like_xlsx(tmp_path: Path) -> None:
    path = _xlsb(tmp_path / "台账.xlsb")
    assert check_file(path).format == "xlsb"
    sheets = read_file(path, path.name)
    assert [s.sheet for s in sheets] == ["Sheet1"]
    assert _values(sheets) == [[v if not isinstance(v, int) else float(v) for v in r] for r in ROWS]
    assert sheets[0].merged == [(2, 0, 3, 0)]  # BrtMergeCell, read by the extent check
    assert path in raw_files(tmp_path)


def test_xlsb_far_cell_refused_before_the_reader(tmp_path: Path) -> None:
    """One cell at row 1,000,000, column 2,000 would make the reader allocate (or abort on) the grid."""
    path = _xlsb(tmp_path / "远处.xlsb", far=(999_999, 1_999))
    _refused(path, "使用区域过大", "工作表“Sheet1”")


def test_corrupt_xlsb_gives_a_chinese_error(tmp_path: Path) -> None:
    path = tmp_path / "损坏.xlsb"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00\x9c\x01\xff\xff\xff\x7f garbage")
    assert check_file(path).format == "xlsb"  # sniffing accepts it ...
    _refused(path, "无法打开表格文件", "另存为 .xlsx")  # ... and the reader says what to do


# --- WPS .et, passwords ----------------------------------------------------------------------------------


def test_et_in_excel_format_is_read(tmp_path: Path) -> None:
    path = tmp_path / "团员名册.et"
    path.write_bytes(compound_file({"Workbook": _biff8()}))
    assert check_file(path).format == "xls"
    assert _values(read_file(path, path.name)) == [
        [v if not isinstance(v, int) else float(v) for v in r] for r in ROWS
    ]
    assert path in raw_files(tmp_path)


def test_et_in_wps_own_format_says_save_as_xlsx(tmp_path: Path) -> None:
    own = tmp_path / "WPS专用.et"
    own.write_bytes(compound_file({"WpsContent": b"\x01" * 64}))  # no Excel workbook stream
    _refused(own, "WPS 表格专用格式", "请在 WPS 中打开该文件，另存为 .xlsx")
    broken = tmp_path / "损坏.et"
    broken.write_bytes(guard.OLE_MAGIC + bytes(100))
    _refused(broken, "文件已损坏", "请在 WPS 中")
    unreadable = tmp_path / "读不了.et"  # a workbook stream the reader cannot make sense of
    unreadable.write_bytes(compound_file({"Workbook": b"\x09\x08\x02\x00" + bytes(40)}))
    text = _refused(unreadable)
    assert "WPS" in text and ".xlsx" in text


def test_password_protected_files(tmp_path: Path) -> None:
    plain = _xlsx(tmp_path / "plain.xlsx")
    locked = tmp_path / "加密.xlsx"
    with open(plain, "rb") as src, open(locked, "wb") as out:
        OOXMLFile(src).encrypt("1234", out)  # OLE2 with EncryptionInfo + EncryptedPackage
    _refused(locked, "文件设有密码", "请在 Excel 中取消密码后另存为 .xlsx")
    wps = tmp_path / "加密.et"
    shutil.copy(locked, wps)
    _refused(wps, "文件设有密码", "请在 WPS 中取消密码后另存为 .xlsx")


# --- zips of exports ---------------------------------------------------------------------------------


def test_zip_members_read_one_by_one(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    archive = _zip(
        raw / "青年大学习导出.zip",
        {
            "第5期.xlsx": _xlsx_bytes(),
            "子目录/第6期.xlsx": _xlsx_bytes([["姓名"], ["王五"]]),
            "第7期（GBK 文件名）.xlsx": _xlsx_bytes([["姓名"], ["赵六"]]),
            "说明.txt": "导出说明".encode(),
            "里层.zip": b"PK\x05\x06" + bytes(18),
            "__MACOSX/._第5期.xlsx": b"\x00\x05\x16\x07",
            ".DS_Store": b"\x00",
            "~$第5期.xlsx": b"lock",
            "空目录/": b"",
        },
        gbk=("第7期（GBK 文件名）.xlsx",),
    )
    with zipfile.ZipFile(archive) as zf:  # the GBK name really is stored without the UTF-8 flag
        info = next(i for i in zf.infolist() if not i.flag_bits & 0x800 and not i.filename.isascii())
        assert (
            info.filename != "第7期（GBK 文件名）.xlsx"
            and guard.member_name(info) == "第7期（GBK 文件名）.xlsx"
        )
    assert archive in raw_files(raw)
    before = sorted(p.name for p in raw.rglob("*"))
    got = _sources(archive)
    assert sorted(p.name for p in raw.rglob("*")) == before  # the raw folder is never written
    z = "青年大学习导出.zip"
    assert list(got) == [
        f"{z}/子目录/第6期.xlsx",
        f"{z}/第5期.xlsx",
        f"{z}/第7期（GBK 文件名）.xlsx",
        f"{z}/说明.txt",
        f"{z}/里层.zip",
    ]
    assert _values(got[f"{z}/第5期.xlsx"]) == ROWS
    assert got[f"{z}/第5期.xlsx"][0].file == f"{z}/第5期.xlsx"  # the sheets carry the member's display name
    assert _values(got[f"{z}/第7期（GBK 文件名）.xlsx"]) == [["姓名"], ["赵六"]]
    skipped = got[f"{z}/说明.txt"]
    assert (
        isinstance(skipped, InputFileError)
        and "不是可读取的表格" in str(skipped)
        and "已跳过" in str(skipped)
    )
    nested = got[f"{z}/里层.zip"]
    assert (
        isinstance(nested, InputFileError) and "又套了一层压缩包" in str(nested) and "请先解压" in str(nested)
    )


def test_zip_member_problems_are_per_member(tmp_path: Path) -> None:
    """A corrupt, encrypted or password-protected member, or a member that is a plain zip itself, is that
    member's error; the others are read."""
    locked = io.BytesIO()
    OOXMLFile(io.BytesIO(_xlsx_bytes())).encrypt("1234", locked)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a.xlsx", _xlsx_bytes())
    archive = _zip(
        tmp_path / "导出.zip",
        {
            "好.xlsx": _xlsx_bytes(),
            "加密.xlsx": locked.getvalue(),
            "坏.xlsx": b"PK\x03\x04broken",
            "套娃.xlsx": inner.getvalue(),
            "密.xlsx": _xlsx_bytes(),
        },
    )
    _flag_encrypted(archive, "密.xlsx")
    got = _sources(archive)
    assert _values(got["导出.zip/好.xlsx"]) == ROWS
    assert "文件设有密码" in str(got["导出.zip/加密.xlsx"])
    assert "文件“导出.zip/坏.xlsx”" in str(got["导出.zip/坏.xlsx"])
    assert "压缩包" in str(got["导出.zip/套娃.xlsx"]) and "不是可识别的表格文件" in str(
        got["导出.zip/套娃.xlsx"]
    )
    assert "压缩包设有密码" in str(got["导出.zip/密.xlsx"])


@pytest.mark.parametrize("evil", ["../evil.xlsx", "/etc/evil.xlsx", "a/../../evil.xlsx", "C:/evil.xlsx"])
def test_zip_path_escape_refused(tmp_path: Path, evil: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    archive = _zip(raw / "导出.zip", {evil: _xlsx_bytes(), "好.xlsx": _xlsx_bytes()})
    got = _sources(archive)
    bad = got[f"导出.zip/{evil}"]
    assert isinstance(bad, InputFileError) and "指向压缩包以外" in str(bad)
    assert _values(got["导出.zip/好.xlsx"]) == ROWS
    assert not (tmp_path / "evil.xlsx").exists() and sorted(p.name for p in raw.iterdir()) == ["导出.zip"]


def test_zip_member_count_limit(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "太多.zip", {f"{i:03}.csv": b"a,b\n1,2\n" for i in range(501)})
    got = _sources(archive)
    assert list(got) == ["太多.zip"]
    text = str(got["太多.zip"])
    assert "501 个文件（上限 500）" in text and "文件“太多.zip”" in text and "max_archive_members" in text
    fewer = _sources(archive, limits=Limits.from_config({"max_archive_members": 600}))
    assert len(fewer) == 501 and all(isinstance(v, list) for v in fewer.values())


def test_zip_size_limits_name_the_member(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "大.zip", {"a.csv": b"x,y\n" * 5000, "b.xlsx": _xlsx_bytes()})
    assert archive.stat().st_size < 10_000
    text = str(_sources(archive, limits=Limits(max_file_bytes=10_000))["大.zip"])
    assert "“a.csv”" in text and "超过单个文件的上限" in text and "文件“大.zip”" in text
    text = str(_sources(archive, limits=Limits(max_uncompressed_bytes=5000))["大.zip"])
    assert "压缩炸弹" in text and "大.zip" in text
    bomb = tmp_path / "炸弹.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("第5期.csv", "w") as fh:
        for _ in range(24):  # 24 MiB of zeros → ~24 KiB: ratio ≈ 1000:1
            fh.write(b"\0" * MiB)
    text = str(_sources(bomb)["炸弹.zip"])
    assert "“第5期.csv”压缩比异常" in text and "压缩炸弹" in text


def test_zip_that_is_a_workbook_or_not_a_zip(tmp_path: Path) -> None:
    renamed = tmp_path / "其实是表格.zip"
    _xlsx(renamed)
    assert (
        list(_sources(renamed)) == ["其实是表格.zip"] and _values(_sources(renamed)["其实是表格.zip"]) == ROWS
    )
    rar = tmp_path / "其实是rar.zip"
    rar.write_bytes(b"Rar!\x1a\x07\x00" + bytes(100))
    assert "RAR 压缩包" in str(_sources(rar)["其实是rar.zip"])
    broken = tmp_path / "坏.zip"
    broken.write_bytes(b"PK\x03\x04" + bytes(50))
    assert "压缩包已损坏" in str(_sources(broken)["坏.zip"])


def test_plain_zip_named_xlsx_still_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bundle.xlsx", {"a.csv": b"x"})
    text = _refused(archive, "不是可识别的表格文件")
    assert ".zip" in text


# --- end to end --------------------------------------------------------------------------------------------


def test_ingest_year_reads_a_zip_of_sample_exports(tmp_path: Path) -> None:
    config = load_config(paths.SAMPLE_CONFIG)
    sample = paths.SAMPLE_DIR / "2022"
    names = ["对标定级_2022.xlsx", "团员教育评议_2022.xlsx"]
    loose, zipped = tmp_path / "loose", tmp_path / "zipped"
    loose.mkdir()
    zipped.mkdir()
    for name in names:
        shutil.copy(sample / name, loose / name)
    archive = _zip(
        zipped / "平台导出.zip", {name: (sample / name).read_bytes() for name in names}, gbk=(names[1],)
    )

    direct = ingest_year(loose, config, 2022)
    result = ingest_year(zipped, config, 2022)

    assert result.failures == direct.failures == []
    assert {s.file for s in result.sources} == {f"平台导出.zip/{name}" for name in names}
    assert all(s.balanced() for s in result.sources)
    assert result.report()["balanced"]
    by_file = {(s.file.split("/")[-1], s.sheet): (s.rows_read, s.kept) for s in result.sources}
    assert by_file == {(s.file, s.sheet): (s.rows_read, s.kept) for s in direct.sources}
    assert result.totals() == direct.totals() and result.totals()["rows_read"] > 0
    assert {t: len(df) for t, df in result.tables.items()} == {t: len(df) for t, df in direct.tables.items()}
    for table in result.tables.values():
        if "source_file" in table:
            assert set(table["source_file"].astype(str)) <= {f"平台导出.zip/{name}" for name in names}
    # the inputs are the raw folder's files (what the processed folder is checked against): the zip itself
    assert [i["file"] for i in result.inputs] == ["平台导出.zip"]
    assert result.inputs[0]["bytes"] == archive.stat().st_size
    assert sorted(p.name for p in zipped.iterdir()) == ["平台导出.zip"]
    # explain lists the members the same way
    assert {item.file for item in explain(zipped, config, 2022)} == {f"平台导出.zip/{name}" for name in names}
