"""guard.py: hostile or unusable raw files are refused before parsing; formats come from the bytes."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from analysis.common.errors import ConfigError, InputFileError
from analysis.safety import guard
from analysis.safety.guard import Limits, check_file, detect_text_encoding
from tests.builders import compound_file

PASSWORD = "文件设有密码，无法读取。请在 Excel 中取消密码后另存为 .xlsx"
NOT_SHEET = "不是可识别的表格文件（支持 xlsx、xls、csv）"
MiB = 1024 * 1024


@pytest.fixture
def xlsx(tmp_path: Path) -> Path:
    path = tmp_path / "roster.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "所在团支部"])
    ws.append(["张三", "塔岗村团支部"])
    wb.save(path)
    return path


def _rewrite(src: Path, dst: Path, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> Path:
    """A copy of a zip with some members replaced or added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, replace.get(info.filename, zin.read(info)))
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def _refused(path: Path, match: str, **kwargs: object) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        check_file(path, **kwargs)  # type: ignore[arg-type]
    assert match in str(info.value), str(info.value)
    assert path.name in str(info.value)  # the message names the file
    return info.value


# --- formats from bytes -----------------------------------------------------------------------------


def test_xlsx_detected_whatever_the_extension(xlsx: Path, tmp_path: Path) -> None:
    info = check_file(xlsx)
    assert info.format == "xlsx" and info.size == xlsx.stat().st_size and info.members
    renamed = shutil.copy(xlsx, tmp_path / "roster.xls")
    assert check_file(Path(renamed)).format == "xlsx"


def test_html_table_saved_as_xls(tmp_path: Path) -> None:
    page = (
        "<html><head><meta charset='gb2312'></head><body><TABLE><tr><td>姓名</td></tr></TABLE></body></html>"
    )
    path = tmp_path / "export.xls"
    path.write_bytes(b"\xef\xbb\xbf  \r\n" + page.encode("utf-8"))
    info = check_file(path)
    assert (info.format, info.encoding) == ("html", "utf-8-sig")
    path.write_bytes(page.encode("gbk"))
    assert (check_file(path).format, check_file(path).encoding) == ("html", "gb18030")


def test_html_without_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "error.xls"
    path.write_text("<html><body>会话已过期，请重新登录</body></html>", encoding="utf-8")
    _refused(path, NOT_SHEET)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("姓名,团支部\n张三,塔岗村团支部\n".encode("gbk"), "gb18030"),
        ("姓名,团支部\n张三,塔岗村团支部\n".encode("utf-8-sig"), "utf-8-sig"),
        ("姓名,团支部\n张三,塔岗村团支部\n".encode(), "utf-8"),
        ("姓名\t团支部\n张三\t塔岗村\n".encode("utf-16"), "utf-16"),  # Excel "Unicode 文本"
        (b"name,branch\n" * 10_000 + "张三,塔岗村\n".encode("gbk"), "gb18030"),  # non-ASCII only after 64 KiB
    ],
)
def test_csv_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    info = check_file(path)
    assert (info.format, info.encoding) == ("csv", encoding)


def test_detect_text_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    assert detect_text_encoding("姓名".encode("gbk")) == "gb18030"
    assert detect_text_encoding("\ufeff姓名".encode()) == "utf-8-sig"
    assert detect_text_encoding("姓名".encode()) == "utf-8"
    assert detect_text_encoding(b"plain ascii") == "utf-8"

    class _NoGuess:
        def best(self) -> None:
            return None

    monkeypatch.setattr("charset_normalizer.from_bytes", lambda data: _NoGuess())
    with pytest.raises(InputFileError, match="无法识别文件的文字编码"):
        detect_text_encoding(b"\x80\xff\x80", name="bad.csv")


# --- unusable files ---------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空表.xlsx"
    path.write_bytes(b"")
    err = _refused(path, "文件为空")
    assert err.location is not None and err.location.file == "空表.xlsx"
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b" \r\n\r\n")
    _refused(blank, "文件为空")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="文件不存在"):
        check_file(tmp_path / "nope.xlsx")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG 图片"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(100), "PDF 文档"),
        (os.urandom(4096), "二进制"),
    ],
)
def test_not_a_spreadsheet(tmp_path: Path, data: bytes, what: str) -> None:
    path = tmp_path / "photo.xlsx"
    path.write_bytes(data)
    err = _refused(path, NOT_SHEET)
    assert what in str(err)


def test_docx_and_plain_zip_are_not_spreadsheets(tmp_path: Path) -> None:
    docx = tmp_path / "summary.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert "Word" in str(_refused(docx, NOT_SHEET))
    archive = tmp_path / "bundle.xlsx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.csv", "x")
    _refused(archive, NOT_SHEET)


