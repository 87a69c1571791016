"""Hostile or unusable raw files, refused before any parser sees them.

``check_file`` looks at a file's bytes (never its extension) and tells which reader fits: "xlsx" (also
.xlsm), "xlsb", "ods", "xls" (also WPS .et), "html" (an HTML table saved as .xls) or "csv". It refuses,
with a Chinese message naming the file: empty files, password-protected workbooks, zip bombs, XML with
DTD/entity declarations (billion laughs, external entities), and anything that is not a spreadsheet at all.

``open_archive`` checks a zip of exports (platform downloads) before any member is extracted: member
count, sizes and compression ratios, names that would escape the archive, encrypted or nested archives.

``check_sheet_extents`` finds each worksheet's real used area from its cell references (streamed, bounded
memory; xlsx, xlsb and ods) so that a sheet with one stray cell far away (say XFD1048576), or an ods row
repeated a million times, is refused by name instead of making the reader allocate the whole grid and
abort the process.
"""

from __future__ import annotations

import codecs
import contextlib
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar, Literal

from analysis.common.errors import ConfigError, InputFileError, Location

__all__ = [
    "ARCHIVE_SUFFIXES",
    "ArchiveMember",
    "FileInfo",
    "Limits",
    "check_file",
    "check_sheet_extents",
    "check_zip",
    "detect_text_encoding",
    "member_name",
    "open_archive",
    "open_checked_zip",
]

MiB = 1024 * 1024
_HEAD_BYTES = 64 * 1024
_XML_PROLOG_MAX = 1 * MiB
# File signatures (the one home: the output audit uses them too)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: legacy xls, encrypted OOXML
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")  # zip: xlsx, docx

FileFormat = Literal["xlsx", "xlsb", "ods", "xls", "html", "csv"]

_PASSWORD_MESSAGE = "文件设有密码，无法读取"
_PASSWORD_HINT = "请在 Excel 中取消密码后另存为 .xlsx"
_NOT_SPREADSHEET = "不是可识别的表格文件（支持 xlsx、xls、csv）"
_RESAVE_HINT = "请用 Excel 打开该文件并另存为 .xlsx；如无法打开，请重新从系统导出"
_BOMB_HINT = "如确为正常的大文件，可在配置中调高读取上限（limits.max_uncompressed_mb 等）"
_WPS_HINT = "请在 WPS 中打开该文件，另存为 .xlsx 后再试"
ODS_MIMETYPES = (b"application/vnd.oasis.opendocument.spreadsheet",)  # also "-template"


@dataclass(frozen=True)
class Limits:
    """Safety limits for raw files; the readers also use ``max_rows`` and ``max_columns``."""

    max_uncompressed_bytes: int = 512 * MiB
    max_ratio: float = 200.0
    ratio_min_member_bytes: int = 10 * MiB
    max_members: int = 10_000
    max_archive_members: int = 500  # files in a zip of exports (a platform download)
    max_file_bytes: int = 1024 * MiB
    max_rows: int = 2_000_000
    max_columns: int = 500
    max_cells: int = 12_000_000  # rows × columns of a sheet's used area (the grid a reader allocates)

    _CONFIG_KEYS: ClassVar[dict[str, tuple[str, int | None]]] = {
        "max_uncompressed_mb": ("max_uncompressed_bytes", MiB),
        "max_uncompressed_bytes": ("max_uncompressed_bytes", 1),
        "max_ratio": ("max_ratio", None),
        "ratio_min_member_mb": ("ratio_min_member_bytes", MiB),
        "max_members": ("max_members", 1),
        "max_archive_members": ("max_archive_members", 1),
        "max_file_mb": ("max_file_bytes", MiB),
        "max_rows": ("max_rows", 1),
        "max_columns": ("max_columns", 1),
        "max_cells": ("max_cells", 1),
    }

    @classmethod
    def from_config(cls, mapping: Mapping[str, Any] | None, *, source: str | None = None) -> Limits:
        """Overrides from a dict such as ``{"max_uncompressed_mb": 1024, "max_rows": 3000000}``.

        Keys: max_uncompressed_mb, max_ratio, ratio_min_member_mb, max_members, max_archive_members,
        max_file_mb, max_rows, max_columns, max_cells (and max_uncompressed_bytes). Unknown keys or non-positive values raise ConfigError.
        """
        if not mapping:
            return cls()
        if not isinstance(mapping, Mapping):
            raise ConfigError("limits 应为键值结构", Location(file=source))
        values: dict[str, Any] = {}
        for key, raw in mapping.items():
            if key not in cls._CONFIG_KEYS:
                known = "、".join(cls._CONFIG_KEYS)
                raise ConfigError(f"limits 下的“{key}”不是已知的上限（可选：{known}）", Location(file=source))
            field_name, scale = cls._CONFIG_KEYS[key]
            try:
                number = float(raw)
            except (TypeError, ValueError):
                number = float("nan")
            if isinstance(raw, bool) or not number > 0 or number == float("inf"):
                raise ConfigError(f"limits.{key} 应为正数，当前为“{raw}”", Location(file=source))
            values[field_name] = number if scale is None else int(number * scale)
        return cls(**values)


@dataclass(frozen=True)
class FileInfo:
    """What ``check_file`` found: the reader to use and, for text formats, the encoding."""

    path: Path
    format: FileFormat
    size: int
    encoding: str | None = None  # csv/html: a Python codec name ("utf-8-sig", "utf-8", "gb18030", …)
    members: int | None = None  # xlsx, xlsb, ods: number of zip members


def _error(message: str, name: str, hint: str | None = None) -> InputFileError:
    return InputFileError(message, Location(file=name), hint)


