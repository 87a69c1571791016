"""Outputs that cannot attack: formula-injection-safe CSV/xlsx and atomic writes.

Every text cell that a spreadsheet program could read as a formula (OWASP "CSV injection": text
starting with ``= + - @``, tab or carriage return, also after leading whitespace) gets a leading
``'``; xlsx string cells are always written as strings (never formulas, never error values).
Files appear atomically: a temporary file in the same folder is fsynced and then renamed over the
target, so a crash never leaves half a report behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.common import formatting

if TYPE_CHECKING:  # openpyxl loads when a workbook is written: a query printed in the terminal needs none
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

# The control characters XML 1.0 forbids in a cell (openpyxl's ILLEGAL_CHARACTERS_RE; a test keeps them equal)
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

__all__ = [
    "atomic_output",
    "atomic_write_bytes",
    "atomic_write_text",
    "display_width",
    "neutralise",
    "neutralise_series",
    "notes_frame",
    "sanitize_sheet_names",
    "write_csv",
    "write_xlsx",
]

_DANGEROUS_RE = re.compile(r"^\s*[=+\-@\t\r]")
_EXCEL_MAX_TEXT = 32767
_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_DIGITS = 15  # larger integers lose digits in Excel: written as text
PERCENT_FORMAT = formatting.XLSX_RATE
DATE_FORMAT = formatting.XLSX_DATE
CSV_RATE_DIGITS = 4
NOTES_SHEET = "说明"
_MAX_WIDTH = 50
_MIN_WIDTH = 6

# --------------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------------

_umask_lock = threading.Lock()
_umask: int | None = None


def _default_mode() -> int:
    """0o666 minus the process umask (what a plain open() would have produced)."""
    global _umask
    with _umask_lock:
        if _umask is None:
            _umask = _read_umask()
        return 0o666 & ~_umask


def _read_umask() -> int:
    try:  # Linux: no need to change the process umask, even for an instant
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it is fsynced and renamed onto ``path``.

    For writers that want a file name (``wb.save(tmp)``, ``doc.save(tmp)``, ``df.to_parquet(tmp)``).
    On error the temporary file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder + fsync + os.replace)."""
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` atomically, without newline translation."""
    atomic_write_bytes(path, text.encode(encoding))


# --------------------------------------------------------------------------------------------------
# Formula injection
# --------------------------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """Prefix ``'`` to text a spreadsheet could run as a formula; every other value is returned unchanged.

    Only strings are touched: the number -5 stays a number, the text "-5" becomes "'-5".
    """
    if isinstance(value, str) and _DANGEROUS_RE.match(value):
        return "'" + value
    return value


def neutralise_series(series: pd.Series) -> pd.Series:
    """``neutralise`` over a Series (vectorised for string columns; other dtypes returned as is)."""
    if isinstance(series.dtype, pd.StringDtype):
        hit = series.str.match(_DANGEROUS_RE.pattern).fillna(False).astype(bool)
        return series.where(~hit, "'" + series) if hit.any() else series
    if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype(object).map(neutralise)
    return series


def _header_text(column: Any) -> str:
    if isinstance(column, tuple):
        return " / ".join(str(c) for c in column if str(c) and not str(c).startswith("Unnamed"))
    return str(column)


# --------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str], *, percent_columns: Iterable[str] = ()) -> None:
    """UTF-8 with BOM (Excel opens it as UTF-8), one header row, every text cell and header neutralised,
    no index. Integer columns stay integers (nullable ones too); ``percent_columns`` hold fractions and
    are written as numbers rounded to 4 decimals (0.9333, not 93.3% or 0.9333333333333333)."""
    rates = {str(c) for c in percent_columns}

    def column(i: int) -> pd.Series:
        series = df.iloc[:, i]
        if _header_text(df.columns[i]) in rates and pd.api.types.is_numeric_dtype(series.dtype):
            return series.astype("Float64").round(CSV_RATE_DIGITS)
        return neutralise_series(series)

    safe = pd.DataFrame({i: column(i).reset_index(drop=True) for i in range(df.shape[1])})
    safe.columns = [neutralise(_header_text(c)) for c in df.columns]
    text = safe.to_csv(index=False, lineterminator="\r\n")
    atomic_write_bytes(path, ("\ufeff" + text).encode("utf-8"))


# --------------------------------------------------------------------------------------------------
# xlsx
# --------------------------------------------------------------------------------------------------

_SHEET_BAD_RE = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sanitize_sheet_names(names: Iterable[str]) -> list[str]:
    """Excel-valid, unique (case-insensitive) sheet names: ≤31 chars, none of []:*?/\\, no edge quotes."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = _SHEET_BAD_RE.sub("_", str(raw)).strip().strip("'").strip() or "Sheet"
        if name.casefold() == "history":  # reserved by Excel
            name = f"{name}_"
        name = name[:31]
        candidate, n = name, 2
        while candidate.casefold() in seen:
            suffix = f"({n})"
            candidate = name[: 31 - len(suffix)] + suffix
            n += 1
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def display_width(text: str) -> int:
    """Width in Excel column units: East Asian wide/full-width characters count 2; longest line wins."""
    if text.isascii():
        return max((len(line) for line in text.split("\n")), default=0)
    best = 0
    for line in text.split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        best = max(best, width)
    return best


def _clean_text(text: str) -> str:
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > _EXCEL_MAX_TEXT:
        text = text[: _EXCEL_MAX_TEXT - 1] + "…"
    return neutralise(text)


class _Column:
    """One frame column converted to Python cell values plus its format (or one format per row) and width."""

    __slots__ = ("fmt", "formats", "values", "width")

    def __init__(
        self, values: list[Any], fmt: str | None, width: int, formats: list[str | None] | None = None
    ) -> None:
        self.values = values
        self.fmt = fmt
        self.width = width
        self.formats = formats


def _text_values(series: pd.Series) -> list[Any]:
    clean = series
    if clean.str.contains(ILLEGAL_CHARACTERS_RE.pattern, regex=True).fillna(False).any():
        clean = clean.str.replace(ILLEGAL_CHARACTERS_RE.pattern, "", regex=True)
    if (clean.str.len().fillna(0) > _EXCEL_MAX_TEXT).any():
        clean = clean.map(lambda v: v if not isinstance(v, str) else _clean_text(v))
    clean = neutralise_series(clean)
    return [v if isinstance(v, str) else None for v in clean.tolist()]


def _object_value(value: Any) -> Any:
    """A cell value from one entry of an object column."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        number = int(value)
        return _clean_text(str(number)) if abs(number) >= 10**_EXCEL_MAX_DIGITS else number
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp.to_pydatetime()
    return _clean_text(str(value))


def _convert(series: pd.Series, fmt: str | None) -> tuple[list[Any], str | None]:
    """Cell values of a column and the number format it needs (None: General)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return [None if pd.isna(v) else bool(v) for v in series.tolist()], fmt
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        values = [None if pd.isna(v) else v.to_pydatetime() for v in series.astype(object).tolist()]
        return values, fmt or formatting.xlsx_date_format(values)
    if pd.api.types.is_integer_dtype(dtype):
        values = [None if pd.isna(v) else int(v) for v in series.astype(object).tolist()]
        values = [
            _clean_text(str(v)) if v is not None and abs(v) >= 10**_EXCEL_MAX_DIGITS else v for v in values
        ]
        return values, fmt
    if pd.api.types.is_float_dtype(dtype):
        values = [
            None if v is None or v is pd.NA or not math.isfinite(v) else float(v)
            for v in series.astype(object).tolist()
        ]
        return values, fmt
    if isinstance(dtype, pd.StringDtype):
        return _text_values(series), fmt
    if isinstance(dtype, pd.CategoricalDtype):
        series = series.astype(object)
    values = [_object_value(v) for v in series.astype(object).tolist()]
    if fmt is None:
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, (dt.date, dt.datetime)) for v in present):
            fmt = formatting.xlsx_date_format(present)
    return values, fmt


def _column_width(header: str, values: list[Any], fmt: str | None) -> int:
    width = display_width(header)
    if fmt is not None and "%" in fmt:
        width = max(width, 7)
    elif fmt is not None and ("yy" in fmt or "dd" in fmt):
        width = max(width, len(fmt.replace("\\", "").replace('"', "")))
    seen: set[Any] = set()
    for value in values:
        if value is None or value in seen:
            continue
        seen.add(value)
        if isinstance(value, str):
            w = len(value) if value.isascii() and "\n" not in value else display_width(value)
        elif isinstance(value, bool):
            w = 5
        elif isinstance(value, int):
            w = len(str(value))
        elif isinstance(value, float):
            w = min(len(repr(value)), 12) if fmt is None else 10
        elif isinstance(value, (dt.date, dt.datetime)):
            w = 10 if fmt in (None, DATE_FORMAT) else 19
        else:
            w = 10
        if w > width:
            width = w
            if width >= _MAX_WIDTH:
                break
    return max(_MIN_WIDTH, min(width + 2, _MAX_WIDTH))


def notes_frame(items: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """The 说明 sheet of a workbook: one row per item (a sheet, where the data came from, when)."""
    return pd.DataFrame(list(items), columns=["项目", "说明"])


def _string_cell(ws: Any, text: str, font: Font | None = None) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # never a formula or an error value, whatever the text
    if font is not None:
        cell.font = font
    return cell


def write_xlsx(
    path: str | os.PathLike[str],
    sheets: Mapping[str, pd.DataFrame],
    *,
    percent_columns: Mapping[str, Iterable[str]] | None = None,
    number_formats: Mapping[str, Mapping[str, str]] | None = None,
    cell_formats: Mapping[str, Mapping[str, Sequence[str | None]]] | None = None,
    titles: Mapping[str, str] | None = None,
    highlight: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """One sheet per entry of ``sheets`` (names made Excel-valid), written atomically with openpyxl.

    Headers are the frame's columns (bold, frozen), column widths fit the content (CJK counts double,
    capped at 50), ``percent_columns[sheet]`` get ``0.0%``, ``number_formats[sheet][column]`` overrides a
    column's format, datetimes show as ``yyyy-mm-dd`` (``yyyy-mm-dd hh:mm`` when a value has a time).
    ``cell_formats[sheet][column]`` gives one format per row (None: the column's), for columns mixing
    kinds (a summary with counts and rates). ``titles[sheet]`` adds a bold title row above the header.
    All option mappings are keyed by the names used in ``sheets``; a frame longer than Excel's 1,048,576
    rows continues on sheets ``<name>_2``, ``<name>_3`` …. Text cells are neutralised and always stored
    as strings; numbers stay numbers (integers beyond 15 digits become text, as Excel would lose
    digits). The frame index is not written. ``highlight[sheet]`` maps a cell text to a fill colour
    (hex, e.g. ``{"√": "C6EFCE"}``), applied as conditional formatting over the data.
    """
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    if not sheets:
        raise ValueError("write_xlsx needs at least one sheet")
    percent_columns = percent_columns or {}
    number_formats = number_formats or {}
    titles = titles or {}
    highlight = highlight or {}
    cell_formats = cell_formats or {}
    parts: list[tuple[str, str, pd.DataFrame, int]] = []  # (option key, wanted name, rows, first row)
    for key, df in sheets.items():
        room = _EXCEL_MAX_ROWS - (2 if titles.get(key) else 1)
        for k, start in enumerate(range(0, max(len(df), 1), room), start=1):
            parts.append((key, key if k == 1 else f"{key}_{k}", df.iloc[start : start + room], start))
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    title_font = Font(bold=True, size=14)
    header_align = Alignment(vertical="center", wrap_text=False)
    names = sanitize_sheet_names(name for _, name, _, _ in parts)
    for (key, _, df, first), safe_name in zip(parts, names, strict=True):
        ws = wb.create_sheet(title=safe_name)
        percents = {str(c) for c in percent_columns.get(key, ())}
        formats = {str(c): f for c, f in number_formats.get(key, {}).items()}
        per_cell = {str(c): list(f) for c, f in cell_formats.get(key, {}).items()}
        headers = [_clean_text(_header_text(c)) for c in df.columns]
        columns: list[_Column] = []
        for i, raw_header in enumerate(_header_text(c) for c in df.columns):
            fmt = formats.get(raw_header) or (PERCENT_FORMAT if raw_header in percents else None)
            values, fmt = _convert(df.iloc[:, i], fmt)
            rows = per_cell[raw_header][first : first + len(df)] if raw_header in per_cell else None
            width_fmt = next((f for f in rows or () if f), fmt)
            columns.append(_Column(values, fmt, _column_width(headers[i], values, width_fmt), rows))
        for i, col in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        title = titles.get(key)
        header_row = 2 if title else 1
        if df.shape[1]:
            ws.freeze_panes = f"A{header_row + 1}"
        if title:
            ws.append([_string_cell(ws, _clean_text(str(title)), title_font)])
        header_cells = []
        for text in headers:
            cell = _string_cell(ws, text, bold)
            cell.alignment = header_align
            header_cells.append(cell)
        ws.append(header_cells)
        _append_rows(ws, columns)
        if highlight.get(key) and df.shape[1] and len(df):
            area = f"A{header_row + 1}:{get_column_letter(df.shape[1])}{header_row + len(df)}"
            for text, color in highlight[key].items():
                literal = '"' + str(text).replace('"', '""') + '"'
                fill = PatternFill("solid", start_color=color, end_color=color)
                ws.conditional_formatting.add(
                    area, CellIsRule(operator="equal", formula=[literal], fill=fill)
                )
    with atomic_output(path) as tmp:
        wb.save(tmp)


def _append_rows(ws: Any, columns: list[_Column]) -> None:
    """Stream the data rows; formatted columns reuse one styled cell each (written immediately)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    if not columns:
        return
    styled: list[tuple[int, WriteOnlyCell]] = []
    per_cell = [(j, col.formats) for j, col in enumerate(columns) if col.formats is not None]
    for j, col in enumerate(columns):
        if col.fmt is not None and col.formats is None:
            template = WriteOnlyCell(ws)
            template.number_format = col.fmt
            styled.append((j, template))
    errors = ERROR_CODES
    text_cols = [
        j for j, col in enumerate(columns) if any(isinstance(v, str) and v in errors for v in col.values)
    ]
    append = ws.append
    for i, values in enumerate(zip(*(col.values for col in columns), strict=True)):
        row = list(values)
        for j, formats in per_cell:
            value = row[j]
            fmt = formats[i] if i < len(formats) else None
            fmt = fmt or columns[j].fmt
            if value is not None and (fmt is not None or isinstance(value, str)):
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                if fmt is not None:
                    cell.number_format = fmt
                row[j] = cell
        for j, template in styled:
            value = row[j]
            if value is not None:
                template.value = value
                if isinstance(value, str):
                    template.data_type = "s"
                row[j] = template
        for j in text_cols:
            value = row[j]
            if isinstance(value, str) and value in errors:  # "#N/A" text must not become an error cell
                row[j] = _string_cell(ws, value)
        append(row)
