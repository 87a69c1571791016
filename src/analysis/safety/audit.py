"""Output scanner: finds FULL 身份证号 and 手机号码 left in reports, notebooks and processed tables.

``audit(path)`` walks a file or folder (json, csv, txt, md, html, svg, ipynb, xlsx, docx, parquet, …)
and returns ``Finding`` s that show only the masked value. Detection is conservative to avoid false
alarms: an 18-digit ID needs a valid province code, a plausible birth date and a valid check digit and
may not sit inside a longer digit run; a 15-digit ID needs a province code, a valid date and word
boundaries; a mobile number is ``1[3-9]`` + 9 digits (optionally ``+86``, ``138-1234-5678`` or
``138 1234 5678``) not touching other digits or ASCII letters (so hex hashes and keys do not match).
Masked forms (with asterisks) never match. Office files are read part by part (all XML, split text
runs joined per paragraph / shared string), within the zip limits of ``guard``.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.common.errors import AnalysisError, InputFileError, Location
from analysis.safety.guard import OLE_MAGIC, Limits, detect_text_encoding, open_checked_zip
from analysis.safety.personal_numbers import ID15, ID18, MOBILE_GROUPED
from analysis.safety.privacy import birth_date_from_id, id_checksum_ok, mask_id, mask_phone

__all__ = ["KIND_ID", "KIND_PHONE", "KIND_UNREADABLE", "Finding", "audit", "audit_ok", "format_findings"]

KIND_ID = "身份证号"
KIND_PHONE = "手机号码"
KIND_UNREADABLE = "无法检查"

TEXT_SUFFIXES = {
    ".json", ".csv", ".tsv", ".txt", ".md", ".html", ".htm", ".svg", ".xml", ".yml", ".yaml", ".log",
}  # fmt: skip
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".docx", ".pptx"}
SUFFIXES = TEXT_SUFFIXES | ZIP_SUFFIXES | {".ipynb", ".parquet"}
SKIP_DIRS = {
    ".git", ".venv", "venv", "__pycache__", "node_modules", ".ruff_cache", ".pytest_cache", ".mypy_cache",
}  # fmt: skip
_BINARY_MEMBER_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".wdp", ".bin", ".ttf",
    ".odttf", ".fntdata", ".svgz",
)  # fmt: skip
_MAX_ZIP_DEPTH = 2

# Province-level codes (first two digits of an ID), plus 99: the bundled synthetic sample town uses
# region codes 99xxxx with valid check digits, and its outputs must pass the same audit.
_PROVINCES = frozenset(
    str(code)
    for code in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
                 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91, 99)
)  # fmt: skip
_FULLWIDTH_DIGITS = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)} | {0xFF38: ord("X"), 0xFF58: ord("x")}
_PATTERN = re.compile(  # an ID never starts with 0; a digit run inside a longer number is not one
    rf"(?P<id18>(?<![0-9])(?<![0-9]\.)(?=[1-9]){ID18}(?![0-9]))"
    rf"|(?P<id15>(?<![0-9A-Za-z_.])(?=[1-9]){ID15}(?![0-9A-Za-z_]|\.[0-9]))"
    rf"|(?P<phone>(?<![0-9A-Za-z_])(?<![0-9]\.)(?:(?:\+|00)?86[- ]?)?{MOBILE_GROUPED}(?![0-9A-Za-z_]))"
)
_BASE64_RE = re.compile(
    r"(?:data:[\w/+.-]+;base64,|\"image/(?:png|jpeg|gif)\": *\")[A-Za-z0-9+/=\r\n\\]{64,}"
)


@dataclass(frozen=True)
class Finding:
    """One full identifier found in an output; only its masked form is kept."""

    file: str
    location: str
    kind: str  # "身份证号" | "手机号码" | "无法检查" (a file that could not be scanned)
    masked_value: str

    def __str__(self) -> str:
        where = f"{self.file}（{self.location}）" if self.location else self.file
        return f"{where}：{self.kind} {self.masked_value}".rstrip()


def _valid_id18(text: str) -> bool:
    text = text.upper()
    return text[:2] in _PROVINCES and id_checksum_ok(text) and birth_date_from_id(text) is not None


def _valid_id15(text: str) -> bool:
    return text[:2] in _PROVINCES and birth_date_from_id(text) is not None


_FULLWIDTH = re.compile("[\uff10-\uff19\uff38\uff58]")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")  # every ID and every (grouped) mobile number has a run of four


def find_identifiers(text: str) -> Iterator[tuple[int, str, str]]:
    """(position, kind, masked value) of each full identifier in ``text``."""
    if not text:
        return
    if _FULLWIDTH.search(text):  # str.translate is slow on long texts: only when there is something to do
        text = text.translate(_FULLWIDTH_DIGITS)
    if not _FOUR_DIGITS.search(text):  # most cells: the full pattern is not tried at every position
        return
    for m in _PATTERN.finditer(text):
        if m.group("id18"):
            value = m.group("id18")
            if _valid_id18(value):
                yield m.start(), KIND_ID, mask_id(value.upper()) or ""
        elif m.group("id15"):
            value = m.group("id15")
            if _valid_id15(value):
                yield m.start(), KIND_ID, mask_id(value) or ""
        else:
            digits = re.sub(r"\D", "", m.group("phone"))
            yield m.start(), KIND_PHONE, mask_phone(digits[-11:]) or ""


def _strip_base64(text: str) -> str:
    """Embedded images (data URIs, notebook image outputs) blanked out, line breaks kept."""
    return _BASE64_RE.sub(lambda m: "\n" * m.group().count("\n"), text)


def _line_locator(text: str) -> Callable[[int], str]:
    state = {"pos": 0, "line": 1}

    def locate(pos: int) -> str:
        if pos < state["pos"]:
            state["pos"], state["line"] = 0, 1
        state["line"] += text.count("\n", state["pos"], pos)
        state["pos"] = pos
        return f"第 {state['line']} 行"

    return locate


# --------------------------------------------------------------------------------------------------
# Collector
# --------------------------------------------------------------------------------------------------


class _Collector:
    def __init__(self, file: str, limit: int) -> None:
        self.file = file
        self.limit = limit
        self.items: list[Finding] = []
        self._seen: set[tuple[str, str, str]] = set()

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit

    def add(self, location: str, kind: str, masked: str) -> None:
        key = (location, kind, masked)
        if key in self._seen or self.full:
            return
        self._seen.add(key)
        self.items.append(Finding(self.file, location, kind, masked))

    def scan(self, text: str, locate: Callable[[int], str]) -> None:
        for pos, kind, masked in find_identifiers(text):
            if self.full:
                return
            self.add(locate(pos), kind, masked)


# --------------------------------------------------------------------------------------------------
# Walking
# --------------------------------------------------------------------------------------------------


def _iter_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix.lower() in SUFFIXES:
                yield path


def audit(path: Path, *, limits: Limits | None = None, max_per_file: int = 1000) -> list[Finding]:
    """Scan a file or a folder for full identifiers; at most ``max_per_file`` findings per file.

    A file that cannot be scanned (corrupt, encrypted, too large) gives one "无法检查" finding.
    """
    root = Path(path)
    if not root.exists():
        raise InputFileError("要检查的路径不存在", Location(file=str(root)))
    limits = limits or Limits()
    findings: list[Finding] = []
    for file in _iter_files(root):
        shown = str(file.relative_to(root)) if root.is_dir() else str(file)
        collector = _Collector(shown, max_per_file)
        try:
            _scan_file(file, collector, limits)
        except AnalysisError as exc:
            collector.add(exc.message + (f"（{exc.hint}）" if exc.hint else ""), KIND_UNREADABLE, "")
        except (OSError, ValueError, zipfile.BadZipFile, RecursionError) as exc:
            collector.add(f"读取失败：{type(exc).__name__}", KIND_UNREADABLE, "")
        except Exception as exc:  # pyarrow and friends raise their own types; never abort the audit
            collector.add(f"读取失败：{type(exc).__name__}", KIND_UNREADABLE, "")
        findings.extend(collector.items)
    return findings


def audit_ok(path: Path) -> bool:
    """True when nothing was found (and every file could be scanned)."""
    return not audit(path)


def _scan_file(path: Path, out: _Collector, limits: Limits) -> None:
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        with open(path, "rb") as fh:
            if fh.read(len(OLE_MAGIC)) == OLE_MAGIC:
                raise InputFileError(
                    "文件设有密码或不是 Office Open XML 格式，无法检查内容", Location(file=out.file)
                )
        _scan_office(path, out, limits, prefix="", depth=0)
    elif suffix == ".parquet":
        _scan_parquet(path, out)
    elif suffix == ".ipynb":
        _scan_notebook(path, out)
    else:
        text = _read_text(path.read_bytes(), path.name)
        out.scan(_strip_base64(text), _line_locator(text))


def _read_text(data: bytes, name: str) -> str:
    try:
        encoding = detect_text_encoding(data, name=name)
    except InputFileError:
        encoding = "utf-8"
    return data.decode(encoding, errors="replace")


# --------------------------------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------------------------------

_IMAGE_MIME = ("image/png", "image/jpeg", "image/gif")


def _notebook_strings(node: Any, skip_images: bool = True) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _notebook_strings(item, skip_images)
    elif isinstance(node, dict):
        for key, value in node.items():
            if skip_images and key in _IMAGE_MIME:
                continue
            yield str(key)
            yield from _notebook_strings(value, skip_images)
    elif node is not None and not isinstance(node, bool):
        yield str(node)


def _scan_notebook(path: Path, out: _Collector) -> None:
    raw = path.read_bytes()
    try:
        nb = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = _read_text(raw, path.name)
        out.scan(_strip_base64(text), _line_locator(text))
        return
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    for i, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        for part, label in (
            ("source", "代码"),
            ("outputs", "输出"),
            ("attachments", "附件"),
            ("metadata", "元数据"),
        ):
            if part in cell:
                text = "\n".join(_notebook_strings(cell[part]))
                out.scan(_strip_base64(text), lambda _pos, i=i, label=label: f"第 {i} 个单元格（{label}）")
    rest = {k: v for k, v in nb.items() if k != "cells"} if isinstance(nb, dict) else nb
    out.scan("\n".join(_notebook_strings(rest)), lambda _pos: "笔记本元数据")


# --------------------------------------------------------------------------------------------------
# Office files (xlsx / docx / pptx): every XML part, split runs joined
# --------------------------------------------------------------------------------------------------

_BLOCK_RE = re.compile(r"<(w:p|a:p|si|is)\b[^>]*>(.*?)</\1>", re.DOTALL)
_RUN_TEXT_RE = re.compile(r"<(?:w:t|a:t|t)(?:\s[^>]*)?>([^<]*)</(?:w:t|a:t|t)>")
_CELL_REF_RE = re.compile(r"""<c\b[^>]*?\br="([A-Z]{1,3}[0-9]+)\"""")
_SHARED_CELL_RE = re.compile(r"<c\b([^>]*)>\s*(?:<f[^<]*</f>\s*)?<v>([0-9]+)</v>")
_SHEET_RE = re.compile(r"<sheet\b[^>]*>")
_ATTR_RE = re.compile(r"""([\w:]+)\s*=\s*"([^"]*)\"""")