def _size(n: float) -> str:
    """A byte count for messages: "12 MB", "1.5 MB", "300 KB", "20 字节"."""
    if n >= 10 * MiB:
        return f"{n / MiB:,.0f} MB"
    if n >= MiB:
        return f"{n / MiB:,.1f} MB"
    return f"{n / 1024:,.0f} KB" if n >= 1024 else f"{n:,.0f} 字节"


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def check_file(path: Path, limits: Limits = Limits(), *, name: str | None = None) -> FileInfo:
    """Detect a raw file's format from its bytes; raise InputFileError for unusable or hostile files.

    ``name`` is how the file is shown in messages (default: the file name).
    """
    path = Path(path)
    name = name or path.name
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _error("文件不存在", name) from None
    except OSError as exc:
        raise _error(f"无法读取文件（{exc.strerror or exc}）", name) from None
    if not path.is_file():
        raise _error("不是文件（可能是文件夹或特殊设备）", name)
    size = st.st_size
    if size == 0:
        raise _error("文件为空", name, "请重新从系统导出该表格")
    if size > limits.max_file_bytes:
        raise _error(
            f"文件过大（约 {_size(size)}，上限 {_size(limits.max_file_bytes)}）",
            name,
            "如确为正常的大文件，可在配置中调高 limits.max_file_mb",
        )
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise _error(
            f"无法读取文件（{exc.strerror or exc}）", name, "如文件正在 Excel 或 WPS 中打开，请先关闭后重试"
        ) from None

    if head.startswith(OLE_MAGIC):
        return _check_ole(path, size, name)
    if head.startswith(ZIP_MAGICS):
        return _check_package(path, size, name, limits)
    return _check_text(path, head, size, name)


# --------------------------------------------------------------------------------------------------
# OLE2 compound files: legacy xls, or an encrypted OOXML package
# --------------------------------------------------------------------------------------------------


def is_wps(name: str | Path) -> bool:
    """A WPS spreadsheet by its name (.et, or the .ett template): messages then say what to do in WPS."""
    return str(name).lower().endswith((".et", ".ett"))


def _check_ole(path: Path, size: int, name: str) -> FileInfo:
    import olefile

    wps = is_wps(name) or is_wps(path)
    password_hint = "请在 WPS 中取消密码后另存为 .xlsx" if wps else _PASSWORD_HINT
    try:
        ole = olefile.OleFileIO(str(path))
    except Exception:  # olefile raises assorted errors on malformed input
        raise _error(
            "文件已损坏，无法读取（Office 复合文档结构无效）", name, _WPS_HINT if wps else _RESAVE_HINT
        ) from None
    with ole:
        top = {entry[0].lower() for entry in ole.listdir(streams=True, storages=True) if len(entry) >= 1}
        if {"encryptioninfo", "encryptedpackage"} & top:
            raise _error(_PASSWORD_MESSAGE, name, password_hint)
        stream = "workbook" if "workbook" in top else "book" if "book" in top else None
        if stream is None and wps:  # a WPS-only .et: no Excel workbook stream inside
            raise _error("这是 WPS 表格专用格式（.et），无法直接读取", name, _WPS_HINT)
        if stream is None:
            what = (
                "Word 文档"
                if "worddocument" in top
                else "PowerPoint 演示文稿"
                if "powerpoint document" in top
                else None
            )
            hint = f"文件内容看起来是{what}，请提供 Excel 表格" if what else _RESAVE_HINT
            raise _error(_NOT_SPREADSHEET, name, hint)
        try:
            filepass = _biff_has_filepass(ole.openstream(stream))  # olefile names are case-insensitive
        except Exception:
            filepass = False
    if filepass or _msoffcrypto_encrypted(path):
        raise _error(_PASSWORD_MESSAGE, name, password_hint)
    return FileInfo(path=path, format="xls", size=size)


def _biff_has_filepass(stream: IO[bytes]) -> bool:
    """True if the workbook globals substream holds a FILEPASS record (0x002F): an encrypted xls."""
    for _ in range(1_000_000):
        header = stream.read(4)
        if len(header) < 4:
            return False
        record, length = struct.unpack("<HH", header)
        if record == 0x002F:
            return True
        if record == 0x000A:  # EOF of the globals substream: FILEPASS would have come before
            return False
        stream.seek(length, 1)
    return False


def _msoffcrypto_encrypted(path: Path) -> bool:
    try:
        import msoffcrypto

        with open(path, "rb") as fh:
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # unsupported or malformed: our own FILEPASS check has spoken
        return False


# --------------------------------------------------------------------------------------------------
# Zip containers (xlsx): bombs, encryption, DTDs
# --------------------------------------------------------------------------------------------------


