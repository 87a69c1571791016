"""The processed folder (data/processed/<Y>/) as a contract: private, listed in a manifest, verified.

Writing (``ingest``, pipeline.write_processed):
- every text column of every table goes through the ID/phone scrub (pseudonymous keys kept) and has any
  run of 15+ digits masked (not in names of files, nor in codes such as the 16-digit 发展团员编号); the
  texts of ingest_report.json and every cell of rejected_rows.xlsx alike;
- the tables are written with their name and year in the parquet metadata (so that a file put in the
  wrong place can be named: "members.parquet 是 2021 年的团员名册");
- the output audit runs on the finished folder before it replaces the old one: anything left fails the
  ingest (exit 2), the previous data stay;
- last, the manifest (``processed_manifest.json``): each table's file, rows, bytes and sha256, the same
  for ingest_report.json and rejected_rows.xlsx, the schema version, the year and the raw fingerprint.

Reading (``verify``): the manifest is checked against the files — sizes and hashes of the bytes, no
parquet is parsed — and the verified bytes are kept, so a reader works on exactly the snapshot it
checked even if an ingest replaces the folder meanwhile. A table missing, truncated, altered, of another
year or of another table, or a table file the manifest does not list, is a ``ProcessedDataError``
(exit 2) that says to run ``ingest`` again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.common import paths, schemas
from analysis.common.errors import AnalysisError, ProcessedDataError
from analysis.safety import privacy, safe_io

MANIFEST_NAME = paths.PROCESSED_MANIFEST
FORMAT = 1
METADATA_KEY = b"tuanwei"  # parquet key-value metadata: {"table": name, "year": Y}
LISTED_FILES = (paths.INGEST_REPORT, paths.REJECTED_ROWS)  # hashed besides the tables


# --- the schema version ---------------------------------------------------------------------------
@functools.cache
def schema_version() -> str:
    """A short hash of every canonical table's columns, types and nullability (schemas.py): data written
    under another schema (another version of the program) is not read as if it were this one."""
    parts = []
    for name, model in schemas.TABLES.items():
        schema = model.to_schema()
        parts.append([name, [[c, str(col.dtype), bool(col.nullable)] for c, col in schema.columns.items()]])
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:16]


# --- privacy of what is stored ----------------------------------------------------------------------
def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if pd.api.types.is_string_dtype(frame[c]) or pd.api.types.is_object_dtype(frame[c])
    ]


# Columns whose values are names of files and sheets, or codes that are long numbers by nature (发展团员
# 编号 has 16 digits): identifiers are masked in them, other long digit runs kept.
NAME_COLUMNS = {"source_file", "source_sheet", "file", "sheet", "文件", "工作表"}
CODE_COLUMNS = {"league_no", "member_no", "student_no"}


# A pseudonym key (privacy.pseudonym): its 16 hex digits are all decimal digits for about one key in 1,900
# (10/16 to the 16th), so a 20,000-member county has a dozen; they are nobody's number and never masked.
PSEUDONYM_KEY = r"[A-Za-z0-9]+_[0-9a-f]{16}"


def _key_column(series: pd.Series) -> bool:
    """Whether every value of the column is a pseudonym key (or missing)."""
    values = series.dropna()
    return len(values) > 0 and bool(values.astype(str).str.fullmatch(PSEUDONYM_KEY).all())


def private_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text column scrubbed (names, normalised names, branches, notes, periods, file names …):
    identifiers masked, and runs of 15+ digits except in names of files and in codes; columns of
    pseudonym keys (member_id, person_key …) are kept as they are."""
    changed = {}
    for column in _text_columns(frame):
        if _key_column(frame[column]):
            continue
        keep_long = column in NAME_COLUMNS or column in CODE_COLUMNS
        scrubbed = privacy.scrub_stored_series(frame[column], long_digits=not keep_long)
        if scrubbed is not frame[column]:
            changed[column] = scrubbed
    return frame.assign(**changed) if changed else frame


