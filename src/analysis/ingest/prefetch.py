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
SUPPORTED = {".xlsx", ".xlsm", ".xls", ".csv", ".htm", ".html", ".ods", ".et"}


def raw_files(raw_dir: Path) -> list[Path]:
    """Spreadsheet exports under raw_dir (sub-folders included; Office lock files and hidden files skipped)."""
    if not raw_dir.is_dir():
        return []
    return sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and not p.name.startswith(("~$", ".")) and p.suffix.lower() in SUPPORTED
    )


_pool: ThreadPoolExecutor | None = None
_jobs: dict[tuple[Path, guard.Limits], Future[list[tuple[str, Any]] | None]] = {}


def start(raw_dir: Path, limits: guard.Limits) -> None:
    """Begin parsing the large xlsx files under ``raw_dir`` (one at a time, in file order)."""
    global _pool
    files = [
        p
        for p in raw_files(raw_dir)
        if p.suffix.lower() in (".xlsx", ".xlsm", ".xls") and p.stat().st_size >= COLUMNAR_BYTES
    ]
    if not files:
        return
    _pool = _pool or ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
    for path in files:
        _jobs[(path.resolve(), limits)] = _pool.submit(_parse, path, limits)


def _parse(path: Path, limits: guard.Limits) -> list[tuple[str, Any]] | None:
    """The same checks as the reader, then every sheet parsed (fastexcel sheets, not yet converted)."""
    info = guard.check_file(path, limits, name=path.name)
    if info.format != "xlsx" or info.size < COLUMNAR_BYTES:
        return None
    guard.check_sheet_extents(path, limits, name=path.name)
    import fastexcel

    reader = fastexcel.read_excel(path.read_bytes())
    return [
        (name, reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string"))
        for name in reader.sheet_names
    ]


def take(path: Path, limits: guard.Limits) -> list[tuple[str, Any]] | None:
    """The parsed sheets of ``path`` when a prefetch with the same limits succeeded, else None (the reader
    then checks and parses the file itself, and reports any problem)."""
    job = _jobs.pop((path.resolve(), limits), None)
    if job is None:
        return None
    try:
        return job.result()
    except Exception:  # guard refusals and parse errors: the reader raises them with its own message
        return None