def check_zip(zf: zipfile.ZipFile, limits: Limits, name: str) -> list[zipfile.ZipInfo]:
    """Refuse zip bombs and encrypted members using the central directory; returns the members."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _error(
            f"文件内部包含 {len(infos):,} 个部件（上限 {limits.max_members:,}），疑似“压缩炸弹”，已拒绝读取",
            name,
            _BOMB_HINT,
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise _error(
            f"文件解压后约 {_size(total)}，超过上限 {_size(limits.max_uncompressed_bytes)}，"
            "疑似“压缩炸弹”，已拒绝读取",
            name,
            _BOMB_HINT,
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_min_member_bytes and ratio > limits.max_ratio:
            raise _error(
                f"文件内部部件“{info.filename}”的压缩比异常（约 {ratio:,.0f}:1），疑似“压缩炸弹”，已拒绝读取",
                name,
                _BOMB_HINT,
            )
        if info.flag_bits & 0x1:
            raise _error(_PASSWORD_MESSAGE, name, _PASSWORD_HINT)
    return infos


@contextlib.contextmanager
def open_checked_zip(source: Path | IO[bytes], limits: Limits, name: str) -> Iterator[zipfile.ZipFile]:
    """Open a zip (xlsx/docx/…) after ``check_zip``; a corrupt archive raises InputFileError."""
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, struct.error):
        raise _error("文件已损坏，无法读取（压缩结构无效）", name, _RESAVE_HINT) from None
    with zf:
        check_zip(zf, limits, name)
        yield zf


def package_format(zf: zipfile.ZipFile) -> Literal["xlsx", "xlsb", "ods"] | None:
    """Which spreadsheet a zip package is, from its members: "xlsx" (also .xlsm), "xlsb", "ods", or
    None (another document, or a plain archive)."""
    lower = {i.filename.lower() for i in zf.infolist()}
    if "xl/workbook.xml" in lower or any(n.startswith("xl/") and n.endswith("workbook.xml") for n in lower):
        return "xlsx"
    if "xl/workbook.bin" in lower:
        return "xlsb"
    if "mimetype" in lower and "content.xml" in lower:
        with contextlib.suppress(Exception), zf.open("mimetype") as fh:
            if fh.read(200).strip().startswith(ODS_MIMETYPES):
                return "ods"
    return None


def _check_package(path: Path, size: int, name: str, limits: Limits) -> FileInfo:
    """An xlsx/xlsm, xlsb or ods package: bombs, encryption and DTDs refused; anything else named."""
    with open_checked_zip(path, limits, name) as zf:
        infos = zf.infolist()
        found = package_format(zf)
        if found is None:
            message, hint = _zip_not_xlsx(zf, {i.filename.lower() for i in infos})
            raise _error(message, name, hint)
        if found == "ods" and _ods_encrypted(zf):
            raise _error(_PASSWORD_MESSAGE, name, "请在 WPS 或 LibreOffice 中取消密码后另存为 .xlsx")
        for info in infos:
            if not info.is_dir():
                _scan_xml_prolog(zf, info, name)
    return FileInfo(path=path, format=found, size=size, members=len(infos))


def _ods_encrypted(zf: zipfile.ZipFile) -> bool:
    """An ods saved with a password lists its encrypted parts in the manifest (``encryption-data``)."""
    try:
        info = zf.getinfo("META-INF/manifest.xml")
    except KeyError:
        return False
    if info.file_size > _XML_PROLOG_MAX:
        return False
    try:
        return b"encryption-data" in zf.read(info)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        return False


def _zip_not_xlsx(zf: zipfile.ZipFile, lower: set[str]) -> tuple[str, str]:
    if "mimetype" in lower:
        with contextlib.suppress(Exception), zf.open("mimetype") as fh:
            if b"opendocument" in fh.read(200):
                return _NOT_SPREADSHEET, "文件内容看起来是 OpenDocument 文本或演示文稿，请提供表格文件"
    if "word/document.xml" in lower:
        return _NOT_SPREADSHEET, "文件内容看起来是 Word 文档，请提供 Excel 表格"
    if "ppt/presentation.xml" in lower:
        return _NOT_SPREADSHEET, "文件内容看起来是 PowerPoint 演示文稿，请提供 Excel 表格"
    return (
        _NOT_SPREADSHEET,
        "文件是一个压缩包而不是 Excel 表格；如是表格的压缩包，请把扩展名改为 .zip（会逐个读取其中的表格）或先解压",
    )


# --------------------------------------------------------------------------------------------------
# Zip archives of exports (platform downloads): every member checked before any is extracted
# --------------------------------------------------------------------------------------------------

ARCHIVE_SUFFIXES = frozenset({".zip"})
_ARCHIVE_HINT = "请先解压，再把其中的表格直接放入原始数据文件夹"
_NESTED_SUFFIXES = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz")


@dataclass(frozen=True)
class ArchiveMember:
    """One file of a zip of exports: ``name`` is its path inside the archive as its author wrote it (GBK
    names decoded); ``problem`` says in Chinese why it is not read (None: read it)."""

    info: zipfile.ZipInfo
    name: str
    problem: str | None = None
    hint: str | None = None


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path with "/" separators. zipfile decodes a name without the UTF-8 flag (bit 11) as
    cp437; Chinese Windows tools write such names in GBK, some others in UTF-8 without the flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:  # decoded with another metadata encoding: keep it
            raw = b""
        for codec in ("utf-8", "gb18030"):
            try:
                name = raw.decode(codec) if raw else name
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/")


def _escapes(name: str) -> bool:
    """A member name that would land outside the folder it is extracted to: absolute, a drive, ".."."""
    return (
        name.startswith("/")
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in name.split("/")
        or "\0" in name
    )


def _noise(name: str) -> bool:
    """Folders, macOS resource forks (__MACOSX/), hidden files and Office lock files: not exports."""
    parts = [p for p in name.split("/") if p]
    return (
        not parts
        or name.endswith("/")
        or parts[0] == "__MACOSX"
        or any(p.startswith(".") and p not in (".", "..") for p in parts)
        or parts[-1].startswith("~$")
    )


@contextlib.contextmanager
def open_archive(
    path: Path, limits: Limits, name: str
) -> Iterator[tuple[zipfile.ZipFile, list[ArchiveMember]] | None]:
    """Open a zip of exports and check it as a whole: the number of members (``max_archive_members``),
    each member's size (``max_file_bytes``) and compression ratio, the total (``max_uncompressed_bytes``).
    Any of these refuses the whole archive (InputFileError naming the archive and the member). Yields
    the zip and its members sorted by name, folders, __MACOSX/ and hidden files left out; a member
    whose name escapes the archive, that is encrypted, or that is itself an archive carries a
    ``problem`` and must not be extracted. Yields None when the zip is a workbook itself (an xlsx, xlsb
    or ods renamed .zip): read it as a file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _error(f"无法读取文件（{exc.strerror or exc}）", name) from None
    if size > limits.max_file_bytes:
        raise _error(
            f"压缩包过大（约 {_size(size)}，上限 {_size(limits.max_file_bytes)}）",
            name,
            "如确为正常的大文件，可在配置中调高 limits.max_file_mb，或解压后放入原始数据文件夹",
        )
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, struct.error):
        raise _error(
            "压缩包已损坏，无法读取", name, "请重新下载该压缩包，或解压后把表格放入原始数据文件夹"
        ) from None
    with zf:
        if package_format(zf) is not None:
            yield None
            return
        yield zf, _archive_members(zf, limits, name)