def private_report(value: Any, key: str = "") -> Any:
    """ingest_report.json with every text scrubbed (hashes, whose hex digits are nobody's, kept; names
    of files as workspace.raw_fingerprint stores them)."""
    if isinstance(value, dict):
        return {k: private_report(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [private_report(v, key) for v in value]
    if isinstance(value, str) and not key.endswith("sha256"):
        return privacy.scrub_stored_text(value) if key in NAME_COLUMNS else privacy.scrub_shown(value)
    return value


def _shown_value(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        try:
            whole = float(value).is_integer() and abs(float(value)) >= 1e10
        except (OverflowError, ValueError):
            whole = False
        if whole:  # a number typed into a cell: 15+ digits or a phone is masked like the text
            text = str(int(value))
            masked = scrub(text)
            return masked if masked != text else value
    return value


def masked_sheets(sheets: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """rejected_rows.xlsx: every cell of every sheet with identifiers and runs of 15+ digits masked
    (names of files and sheets: identifiers only, so that the file can still be found)."""
    out = {}
    for name, frame in sheets.items():
        changed = {}
        for column in frame.columns:
            series = frame[column]
            if pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series):
                scrub = privacy.scrub_stored_text if column in NAME_COLUMNS else privacy.scrub_shown
                changed[column] = series.map(
                    lambda v, scrub=scrub: _shown_value(v, scrub), na_action="ignore"
                )
        out[name] = frame.assign(**changed) if changed else frame
    return out


def check_private(folder: Path) -> None:
    """The output audit on a processed folder about to be published: a full ID or phone number left in
    any file stops the ingest (exit 2) with the findings (masked)."""
    from analysis.safety.audit import audit, format_findings

    findings = audit(folder)
    if findings:
        raise AnalysisError(
            "处理后的数据未通过隐私检查（不能含完整的身份证号或手机号码），已停止，之前的处理后数据保持不变：\n"
            + format_findings(findings),
            hint="请检查原始导出中相应的单元格（身份证号、手机号码不应填在姓名、团支部等列中），"
            "或把这条信息发给维护人员。",
        )


# --- writing ------------------------------------------------------------------------------------------
def write_table(frame: pd.DataFrame, path: Path, table: str, year: int) -> None:
    """A canonical table as parquet (as ``DataFrame.to_parquet`` writes it), with its name and year in
    the file's metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    mark = json.dumps({"table": table, "year": int(year)}).encode()
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), METADATA_KEY: mark})
    pq.write_table(arrow, path)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": _sha256(data)}


def raw_digest(raw_inputs: list[dict[str, Any]]) -> str:
    """One hash of a raw fingerprint (workspace.raw_fingerprint: file, sha256, bytes of each export)."""
    return _sha256(json.dumps(raw_inputs, ensure_ascii=False, sort_keys=True).encode())


def write_manifest(
    folder: Path, year: int, rows: dict[str, int], raw_inputs: list[dict[str, Any]]
) -> dict[str, Any]:
    """processed_manifest.json for the finished files of ``folder`` (call it last), written atomically."""
    manifest = {
        "format": FORMAT,
        "year": int(year),
        "schema_version": schema_version(),
        "written_at": dt.datetime.now().isoformat(timespec="seconds"),
        "raw_sha256": raw_digest(raw_inputs),
        "raw_inputs": raw_inputs,
        "tables": {
            name: {"file": f"{name}.parquet", "rows": int(n), **_entry(folder / f"{name}.parquet")}
            for name, n in rows.items()
        },
        "files": {name: _entry(folder / name) for name in LISTED_FILES if (folder / name).is_file()},
    }
    safe_io.atomic_write_text(folder / MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


# --- reading ------------------------------------------------------------------------------------------
@dataclass
class Snapshot:
    """A verified processed folder: its manifest, report and the bytes of each table as checked."""

    folder: Path
    manifest: dict[str, Any]
    report: dict[str, Any]
    data: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def year(self) -> int:
        return int(self.manifest["year"])

    @property
    def digest(self) -> str:
        """One hash of what was verified (changes with any table)."""
        return _sha256(json.dumps(self.manifest.get("tables", {}), sort_keys=True).encode())

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame | None:
        data = self.data.get(table)
        if data is None:
            return None
        return pd.read_parquet(io.BytesIO(data), columns=columns)


def _label(table: str) -> str:
    return schemas.TABLE_LABELS.get(table, table)


def _what_it_holds(data: bytes, table: str, year: int | None) -> str:
    """What a parquet file that fails its hash says about itself (its metadata), as a clause."""
    try:
        import pyarrow.parquet as pq

        meta = pq.read_schema(io.BytesIO(data)).metadata or {}
        mark = json.loads(meta.get(METADATA_KEY, b"{}"))
    except Exception:  # not a parquet file at all, or a truncated one
        return "，已不是完整的数据表文件（被截断或损坏）"
    other_table, other_year = mark.get("table"), mark.get("year")
    if other_table and other_table != table:
        return f"，其中是“{_label(other_table)}”（{other_table}）的数据，不是“{_label(table)}”"
    if year is not None and other_year is not None and int(other_year) != int(year):
        return f"，其中是 {other_year} 年的数据，不是 {year} 年的"
    return "，内容被修改或替换过"


def verify(
    folder: Path,
    year: int | None,
    hint: str,
    *,
    check_schema: bool = True,
    keep: bool = True,
) -> Snapshot:
    """Check ``folder`` against its manifest (see the module docstring); the snapshot keeps the verified
    table bytes when ``keep``. ``hint``: what to do (which ingest command to run)."""
    folder = Path(folder)

    def fail(detail: str) -> ProcessedDataError:
        return ProcessedDataError(
            f"处理后数据 {folder} 未通过核对：{detail}；其中的数字不可信，已停止", hint=hint
        )

    manifest_file = folder / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_file.read_bytes())
    except FileNotFoundError:
        raise fail(f"缺少 {MANIFEST_NAME}（数据不完整，或由旧版本的程序生成）") from None
    except IsADirectoryError:
        raise fail(f"{MANIFEST_NAME} 不是文件") from None
    except (OSError, ValueError):
        raise fail(f"{MANIFEST_NAME} 无法读取或已损坏") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise fail(f"{MANIFEST_NAME} 的格式不对（已损坏，或由其他版本的程序生成）")
    try:
        listed_year = int(manifest["year"])
        tables = dict(manifest["tables"])
        files = dict(manifest.get("files", {}))
    except (KeyError, TypeError, ValueError):
        raise fail(f"{MANIFEST_NAME} 已损坏") from None
    if year is not None and listed_year != int(year):
        raise fail(f"这是 {listed_year} 年的处理后数据，不是 {year} 年的")
    if check_schema and manifest.get("schema_version") != schema_version():
        raise fail("数据表的结构与当前程序不同（由其他版本的程序生成）")

    data: dict[str, bytes] = {}
    for table, entry in tables.items():
        if table not in schemas.TABLES:
            raise fail(f"{MANIFEST_NAME} 中列出了未知的数据表 {table}")
        data[table] = _checked(folder, f"{table}.parquet", entry, fail, table, listed_year, _label(table))
    if paths.INGEST_REPORT not in files:
        raise fail(f"{MANIFEST_NAME} 中没有列出 {paths.INGEST_REPORT}")
    listed = {
        name: _checked(folder, name, entry, fail, None, listed_year, name) for name, entry in files.items()
    }
    for table in schemas.TABLES:
        if table not in tables and (folder / f"{table}.parquet").exists():
            raise fail(f"{table}.parquet（{_label(table)}）不是导入时写入的（清单中没有这张表）")
    try:
        report = json.loads(listed[paths.INGEST_REPORT])
        report_year = int(report.get("year", listed_year))
    except (ValueError, TypeError, AttributeError):
        raise fail(f"{paths.INGEST_REPORT} 无法读取") from None
    if report_year != listed_year:
        raise fail(f"{paths.INGEST_REPORT} 与清单的年份不一致")
    return Snapshot(folder, manifest, report, data if keep else {})


def _checked(
    folder: Path,
    name: str,
    entry: Any,
    fail: Any,
    table: str | None,
    year: int,
    label: str,
) -> bytes:
    """The bytes of a listed file whose size and sha256 match the manifest (else ``fail``)."""
    shown = f"{name}（{label}）" if label != name else name
    try:
        size, digest = int(entry["bytes"]), str(entry["sha256"])
    except (KeyError, TypeError, ValueError):
        raise fail(f"{MANIFEST_NAME} 已损坏") from None
    path = folder / name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise fail(f"缺少 {shown}") from None
    except OSError:
        raise fail(f"{shown} 无法读取") from None
    if len(data) != size or _sha256(data) != digest:
        if table is None:
            change = "被截断" if len(data) < size else "被修改或替换过"
            raise fail(f"{shown}与导入时不同（{change}）")
        if len(data) < size and data == b"":
            raise fail(f"{shown} 是空文件")
        raise fail(f"{shown}与导入时不同{_what_it_holds(data, table, year)}")
    return data
