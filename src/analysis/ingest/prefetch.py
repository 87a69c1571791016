"""Large xlsx exports parsed in a background thread while the program is still starting: the checks of
guard.py and fastexcel's parse of the cells (which releases the GIL) overlap the second or so that
importing pandas and the rest of the ingest takes. The reader then takes the parsed sheets instead of
parsing again; any problem is left for the reader to find and report as usual.

Imports nothing heavy: it is started before the ingest modules are imported.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.safety import guard

COLUMNAR_BYTES = 2 * 1024 * 1024
"""xlsx files from this size on (bulk exports such as monthly 青年大学习 records) are read column-wise into
Arrow strings (fastexcel), about twice as fast and with a fraction of the memory of per-cell Python
objects. Smaller files (rosters, ledgers: where number-typed cells such as 6.3 or 2019.1 carry meaning) keep
python-calamine's typed cells."""
SUPPORTED = {".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods", ".csv", ".htm", ".html", ".zip"}
"""Raw file suffixes read (the reader goes by content; a .zip of exports is read member by member)."""


FOLLOW_LINKS_ENV = "TUANWEI_FOLLOW_LINKS"  # "1": read links to files outside the raw folder (--follow-links)


@dataclass(frozen=True)
class RawLink:
    """A file of the raw folder that is a symbolic link (or lies in a linked folder)."""

    name: str  # as the import table shows files: relative to the raw folder
    target: Path  # where it points (resolved)
    outside: bool  # the target lies outside the raw folder
    read: bool  # read by the ingest (a link inside; one outside only with --follow-links)


def follow_links() -> bool:
    return os.environ.get(FOLLOW_LINKS_ENV) == "1"


def _candidates(raw_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and not p.name.startswith(("~$", ".")) and p.suffix.lower() in SUPPORTED
    )


def _link_target(path: Path, raw_dir: Path, root: Path) -> Path | None:
    """Where ``path`` really is when it (or a folder on its way) is a link; None for a plain file.
    ``root``: the raw folder's real path."""
    target = Path(os.path.realpath(path))
    return None if target == root / path.relative_to(raw_dir) else target


def _outside(target: Path, root: Path) -> bool:
    return not (target == root or root in target.parents)


def raw_links(raw_dir: Path) -> list[RawLink]:
    """The links among the raw folder's exports, with their targets and whether they are read."""
    if not raw_dir.is_dir():
        return []
    root = Path(os.path.realpath(raw_dir))
    out = []
    for path in _candidates(raw_dir):
        target = _link_target(path, raw_dir, root)
        if target is not None:
            outside = _outside(target, root)
            name = path.relative_to(raw_dir).as_posix()
            out.append(RawLink(name, target, outside, not outside or follow_links()))
    return out


def raw_files(raw_dir: Path) -> list[Path]:
    """Spreadsheet exports and zips of them under raw_dir (sub-folders included; Office lock files and
    hidden files skipped). A link to a file outside raw_dir is left out unless links are followed
    (``--follow-links``): the analyst's folder is what the numbers come from."""
    if not raw_dir.is_dir():
        return []
    files = _candidates(raw_dir)
    if follow_links():
        return files
    root = Path(os.path.realpath(raw_dir))
    return [p for p in files if (t := _link_target(p, raw_dir, root)) is None or not _outside(t, root)]


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


def drop(path: Path) -> None:
    """Forget the prefetch of ``path`` (its reading came from the per-file cache): not parsed when it has
    not begun."""
    for key in [k for k in _jobs if k[0] == path.resolve()]:
        _jobs.pop(key).cancel()


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