def _archive_members(zf: zipfile.ZipFile, limits: Limits, name: str) -> list[ArchiveMember]:
    infos = zf.infolist()
    if len(infos) > limits.max_archive_members:
        raise _error(
            f"压缩包内有 {len(infos):,} 个文件（上限 {limits.max_archive_members:,}），已拒绝读取",
            name,
            "请解压后把需要的表格放入原始数据文件夹；如确为正常的压缩包，可在配置中调高 limits.max_archive_members",
        )
    total = 0
    members = []
    for info in infos:
        shown = member_name(info)
        if info.file_size > limits.max_file_bytes:
            raise _error(
                f"其中的“{shown}”解压后约 {_size(info.file_size)}，超过单个文件的上限 "
                f"{_size(limits.max_file_bytes)}，已拒绝读取整个压缩包",
                name,
                "如确为正常的大文件，可在配置中调高 limits.max_file_mb，或解压后放入原始数据文件夹",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_min_member_bytes and ratio > limits.max_ratio:
            raise _error(
                f"其中的“{shown}”压缩比异常（约 {ratio:,.0f}:1），疑似“压缩炸弹”，已拒绝读取整个压缩包",
                name,
                _BOMB_HINT,
            )
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise _error(
                f"压缩包解压后超过 {_size(limits.max_uncompressed_bytes)}（读到“{shown}”时），"
                "疑似“压缩炸弹”，已拒绝读取",
                name,
                _BOMB_HINT,
            )
        if info.is_dir() or _noise(shown):
            continue
        if _escapes(shown):
            members.append(
                ArchiveMember(
                    info,
                    shown,
                    "压缩包中的这个文件名指向压缩包以外的位置（含“..”或绝对路径），已拒绝读取",
                    "正常导出的压缩包不会这样命名；请确认压缩包来源，或解压后只把表格放入原始数据文件夹",
                )
            )
        elif info.flag_bits & 0x1:
            members.append(ArchiveMember(info, shown, "压缩包设有密码，无法读取其中的文件", _ARCHIVE_HINT))
        elif shown.lower().endswith(_NESTED_SUFFIXES):
            members.append(
                ArchiveMember(info, shown, "压缩包里又套了一层压缩包，不会再展开读取", _ARCHIVE_HINT)
            )
        else:
            tidy = "/".join(p for p in shown.split("/") if p not in ("", "."))  # "./a.xlsx" → "a.xlsx"
            members.append(ArchiveMember(info, tidy))
    return sorted(members, key=lambda m: m.name)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _xml_codec(first: bytes) -> tuple[str, int]:
    """Codec (and BOM length) to read an XML prolog; ASCII-compatible encodings are read as latin-1."""
    for bom, codec in _BOMS:
        if first.startswith(bom):
            return codec, len(bom)
    if first[:4] == b"\x00\x00\x00<":
        return "utf-32-be", 0
    if first[:4] == b"<\x00\x00\x00":
        return "utf-32-le", 0
    if first[:2] == b"\x00<":
        return "utf-16-be", 0
    if first[:2] == b"<\x00":
        return "utf-16-le", 0
    return "latin-1", 0


def _prolog_verdict(text: str) -> str:
    """ "dtd" if a declaration (<!DOCTYPE, <!ENTITY, …) precedes the root element, "ok", or "more" to read on."""
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return "more"
        if text[i] != "<":
            return "ok"  # not XML (or broken XML the parser will reject): no DTD possible before this
        if text.startswith("<?", i):
            end = text.find("?>", i + 2)
            if end < 0:
                return "more"
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return "more"
            i = end + 3
        elif text.startswith("<!", i):
            return "dtd"
        elif n - i < 2:
            return "more"
        else:
            return "ok"


def _scan_xml_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Refuse a member whose XML prolog declares a DTD/entities (defusedxml semantics: no DTDs)."""
    try:
        with zf.open(info) as fh:
            data = fh.read(4096)
            codec, skip = _xml_codec(data)
            decoder = codecs.getincrementaldecoder(codec)("replace")
            text = decoder.decode(data[skip:])
            first_chunk = text
            while True:
                verdict = _prolog_verdict(text)
                if verdict != "more":
                    break
                if len(text) > _XML_PROLOG_MAX:
                    verdict = "dtd"  # a megabyte of prolog is no honest spreadsheet
                    break
                more = fh.read(64 * 1024)
                if not more:
                    verdict = "ok"
                    break
                text += decoder.decode(more)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        raise _error(f"文件已损坏，无法读取（部件“{info.filename}”无法解压）", name, _RESAVE_HINT) from None
    upper_head = first_chunk[:4096].upper()
    if verdict == "dtd" or "<!DOCTYPE" in upper_head or "<!ENTITY" in upper_head:
        raise _error(
            "文件含有不安全的 XML 实体声明，已拒绝读取",
            name,
            f"问题部件：{info.filename}。正常的 Excel 文件不会含有此类声明；如文件来源可信，请用 Excel 打开后另存为新的 .xlsx",
        )


# --------------------------------------------------------------------------------------------------
# Sheet extents: the used area from the cell references, before any reader sees the sheet
# --------------------------------------------------------------------------------------------------

_SCAN_CHUNK = 64 * 1024  # below malloc's mmap threshold: the same memory serves every chunk
_HEAD_BYTES = 256 * 1024  # the top of a sheet, where its header rows show its width
_MAX_TAG = 64 * 1024  # no honest start tag is longer; a longer one is dropped from the scan
# Fast path (what Excel, WPS and the platforms write): the header rows at the top of the sheet show its
# width W; when every cell tag of the sheet starts with a reference within columns A…W and within a row
# bound R such that R × W fits the limits, the used area fits them too, in any order (a cell with a
# reference is placed by it, whatever its row tag says). A far or wide cell, a cell without a reference
# or a prefixed tag sends the sheet to `_exact_extent`.
_FAST_MAX_ROWS = 1_999_999  # the largest bound the row pattern needs (Excel stops at 1,048,576)
_HEAD_REFS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_PREFIXED = re.compile(rb":(?:c|row)[\s>/]")
_START_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REF_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
_WORKBOOK_MAX = 16 * MiB


@dataclass
class _Extent:
    """Used area of one sheet: 1-based rows, 0-based columns of the cells that hold something."""

    first_row: int = 0
    last_row: int = 0
    first_col: int = 0
    last_col: int = -1

    def add(self, row: int, col: int) -> None:
        if self.last_col < 0:
            self.first_row = self.last_row = row
            self.first_col = self.last_col = col
            return
        self.first_row, self.last_row = min(self.first_row, row), max(self.last_row, row)
        self.first_col, self.last_col = min(self.first_col, col), max(self.last_col, col)

    @property
    def shape(self) -> tuple[int, int]:
        if self.last_col < 0:
            return 0, 0
        return self.last_row - self.first_row + 1, self.last_col - self.first_col + 1


def _column_number(letters: bytes) -> int:
    """b"A" → 0, b"Z" → 25, b"AA" → 26 (0-based)."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col - 1


def _column_letters(col: int) -> str:
    letters = ""
    col += 1
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _chunks(zf: zipfile.ZipFile, member: str, size: int = _SCAN_CHUNK) -> Iterator[bytes]:
    """The member's bytes in pieces that end just before a ``<``: no start tag is ever split."""
    carry = b""
    with zf.open(member) as fh:
        while data := fh.read(size):
            buf = carry + data
            cut = buf.rfind(b"<")
            if cut < 0 or len(buf) - cut > _MAX_TAG:
                carry, cut = b"", len(buf)
            else:
                carry = buf[cut:]
            yield buf[:cut]
    if carry:
        yield carry


def _number_pattern(limit: int) -> bytes | None:
    """A regex for decimal numbers up to a bound m ≤ ``limit``, as large as a simple pattern allows:
    ``[0-9]{1,k}`` (m = 10^k − 1) or ``[1-L]?[0-9]{1,k}`` (m = (L+1)·10^k − 1). None below 9."""
    k = len(str(limit + 1)) - 1  # the most digits that all fit
    if k < 1:
        return None
    lead = (limit + 1) // 10**k - 1  # leading digit allowed for a (k+1)-digit number
    return (b"[1-%d]?" % lead if lead >= 1 else b"") + b"[0-9]{1,%d}" % k


def _column_pattern(width: int) -> bytes:
    """A regex for column letters A … the ``width``-th column (1 ≤ width ≤ 702, one or two letters)."""
    last = _column_letters(width - 1).encode()
    if len(last) == 1:
        return b"[A-%s]" % last
    first, second = last[:1], last[1:]
    before = b"|[A-%c][A-Z]" % (first[0] - 1) if first != b"A" else b""
    return b"(?:[A-Z]%s|%s[A-%s])" % (before, first, second)


def _fast_pattern(zf: zipfile.ZipFile, member: str, limits: Limits) -> re.Pattern[bytes] | None:
    """The pattern of an odd cell tag for this sheet (see the fast path above), or None when the sheet
    must be measured exactly anyway (no references at the top, too wide, limits too tight)."""
    head = next(_chunks(zf, member, _HEAD_BYTES), b"")
    refs = _HEAD_REFS.findall(head)
    if not refs:
        return None
    width = max(_column_number(letters) for letters in refs) + 1
    if width > min(702, limits.max_columns):
        return None
    rows = _number_pattern(min(limits.max_rows, limits.max_cells // width, _FAST_MAX_ROWS))
    if rows is None:
        return None
    return re.compile(b'<c(?! r="' + _column_pattern(width) + rows + b'")[\\s>/]')


def _merges(chunk: bytes, into: list[tuple[bytes, bytes]]) -> None:
    """Collect the merged ranges' corner references of a chunk (``<mergeCell ref="A1:A3"/>``)."""
    if b"mergeCell" in chunk:
        into += _MERGE_REF.findall(chunk)


def _plain(
    zf: zipfile.ZipFile, member: str, limits: Limits, merges: list[tuple[bytes, bytes]] | None = None
) -> bool:
    """True when the fast path proves the sheet's used area within ``limits`` (see above); the merged
    ranges are collected on the way (the same pass, so the sheet is decompressed once)."""
    odd = _fast_pattern(zf, member, limits)
    if odd is None:
        return False
    merges = [] if merges is None else merges
    for chunk in _chunks(zf, member):
        if odd.search(chunk) or _PREFIXED.search(chunk):
            merges.clear()
            return False
        _merges(chunk, merges)
    return True


def _exact_extent(
    zf: zipfile.ZipFile,
    member: str,
    over: Callable[[_Extent], bool],
    merges: list[tuple[bytes, bytes]] | None = None,
) -> _Extent:
    """The used area as the readers see it: cells with content (not self-closing), placed by their
    reference or, without one, right after the previous cell / row. Stops early once ``over`` says so.
    Collects the merged ranges on the way."""
    extent = _Extent()
    row, col = 0, -1
    merges = [] if merges is None else merges
    for chunk in _chunks(zf, member):
        _merges(chunk, merges)
        for match in _START_TAG.finditer(chunk):
            name, attrs = match.group(1), match.group(2)
            ref = _REF_ATTR.search(attrs)
            if name == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = -1
                continue
            if ref and ref.group(1) and ref.group(2):
                row, col = int(ref.group(2)), _column_number(ref.group(1))
            else:
                col += 1
            if not attrs.rstrip().endswith(b"/"):
                extent.add(max(row, 1), col)
        if over(extent):
            break
    return extent


def _sheet_parts(
    zf: zipfile.ZipFile,
    book: str,
    rels: str,
    listed: Callable[[zipfile.ZipFile, str], Iterator[tuple[str, str]]],
) -> list[tuple[str, str]]:
    """(sheet name, zip member) of every sheet ``listed`` finds in the workbook part ``book`` as (name,
    relationship id), resolved through ``rels``; every ``xl/worksheets/*`` member (named by its path) the
    workbook does not name, or all of them when it cannot be read."""
    from defusedxml import ElementTree

    members = {i.filename.lower(): i.filename for i in zf.infolist() if not i.is_dir()}
    fallback = [(m.rsplit("/", 1)[-1], m) for k, m in members.items() if k.startswith("xl/worksheets/")]
    book, rels = members.get(book), members.get(rels)
    if book is None or rels is None or zf.getinfo(rels).file_size > _WORKBOOK_MAX:
        return fallback
    try:
        targets = {
            el.get("Id"): el.get("Target", "")
            for el in ElementTree.fromstring(zf.read(rels)).iter()
            if el.tag.endswith("Relationship") and el.get("TargetMode") != "External"
        }
        parts = []
        for sheet, rid in listed(zf, book):
            target = targets.get(rid)
            if not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            if path.lower() in members:
                parts.append((sheet or path, members[path.lower()]))
    except Exception:  # a malformed workbook part: the reader will say so; measure every sheet file
        return fallback
    named = {m for _, m in parts}
    return parts + [(n, m) for n, m in fallback if m not in named]


def _xml_sheets(zf: zipfile.ZipFile, book: str) -> Iterator[tuple[str, str]]:
    """(name, relationship id) of the sheets xl/workbook.xml lists."""
    from defusedxml import ElementTree

    if zf.getinfo(book).file_size > _WORKBOOK_MAX:
        return
    for el in ElementTree.fromstring(zf.read(book)).iter():
        if el.tag.endswith("}sheet"):
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            yield el.get("name", ""), rid or ""


def _worksheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) of every sheet of an xlsx."""
    return _sheet_parts(zf, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", _xml_sheets)


MergedRanges = dict[str, list[tuple[int, int, int, int]]]
"""Per sheet name: its merged ranges as (first row, first column, last row, last column), Excel rows
(1-based) and 0-based columns."""


def check_sheet_extents(path: Path, limits: Limits = Limits(), *, name: str | None = None) -> MergedRanges:
    """Refuse a workbook whose sheet's used area (from the cells themselves, not the declared dimension)
    exceeds ``limits.max_rows`` / ``max_columns`` / ``max_cells``: InputFileError naming file, sheet and
    the farthest cell. Streams each sheet (64 KB at a time); call after ``check_file`` said "xlsx",
    "xlsb" or "ods" (the package is told apart by its members).

    Returns the merged ranges of every sheet, read in the same pass: the column-wise reader has none of
    its own (a 月份 merged down a block keeps its value in the first row only), nor has the workbook
    reader for xlsb and ods."""
    name = name or Path(path).name
    merged: MergedRanges = {}

    def over(extent: _Extent) -> bool:
        rows, cols = extent.shape
        return rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells

    with open_checked_zip(Path(path), limits, name) as zf:
        found = package_format(zf)
        if found == "xlsb":
            return _xlsb_extents(zf, over, limits, name)
        if found == "ods":
            return _ods_extents(zf, over, limits, name)
        for sheet, member in _worksheet_parts(zf):
            merges: list[tuple[bytes, bytes]] = []
            try:
                if _plain(zf, member, limits, merges):
                    merged[sheet] = _merged_cells(merges)
                    continue
                extent = _exact_extent(zf, member, over, merges)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
                raise _error(f"文件已损坏，无法读取（部件“{member}”无法解压）", name, _RESAVE_HINT) from None
            if over(extent):
                raise _too_large(extent, limits, name, sheet)
            merged[sheet] = _merged_cells(merges)
    return merged


def _too_large(extent: _Extent, limits: Limits, name: str, sheet: str) -> InputFileError:
    rows, cols = extent.shape
    area = (
        f"{_column_letters(extent.first_col)}{extent.first_row}:"
        f"{_column_letters(extent.last_col)}{extent.last_row}"
    )
    return InputFileError(
        f"工作表的使用区域过大：{area}（{rows:,} 行 × {cols:,} 列；"
        f"上限 {limits.max_rows:,} 行、{limits.max_columns:,} 列、共 {limits.max_cells:,} 个单元格），"
        "已拒绝读取",
        Location(file=name, sheet=sheet),
        "通常是表格远处误填了内容：请在 Excel 中选中数据以外的多余行和列并删除（不是清除内容），"
        "保存后再试；如确为正常数据，可在 config/town.yml 的 limits 中调高上限（max_columns、max_cells）",
    )


# xlsb: BIFF12 records (a 1–2 byte type and a 1–4 byte size, 7 bits a byte) ---------------------------

_XLSB_ROW = 0x0000  # BrtRowHdr: the row (0-based u32) of the cells that follow
_XLSB_VALUES = range(0x0002, 0x000B)  # BrtCellRk … BrtFmlaBool: the cells the reader keeps (not blanks)
_XLSB_MERGE = 0x00B0  # BrtMergeCell: rwFirst, rwLast, colFirst, colLast
_XLSB_SHEET = 0x009C  # BrtBundleSh (workbook.bin): state, tab id, relationship id, sheet name
_XLSB_SHEETS_END = 0x0090  # BrtEndBundleShs


def _xlsb_records(fh: IO[bytes], want: int = 16) -> Iterator[tuple[int, bytes]]:
    """(record type, the first ``want`` bytes of its data) for each record of an xlsb part, streamed;
    the rest of each record is skipped. A truncated part simply ends."""
    buf, pos, eof = b"", 0, False
    while True:
        if len(buf) - pos < want + 8 and not eof:
            more = fh.read(_SCAN_CHUNK)
            eof = not more
            buf, pos = buf[pos:] + more, 0
        if pos >= len(buf):
            return
        first = buf[pos]
        if first & 0x80:
            if pos + 1 >= len(buf):
                return
            typ, pos = (first & 0x7F) | ((buf[pos + 1] & 0x7F) << 7), pos + 2
        else:
            typ, pos = first, pos + 1
        size = 0
        for i in range(4):
            if pos >= len(buf):
                return
            byte = buf[pos]
            pos += 1
            size |= (byte & 0x7F) << (7 * i)
            if not byte & 0x80:
                break
        yield typ, buf[pos : pos + min(size, want)]
        if pos + size <= len(buf):
            pos += size
            continue
        skip, buf, pos = pos + size - len(buf), b"", 0
        while skip > 0:
            chunk = fh.read(min(skip, _SCAN_CHUNK))
            if not chunk:
                return
            skip -= len(chunk)


def _xlsb_wide(data: bytes, at: int) -> tuple[str, int]:
    """An XLWideString (u32 character count, UTF-16LE) at ``at``: (text, offset after it)."""
    (count,) = struct.unpack_from("<I", data, at)
    end = at + 4 + 2 * count
    if count > 0xFFFF or end > len(data):
        raise ValueError("bad XLWideString")
    return data[at + 4 : end].decode("utf-16-le", "replace"), end


def _xlsb_sheets(zf: zipfile.ZipFile, book: str) -> Iterator[tuple[str, str]]:
    """(name, relationship id) of the sheets xl/workbook.bin lists (BrtBundleSh records)."""
    with zf.open(book) as fh:
        for typ, data in _xlsb_records(fh, want=4096):
            if typ == _XLSB_SHEETS_END:
                break
            if typ == _XLSB_SHEET:
                rid, at = _xlsb_wide(data, 8)
                sheet, _ = _xlsb_wide(data, at)
                yield sheet, rid


def _xlsb_worksheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) of every sheet of an xlsb."""
    return _sheet_parts(zf, "xl/workbook.bin", "xl/_rels/workbook.bin.rels", _xlsb_sheets)


def _xlsb_extents(
    zf: zipfile.ZipFile, over: Callable[[_Extent], bool], limits: Limits, name: str
) -> MergedRanges:
    """The used area of every xlsb sheet from its cell records (row from BrtRowHdr, column from the
    cell), as the reader places them; the merged ranges from BrtMergeCell."""
    merged: MergedRanges = {}
    for sheet, member in _xlsb_worksheet_parts(zf):
        extent, row, merges = _Extent(), 1, set()
        try:
            with zf.open(member) as fh:
                for typ, data in _xlsb_records(fh):
                    if typ == _XLSB_ROW and len(data) >= 4:
                        row = struct.unpack_from("<I", data)[0] + 1
                        if over(extent):
                            break
                    elif typ in _XLSB_VALUES and len(data) >= 4:
                        extent.add(row, struct.unpack_from("<I", data)[0])
                    elif typ == _XLSB_MERGE and len(data) >= 16:
                        r1, r2, c1, c2 = struct.unpack_from("<IIII", data)
                        merges.add((r1 + 1, c1, r2 + 1, c2))
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
            raise _error(f"文件已损坏，无法读取（部件“{member}”无法解压）", name, _RESAVE_HINT) from None
        if over(extent):
            raise _too_large(extent, limits, name, sheet)
        merged[sheet] = sorted(merges)
    return merged


# ods: content.xml, rows and cells with their repeat counts ---------------------------------------------

_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "


class _OdsStop(Exception):
    """Raised from the parser's callbacks: a sheet is already too large."""


class _OdsScan:
    """Expat callbacks measuring each table of an ods ``content.xml``. A cell holds something when it
    has a value type or any content (text, annotation); a row or cell repeated N times counts N times,
    as the reader expands it. Empty repeated rows and cells (the filler LibreOffice writes) count for
    nothing, as for the reader."""

    def __init__(self, over: Callable[[_Extent], bool]) -> None:
        self.over = over
        self.sheets: list[tuple[str, _Extent, set[tuple[int, int, int, int]]]] = []
        self.depth = 0  # tables open (a table inside a cell is that cell's content)
        self.row = 0  # rows of the current table before the current row
        self.repeat = 1
        self.col = 0
        self.span: list[int] | None = None  # first and last used column of the current row
        self.cell: list[int] | None = None  # column, repeat, has content

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.cell is not None:
            self.cell[2] = 1
            if tag == _ODS_TABLE + "table":
                self.depth += 1
            return
        if tag == _ODS_TABLE + "table":
            self.depth += 1
            if self.depth == 1:
                self.sheets.append((attrs.get(_ODS_TABLE + "name", ""), _Extent(), set()))
                self.row = 0
        elif self.depth != 1:
            return
        elif tag == _ODS_TABLE + "table-row":
            self.repeat = _repeat(attrs.get(_ODS_TABLE + "number-rows-repeated"))
            self.col, self.span = 0, None
        elif tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"):
            repeat = _repeat(attrs.get(_ODS_TABLE + "number-columns-repeated"))
            self.cell = [self.col, repeat, int(_ODS_OFFICE + "value-type" in attrs)]
            rows = _repeat(attrs.get(_ODS_TABLE + "number-rows-spanned"))
            cols = _repeat(attrs.get(_ODS_TABLE + "number-columns-spanned"))
            if (rows > 1 or cols > 1) and repeat == 1 and self.repeat == 1 and self.sheets:
                first = self.row + 1
                self.sheets[-1][2].add((first, self.col, first + rows - 1, self.col + cols - 1))

    def end(self, tag: str) -> None:
        if tag == _ODS_TABLE + "table":
            self.depth -= 1
            return
        if self.depth != 1:
            return
        if self.cell is not None and tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"):
            col, repeat, content = self.cell
            if content:
                last = col + repeat - 1
                self.span = [col, last] if self.span is None else [min(self.span[0], col), last]
            self.col += repeat
            self.cell = None
        elif tag == _ODS_TABLE + "table-row" and self.cell is None:
            if self.span is not None and self.sheets:
                extent = self.sheets[-1][1]
                extent.add(self.row + 1, self.span[0])
                extent.add(self.row + self.repeat, self.span[1])
                if self.over(extent):
                    raise _OdsStop
            self.row += self.repeat


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


def _ods_extents(
    zf: zipfile.ZipFile, over: Callable[[_Extent], bool], limits: Limits, name: str
) -> MergedRanges:
    """The used area of every ods table from content.xml (streamed through expat, no tree built)."""
    from xml.parsers import expat

    scan = _OdsScan(over)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end

    def refuse_dtd(*_: object) -> None:
        raise _error(
            "文件含有不安全的 XML 实体声明，已拒绝读取",
            name,
            "问题部件：content.xml。正常的表格文件不会含有此类声明；如文件来源可信，请另存为新的 .xlsx",
        )

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    try:
        with zf.open("content.xml") as fh:
            while chunk := fh.read(_SCAN_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _OdsStop:
        pass
    except expat.ExpatError:
        raise _error("文件已损坏，无法读取（部件“content.xml”不是有效的 XML）", name, _RESAVE_HINT) from None
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError, KeyError):
        raise _error("文件已损坏，无法读取（部件“content.xml”无法解压）", name, _RESAVE_HINT) from None
    merged: MergedRanges = {}
    for sheet, extent, merges in scan.sheets:
        if over(extent):
            raise _too_large(extent, limits, sheet=sheet, name=name)
        merged[sheet] = sorted(merges)
    return merged


def _merged_cells(refs: list[tuple[bytes, bytes]]) -> list[tuple[int, int, int, int]]:
    """(b"A2", b"A4") corner pairs → sorted distinct (row1, col1, row2, col2)."""
    out = set()
    for first, last in refs:
        (r1, c1), (r2, c2) = _cell_position(first), _cell_position(last)
        out.add((r1, c1, r2, c2))
    return sorted(out)


def _cell_position(ref: bytes) -> tuple[int, int]:
    """b"AB12" → (12, 27): Excel row (1-based), column (0-based)."""
    letters = ref.rstrip(b"0123456789")
    return int(ref[len(letters) :]), _column_number(letters)


# --------------------------------------------------------------------------------------------------
# Text: HTML tables saved as .xls, CSV
# --------------------------------------------------------------------------------------------------

_BINARY_KINDS = (
    (b"%PDF", "PDF 文档"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"{\\rtf", "RTF 文档"),
    (b"MZ", "程序文件"),
    (b"\x7fELF", "程序文件"),
)
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _check_text(path: Path, head: bytes, size: int, name: str) -> FileInfo:
    for magic, what in _BINARY_KINDS:
        if head.startswith(magic):
            raise _error(
                _NOT_SPREADSHEET, name, f"文件内容看起来是{what}，请提供从系统导出的 Excel 或 CSV 文件"
            )
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
        codecs.BOM_UTF32_LE
    )
    if b"\x00" in head and not utf16:
        raise _error(_NOT_SPREADSHEET, name, "文件内容是二进制数据而不是表格；" + _RESAVE_HINT)
    if utf16:
        codec = "utf-16"
    elif head.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    else:
        codec = "utf-8" if _decodes(head, "utf-8", final=len(head) == size) else "gb18030"
    preview = codecs.getincrementaldecoder(codec)("replace").decode(head)
    body = preview.lstrip(" \t\r\n\f\v\u3000\ufeff")
    if not body:
        raise _error("文件为空（只有空白）", name, "请重新从系统导出该表格")
    if len(_CONTROL_RE.findall(preview)) > max(8, len(preview) // 100):
        raise _error(_NOT_SPREADSHEET, name, "文件内容是二进制数据而不是表格；" + _RESAVE_HINT)
    lowered = body[:_HEAD_BYTES].lower()
    if body.startswith("<"):
        if "<table" in lowered:
            return FileInfo(path=path, format="html", size=size, encoding=_html_encoding(path, head, name))
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            raise _error("这是 Excel 2003 XML 表格，暂不支持", name, "请在 Excel 中打开后另存为 .xlsx")
        raise _error(_NOT_SPREADSHEET, name, "文件内容是网页或 XML，但其中没有表格")
    if lowered.startswith("mime-version"):
        raise _error(_NOT_SPREADSHEET, name, "这是“单个文件网页”（.mht），请在 Excel 中打开后另存为 .xlsx")
    return FileInfo(path=path, format="csv", size=size, encoding=_file_encoding(path, head, name))


def _decodes(data: bytes, encoding: str, *, final: bool = True) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(data, final=final)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _file_decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes strictly (streamed, memory-light)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(MiB):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _file_encoding(path: Path, head: bytes, name: str) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        if _file_decodes(path, encoding):
            return encoding
    return _guess_encoding(head, name)


def _html_encoding(path: Path, head: bytes, name: str) -> str:
    """HTML: UTF-8 if it decodes, else the declared <meta charset> if it decodes, else sniffed."""
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _file_decodes(
        path, "utf-8"
    ):
        return _file_encoding(path, head, name)
    match = _META_CHARSET_RE.search(head)
    if match:
        declared = match.group(1).decode("ascii", "replace").lower()
        declared = "gb18030" if declared in {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936"} else declared
        with contextlib.suppress(LookupError):
            codecs.lookup(declared)
            if _file_decodes(path, declared):
                return declared
    return _file_encoding(path, head, name)


def _guess_encoding(data: bytes, name: str | None) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputFileError(
            "无法识别文件的文字编码",
            Location(file=name) if name else None,
            "请用 Excel 打开后另存为 .xlsx 或“CSV UTF-8”格式",
        )
    return str(best.encoding)


def detect_text_encoding(data: bytes, *, name: str | None = None) -> str:
    """ "utf-8-sig" (BOM), "utf-8", "gb18030", else charset-normalizer's best guess; InputFileError if none.

    A UTF-16 BOM (Excel's "Unicode 文本") gives "utf-16".
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and _decodes(data, "utf-16"):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(data, encoding):
            return encoding
    return _guess_encoding(data, name)
