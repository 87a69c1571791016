"""Large xlsx exports parsed in a background thread while the program is still starting: the checks of
guard.py and fastexcel's parse of the cells (which releases the GIL) overlap the second or so that
importing pandas and the rest of the ingest takes. The reader then takes the parsed sheets instead of
parsing again; any problem is left for the reader to find and report as usual.

Imports nothing heavy: it is started before the ingest modules are imported.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from analysis import guard

COLUMNAR_BYTES = 2 * 1024 * 1024
"""xlsx files from this size on (bulk exports such as monthly 青年大学习 records) are read column-wise into
Arrow strings (fastexcel), about twice as fast and with a fraction of the memory of per-cell Python
objects. Smaller files (rosters, ledgers: where number-typed cells such as 6.3 or 2019.1 carry meaning) keep
python-calamine's typed cells."""
SUPPORTED = {".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods", ".csv", ".htm", ".html", ".zip"}
"""Raw file suffixes read (the reader goes by content; a .zip of exports is read member by member)."""


def raw_files(raw_dir: Path) -> list[Path]:
    """Spreadsheet exports and zips of them under raw_dir (sub-folders included; Office lock files and
    hidden files skipped)."""
    if not raw_dir.is_dir():
        return []
    return sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and not p.name.startswith(("~$", ".")) and p.suffix.lower() in SUPPORTED
    )


_pool: ThreadPoolExecutor | None = None
Parsed = tuple[guard.MergedRanges, list[tuple[str, Any]]]
"""A checked and parsed workbook: its merged ranges (from the extent check) and its fastexcel sheets."""
_jobs: dict[tuple[Path, guard.Limits], Future[Parsed | None]] = {}


def start(raw_dir: Path, limits: guard.Limits) -> None:
    """Begin parsing the large xlsx files under ``raw_dir`` (one at a time, in file order).

    The first file is checked here, in the calling thread, before the program goes on importing: the
    checks hold the GIL, so in the background they would only slow the imports down and delay the parse
    (which does not hold it) by as much."""
    global _pool
    files = [
        p
        for p in raw_files(raw_dir)
        if p.suffix.lower() in (".xlsx", ".xlsm", ".xls") and p.stat().st_size >= COLUMNAR_BYTES
    ]
    if not files:
        return
    _pool = _pool or ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
    first, *rest = files
    try:
        merged = _check(first, limits)
    except Exception:  # the reader checks the file again and reports the problem with its own message
        merged = None
    if merged is not None:
        _jobs[(first.resolve(), limits)] = _pool.submit(_parse, first, merged)
    for path in rest:
        _jobs[(path.resolve(), limits)] = _pool.submit(_check_and_parse, path, limits)


def _check(path: Path, limits: guard.Limits) -> guard.MergedRanges | None:
    """The reader's checks (None: not a large xlsx after all; the reader handles it)."""
    info = guard.check_file(path, limits, name=path.name)
    if info.format != "xlsx" or info.size < COLUMNAR_BYTES:
        return None
    return guard.check_sheet_extents(path, limits, name=path.name)


def _parse(path: Path, merged: guard.MergedRanges) -> Parsed:
    """Every sheet of a checked file parsed (fastexcel sheets, not yet converted)."""
    import fastexcel

    reader = fastexcel.read_excel(path.read_bytes())
    sheets = [
        (name, reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string"))
        for name in reader.sheet_names
    ]
    return merged, sheets


def _check_and_parse(path: Path, limits: guard.Limits) -> Parsed | None:
    merged = _check(path, limits)
    return None if merged is None else _parse(path, merged)


def take(path: Path, limits: guard.Limits) -> Parsed | None:
    """The merged ranges and parsed sheets of ``path`` when a prefetch with the same limits succeeded,
    else None (the reader then checks and parses the file itself, and reports any problem)."""
    job = _jobs.pop((path.resolve(), limits), None)
    if job is None:
        return None
    try:
        return job.result()
    except Exception:  # guard refusals and parse errors: the reader raises them with its own message
        return None