class _OfficeParts:
    """Member texts and the maps needed to turn an offset into a workbook/document location."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self._texts: dict[str, str] = {}
        self._sheet_names: dict[str, str] | None = None
        self._shared_cells: dict[int, str] | None = None

    def text(self, member: str) -> str:
        if member not in self._texts:
            data = self.zf.read(member)
            if data.startswith((b"\xff\xfe", b"\xfe\xff")):
                self._texts[member] = data.decode("utf-16", errors="replace")
            else:
                self._texts[member] = data.decode("utf-8", errors="replace").lstrip("\ufeff")
        return self._texts[member]

    def sheet_names(self) -> dict[str, str]:
        """Worksheet part name → sheet name, from workbook.xml and its relationships."""
        if self._sheet_names is None:
            self._sheet_names = {}
            names = set(self.zf.namelist())
            if "xl/workbook.xml" in names and "xl/_rels/workbook.xml.rels" in names:
                targets = {}
                for rel in re.findall(r"<Relationship\b[^>]*>", self.text("xl/_rels/workbook.xml.rels")):
                    attrs = dict(_ATTR_RE.findall(rel))
                    target = attrs.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                    targets[attrs.get("Id", "")] = target
                for tag in _SHEET_RE.findall(self.text("xl/workbook.xml")):
                    attrs = dict(_ATTR_RE.findall(tag))
                    rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
                    if rid in targets:
                        self._sheet_names[targets[rid]] = html.unescape(attrs.get("name", ""))
        return self._sheet_names

    def shared_cells(self) -> dict[int, str]:
        """Shared-string index → first cell using it ("工作表“名册” B12")."""
        if self._shared_cells is None:
            self._shared_cells = {}
            for part, sheet in self.sheet_names().items():
                if part not in self.zf.namelist():
                    continue
                for m in _SHARED_CELL_RE.finditer(self.text(part)):
                    attrs = dict(_ATTR_RE.findall(m.group(1)))
                    if attrs.get("t") == "s":
                        self._shared_cells.setdefault(
                            int(m.group(2)), f"工作表“{sheet}” {attrs.get('r', '')}"
                        )
        return self._shared_cells

    def locate(self, member: str, text: str, pos: int) -> str:
        sheets = self.sheet_names()
        if member in sheets:
            ref = None
            start = text.rfind("<c ", 0, pos + 1)
            if start >= 0:
                m = _CELL_REF_RE.match(text, start)
                ref = m.group(1) if m else None
            return f"工作表“{sheets[member]}”" + (f" {ref}" if ref else "")
        if member.endswith("sharedStrings.xml"):
            index = text.count("<si>", 0, pos + 4) + text.count("<si ", 0, pos + 4) - 1  # tags opened by pos
            return self.shared_cells().get(index, f"共享字符串第 {index + 1} 条")
        if member == "word/document.xml":
            paragraph = text.count("<w:p>", 0, pos + 5) + text.count("<w:p ", 0, pos + 5)
            return f"正文第 {max(paragraph, 1)} 段"
        return member


def _scan_office(source: Path | io.BytesIO, out: _Collector, limits: Limits, prefix: str, depth: int) -> None:
    name = out.file if not prefix else f"{out.file} → {prefix.rstrip('/')}"
    with open_checked_zip(source, limits, name) as zf:
        parts = _OfficeParts(zf)
        for info in zf.infolist():
            if out.full:
                return
            member = info.filename
            lower = member.lower()
            if info.is_dir() or lower.endswith(_BINARY_MEMBER_SUFFIXES):
                continue
            if lower.endswith(tuple(ZIP_SUFFIXES)):
                if depth < _MAX_ZIP_DEPTH:
                    _scan_office(io.BytesIO(zf.read(info)), out, limits, f"{prefix}{member}/", depth + 1)
                continue
            text = parts.text(member)
            out.scan(text, lambda pos, m=member, t=text: prefix + parts.locate(m, t, pos))
            for block in _BLOCK_RE.finditer(text):
                joined = html.unescape("".join(_RUN_TEXT_RE.findall(block.group(2))))
                if joined:
                    at = prefix + parts.locate(member, text, block.start())
                    out.scan(joined, lambda _pos, at=at: at)


# --------------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------------

_RS = "\x1e"  # record separator between values: not a digit, not a word character


def _scan_values(values: Iterable[Any], out: _Collector, column: str, first_row: int) -> None:
    texts = ["" if v is None else str(v).replace(_RS, " ") for v in values]
    joined = _RS.join(texts)
    if not joined:
        return
    state = {"pos": 0, "row": 0}

    def locate(pos: int) -> str:
        state["row"] += joined.count(_RS, state["pos"], pos)
        state["pos"] = pos
        return f"“{column}”列 第 {first_row + state['row'] + 1} 行"

    out.scan(joined, locate)


def _scan_parquet(path: Path, out: _Collector) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as pf:
        schema = pf.schema_arrow
        meta = schema.metadata or {}
        out.scan(
            "\n".join([*schema.names, *(v.decode("utf-8", "replace") for v in meta.values())]),
            lambda _pos: "列名与元数据",
        )
        row0 = 0
        for batch in pf.iter_batches(batch_size=200_000):
            for column, array in zip(batch.schema.names, batch.columns, strict=True):
                if out.full:
                    return
                kind = array.type
                if pa.types.is_dictionary(kind):
                    array = array.dictionary_decode()
                    kind = array.type
                if (
                    pa.types.is_string(kind)
                    or pa.types.is_large_string(kind)
                    or pa.types.is_string_view(kind)
                ):
                    _scan_values(array.to_pylist(), out, column, row0)
                elif pa.types.is_integer(kind):
                    _scan_values(pc.cast(array, pa.string()).to_pylist(), out, column, row0)
                elif pa.types.is_floating(kind):
                    numbers = array.to_numpy(zero_copy_only=False).astype("float64")
                    ok = np.isfinite(numbers) & (np.abs(numbers) >= 1e10) & (np.abs(numbers) < 1e19)
                    ok &= np.floor(numbers) == numbers
                    values = [str(int(v)) if good else None for v, good in zip(numbers, ok, strict=True)]
                    _scan_values(values, out, column, row0)
                elif pa.types.is_nested(kind):
                    _scan_values(
                        (json.dumps(v, ensure_ascii=False, default=str) for v in array.to_pylist()),
                        out,
                        column,
                        row0,
                    )
            row0 += batch.num_rows


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def format_findings(findings: list[Finding], *, per_file: int = 20, max_per_file: int = 1000) -> str:
    """A Chinese report of the findings (masked values only)."""
    hits = [f for f in findings if f.kind != KIND_UNREADABLE]
    unreadable = [f for f in findings if f.kind == KIND_UNREADABLE]
    if not findings:
        return "检查完成：未发现完整的身份证号或手机号码。"
    lines: list[str] = []
    if hits:
        n_id = sum(f.kind == KIND_ID for f in hits)
        n_phone = len(hits) - n_id
        files = list(dict.fromkeys(f.file for f in hits))
        lines.append(
            f"发现 {len(hits)} 处完整的个人身份信息（身份证号 {n_id} 处，手机号码 {n_phone} 处），"
            f"涉及 {len(files)} 个文件。输出中只应出现脱敏形式（如 110***********123X、138****5678），"
            "请删除这些文件或改为脱敏后重新生成："
        )
        for file in files:
            items = [f for f in hits if f.file == file]
            count = f"至少 {len(items)}" if len(items) >= max_per_file else str(len(items))
            lines.append(f"{file}（{count} 处）：")
            lines.extend(f"  {f.location}：{f.kind} {f.masked_value}" for f in items[:per_file])
            if len(items) > per_file:
                lines.append(f"  …… 另有 {len(items) - per_file} 处")
    else:
        lines.append("未发现完整的身份证号或手机号码。")
    if unreadable:
        lines.append(f"以下 {len(unreadable)} 个文件无法检查，请人工确认：")
        lines.extend(f"  {f.file}：{f.location}" for f in unreadable)
    return "\n".join(lines)