def test_corrupt_zip(xlsx: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(xlsx.read_bytes()[:1500])
    _refused(broken, "文件已损坏")


# --- password protection ----------------------------------------------------------------------------


def test_encrypted_xlsx(xlsx: Path, tmp_path: Path) -> None:
    encrypted = tmp_path / "加密.xlsx"
    with open(xlsx, "rb") as src, open(encrypted, "wb") as out:
        OOXMLFile(src).encrypt("1234", out)  # an OLE2 container with EncryptionInfo + EncryptedPackage
    assert encrypted.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    _refused(encrypted, PASSWORD)


def _biff(*records: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack("<HH", rid, len(data)) + data for rid, data in records)


BOF = (0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
EOF = (0x000A, b"")
FILEPASS = (0x002F, struct.pack("<HHH", 0, 0x1234, 0x5678))  # XOR obfuscation header


def test_legacy_xls_plain_and_encrypted(tmp_path: Path) -> None:
    plain = tmp_path / "old.xls"
    plain.write_bytes(compound_file({"Workbook": _biff(BOF, EOF)}))
    assert check_file(plain).format == "xls"
    renamed = tmp_path / "old.csv"  # extension does not matter
    shutil.copy(plain, renamed)
    assert check_file(renamed).format == "xls"
    locked = tmp_path / "locked.xls"
    locked.write_bytes(compound_file({"Workbook": _biff(BOF, FILEPASS, EOF)}))
    _refused(locked, PASSWORD)
    assert guard._biff_has_filepass(io.BytesIO(_biff(BOF, FILEPASS, EOF)))
    assert not guard._biff_has_filepass(io.BytesIO(_biff(BOF, EOF, FILEPASS)))  # after globals: not ours


def test_ole_without_workbook(tmp_path: Path) -> None:
    doc = tmp_path / "notes.xls"
    doc.write_bytes(compound_file({"WordDocument": b"\x00" * 10}))
    assert "Word" in str(_refused(doc, NOT_SHEET))
    broken = tmp_path / "broken.xls"
    broken.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    _refused(broken, "文件已损坏")


# --- zip bombs --------------------------------------------------------------------------------------


def test_zip_bomb_by_ratio(xlsx: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    shutil.copy(xlsx, bomb)
    with (
        zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/worksheets/sheet2.xml", "w") as fh,
    ):
        chunk = b"\0" * MiB
        for _ in range(24):  # 24 MiB of zeros → ~24 KiB compressed, ratio ≈ 1000:1
            fh.write(chunk)
    assert bomb.stat().st_size < 100 * 1024
    _refused(bomb, "压缩炸弹")


def test_zip_bomb_by_total_size_and_member_count(xlsx: Path) -> None:
    _refused(xlsx, "超过上限", limits=Limits(max_uncompressed_bytes=2000))
    _refused(xlsx, "部件", limits=Limits(max_members=3))
    assert check_file(xlsx, Limits.from_config({"max_uncompressed_mb": 1})).format == "xlsx"


# --- XML entity attacks -----------------------------------------------------------------------------

LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    b' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    b' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&lol3;</t></si></sst>"
)


def test_billion_laughs_in_shared_strings(xlsx: Path, tmp_path: Path) -> None:
    bad = _rewrite(xlsx, tmp_path / "laughs.xlsx", {}, {"xl/sharedStrings.xml": LAUGHS})
    err = _refused(bad, "文件含有不安全的 XML 实体声明，已拒绝读取")
    assert "xl/sharedStrings.xml" in str(err)


@pytest.mark.parametrize(
    "prefix",
    [
        b'<?xml version="1.0"?><!-- comment --><!DOCTYPE x SYSTEM "file:///etc/passwd">',  # external entity
        b'\xef\xbb\xbf<?xml version="1.0"?>\n\n<!DOCTYPE x [<!ENTITY a "b">]>',
        b"<?xml version='1.0'?>" + b" " * 200_000 + b"<!DOCTYPE x>",  # pushed past the first chunk
    ],
)
def test_dtd_in_sheet_refused(xlsx: Path, tmp_path: Path, prefix: bytes) -> None:
    with zipfile.ZipFile(xlsx) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    bad = _rewrite(xlsx, tmp_path / "dtd.xlsx", {"xl/worksheets/sheet1.xml": prefix + sheet})
    _refused(bad, "不安全的 XML 实体声明")


def test_dtd_in_utf16_member_refused(xlsx: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(xlsx) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    payload = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>' + sheet).encode(
        "utf-16"
    )
    bad = _rewrite(xlsx, tmp_path / "dtd16.xlsx", {"xl/worksheets/sheet1.xml": payload})
    _refused(bad, "不安全的 XML 实体声明")


def test_harmless_prolog_accepted(xlsx: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(xlsx) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    ok = _rewrite(
        xlsx,
        tmp_path / "ok.xlsx",
        {
            "xl/worksheets/sheet1.xml": b'\xef\xbb\xbf<?xml version="1.0" standalone="yes"?>\r\n<!-- x -->'
            + sheet
        },
    )
    assert check_file(ok).format == "xlsx"


# --- limits -----------------------------------------------------------------------------------------


def test_limits_from_config() -> None:
    limits = Limits.from_config({"max_uncompressed_mb": 1024, "max_rows": 3_000_000, "max_columns": 800})
    assert limits.max_uncompressed_bytes == 1024 * MiB
    assert (limits.max_rows, limits.max_columns) == (3_000_000, 800)
    assert Limits.from_config(None) == Limits()
    assert Limits().max_rows == 2_000_000 and Limits().max_columns == 500
    assert Limits().max_uncompressed_bytes == 512 * MiB and Limits().max_ratio == 200
    with pytest.raises(ConfigError, match="不是已知的上限"):
        Limits.from_config({"max_bytes": 1})
    with pytest.raises(ConfigError, match="应为正数"):
        Limits.from_config({"max_rows": 0})
    with pytest.raises(ConfigError, match="应为正数"):
        Limits.from_config({"max_ratio": "很多"})


def test_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 1000)
    _refused(path, "文件过大", limits=Limits(max_file_bytes=100))
