"""Keeping processed data in step with the raw exports: ingest when (and only when) something changed,
check that the data belong to the year asked for, and write the processed folder so that a fault (full
disk, no permission, a killed run) never leaves it half-written or blocks the next run."""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.codegraph import INGEST, code_fingerprint
from analysis.common import faults
from analysis.common.config import TownConfig
from analysis.common.errors import AnalysisError, MissingDataError, ProcessedDataError
from analysis.common.paths import INGEST_REPORT, YearPaths
from analysis.ingest.filecache import DIR_NAME as CACHE_DIR
from analysis.ingest.filecache import FileCache
from analysis.ingest.pipeline import (
    IngestResult,
    config_fingerprint,
    file_sha256,
    ingest_year,
    raw_files,
    write_processed,
)
from analysis.processed import load
from analysis.safety import locks, privacy

# The dated tables of a year and their date column: the year's data should mostly fall in that year.
YEAR_DATES = {
    "study_records": "recorded_at",
    "activities": "date",
    "cadre_checkins": "month",
    "aid": "date",
    "activity_participants": "date",
}
PROCESSED_LEFTOVERS = (".tmp", ".old")  # what pipeline.write_processed leaves when it is cut short


def raw_fingerprint(raw_dir: Path) -> list[dict[str, object]]:
    """Each raw export's name (as stored: identifiers in a file name masked), sha256 and size."""
    return [
        {
            "file": privacy.scrub_stored_text(p.relative_to(raw_dir).as_posix()),
            "sha256": file_sha256(p),
            "bytes": p.stat().st_size,
        }
        for p in raw_files(raw_dir)
    ]


PROCESSED_WHO = "导入或报告生成任务"  # who holds a processed folder's lock, as the waiting line says


def processed_lock(
    folder: Path, echo: Callable[[str], None] | None = None
) -> contextlib.AbstractContextManager[None]:
    """The processed folder's lock (locks.py), held by every command that writes it."""
    return locks.folder_lock(folder, PROCESSED_WHO, echo, tidy=True)


def is_current(paths: YearPaths, config: TownConfig) -> bool:
    """True when processed/<Y> was made from exactly these raw files, this configuration and this version."""
    report_file = paths.processed / INGEST_REPORT
    if not report_file.is_file():
        return False
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and (
        report.get("version") == __version__
        and report.get("code_sha256") == code_fingerprint(INGEST)
        and report.get("config_sha256") == config_fingerprint(config)
        and report.get("inputs") == raw_fingerprint(paths.raw)
    )


def ensure_processed(
    paths: YearPaths, config: TownConfig, force: bool = False, progress: Callable[[str], None] | None = None
) -> tuple[load.Tables, bool]:
    """Processed tables of the year, ingesting first when needed — when the raw exports, configuration
    or code changed, or when the folder fails its manifest check (a table deleted, truncated, replaced):
    the raw data are at hand, so the run mends it. Holds the folder's lock. Returns (tables, ingested?)."""
    with processed_lock(paths.processed):
        if not force and is_current(paths, config):
            try:
                return load.processed(paths.processed, paths.year), False
            except (MissingDataError, ProcessedDataError):
                pass  # altered since the ingest: ingest again
        ingest(paths, config, progress)
        return load.processed(paths.processed, paths.year), True


def ingest(
    paths: YearPaths, config: TownConfig, progress: Callable[[str], None] | None = None
) -> IngestResult:
    """Ingest the year's raw folder, check the data's dates against the year, write the processed
    folder (the run)."""
    with processed_lock(paths.processed):
        result = read_year(paths, config, progress)
        write_processed_safely(result, paths.processed)
    return result


def file_cache(paths: YearPaths, config: TownConfig) -> FileCache:
    """The per-file cache of the year's processed folder (ingest/filecache.py): an entry holds for one
    file's bytes and name under this configuration, this ingest code, this year and this install's
    pseudonym secret (another secret: other keys)."""
    context = {
        "version": __version__,
        "config_sha256": config_fingerprint(config),
        "code_sha256": code_fingerprint(INGEST),
        "year": int(paths.year),
        "secret": privacy.pseudonym("ingest cache", kind="cache"),  # the pseudonyms' key, not revealed
    }
    return FileCache(paths.processed / CACHE_DIR, context)


def read_year(
    paths: YearPaths, config: TownConfig, progress: Callable[[str], None] | None = None
) -> IngestResult:
    """Ingest the year's raw folder and check the data's dates against the year; nothing written yet."""
    refuse_read_only(paths.processed, "处理后数据文件夹", "--processed")  # before minutes of reading
    result = ingest_year(paths.raw, config, paths.year, progress=progress, cache=file_cache(paths, config))
    check_data_year(result, paths.year, paths.raw)
    return result


@contextlib.contextmanager
def writing_processed(result: IngestResult, folder: Path) -> Iterator[None]:
    """``write_processed_safely`` in a background thread while the block runs: the parquet writer does
    not hold the GIL, so the block's own work (the completeness assessment of ``python -m analysis
    ingest``) overlaps it. Leaving the block waits for the write and raises its error, if any. The block
    must not read the processed folder: it is still the previous one."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="write") as pool:
        job = pool.submit(write_processed_safely, result, folder)
        try:
            yield
        except KeyboardInterrupt as exc:  # Ctrl-C reaches this thread only: the write is never cut short
            wait([job])
            if job.exception() is None:
                exc.notice = WRITTEN_BEFORE_INTERRUPT  # type: ignore[attr-defined]
            raise
        finally:
            wait([job])
        job.result()


WRITTEN_BEFORE_INTERRUPT = "已中断：处理后数据已写入，但完整性检查没有做完（重新运行 ingest 可查看）"


def data_years(tables: Mapping[str, pd.DataFrame | None]) -> Counter[int]:
    """How many dated records (study records, activities, check-ins, aid) fall in each calendar year."""
    counts: Counter[int] = Counter()
    for name, column in YEAR_DATES.items():
        frame = tables.get(name)
        if frame is None or column not in frame.columns:
            continue
        years = pd.to_datetime(frame[column], errors="coerce").dropna().dt.year
        counts.update({int(y): int(n) for y, n in years.value_counts().items()})
    return counts


def check_data_year(result: IngestResult, year: int, raw: Path) -> None:
    """Refuse a year none of whose dated records falls in it (``--year 1990`` on 2022 exports): a clear
    message instead of a report of empty sections (or a crash further on). Sheets the ingest set aside
    as another year's count as dated records of that year."""
    counts = data_years(result.tables)
    set_aside = getattr(result, "set_aside", [])
    if counts.get(year) or (not counts and not set_aside):
        return
    if counts:
        ranked = counts.most_common(3)
        found = "、".join(f"{y} 年 {c:,} 条" for y, c in ranked)
        advice = f"这些看起来是 {ranked[0][0]} 年的数据，可改用 --year {ranked[0][0]}；或"
    else:
        first = set_aside[0]
        where = first["file"] + (f"（{first['sheet']}）" if first.get("sheet") else "")
        found = f"{len(set_aside)} 个工作表整表属于其他年度，例如{where}：{first['message']}"
        advice = ""
    raise AnalysisError(
        f"{raw} 中的导出数据没有一条日期在 {year} 年（{found}），与所选年份 {year} 不符",
        hint=f"请确认年份和文件夹是否写对：{advice}把 {year} 年的导出文件放到该年份的文件夹中。",
    )


def _sibling(folder: Path, suffix: str) -> Path:
    return folder.parent / f".{folder.name}{suffix}"


def recover_leftovers(folder: Path, suffixes: tuple[str, ...]) -> None:
    """Before writing ``folder`` again: a run killed between the two renames of a swap left the previous
    version as ``.<name>.old`` and no ``folder`` — put it back; then remove every leftover temporary
    folder (even read-only ones). Leftovers are never a reason to fail."""
    old = _sibling(folder, ".old")
    if not os.path.lexists(folder) and old.is_dir():
        with faults.writing(folder):
            os.replace(old, folder)
    for suffix in suffixes:
        faults.remove_tree(_sibling(folder, suffix))


def refuse_read_only(folder: Path, label: str, flag: str) -> None:
    """A folder (or its parent, when it does not exist yet) marked read-only is not written into."""
    target = folder if folder.exists() else next((p for p in folder.parents if p.exists()), folder)
    if faults.read_only_marked(target):
        raise AnalysisError(
            f"{label} {target} 是只读的，无法写入",
            hint=f"请取消该文件夹的只读属性（或确认有写入权限），或用 {flag} 指定另一个文件夹。",
        )


def write_processed_safely(result: IngestResult, folder: Path) -> None:
    """pipeline.write_processed under the folder's lock, with faults named (path, what to do), leftovers
    of a killed run cleaned first, and on any failure its temporary folder removed and the previous data
    put back."""
    with processed_lock(folder):
        recover_leftovers(folder, PROCESSED_LEFTOVERS)
        try:
            with faults.writing(folder):
                write_processed(result, folder)
        except BaseException:
            faults.remove_tree(_sibling(folder, ".tmp"))
            old = _sibling(folder, ".old")
            if not os.path.lexists(folder) and old.is_dir():
                os.replace(old, folder)
            raise
