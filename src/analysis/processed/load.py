"""Reading processed data back: the canonical tables of a year as one object."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.common import paths, schemas
from analysis.common.errors import MissingDataError, ProcessedDataError
from analysis.processed import pairs, processed_folder
from analysis.processed.membership import Membership
from analysis.safety import locks


@dataclass
class Tables:
    """Canonical tables of one year; a table whose export was absent is None.

    Tables are parsed on first use, so opening a year costs little until a table is needed. Opened with
    ``processed`` they come from the verified snapshot of the folder (the bytes its manifest was checked
    against), never from files that changed since.
    """

    year: int
    folder: Path
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    snapshot: processed_folder.Snapshot | None = field(default=None, repr=False)
    _periods: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False)

    def get(self, name: str) -> pd.DataFrame | None:
        if name not in self.frames:
            frame = self._read(name)
            if frame is None:
                return None
            self.frames[name] = frame
        return self.frames[name]

    def preload(self, name: str, columns: list[str]) -> None:
        """Read only some columns of a large table (a query needs 5 of the 15 study columns); later
        look-ups of that table return this projection."""
        if name not in self.frames:
            frame = self._read(name, columns)
            if frame is not None:
                self.frames[name] = frame

    def _read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame | None:
        if self.snapshot is not None:
            return self.snapshot.read(name, columns)
        path = self.folder / f"{name}.parquet"  # an unverified folder (load.processed(verify=False))
        if not path.is_file():
            return None
        try:
            return pd.read_parquet(path, columns=columns)
        except Exception as exc:  # pyarrow's errors: a damaged or foreign file
            raise ProcessedDataError(
                f"{path} 无法读取（{type(exc).__name__}）",
                hint="请重新运行 python -m analysis ingest 导入该年数据。",
            ) from None

    @property
    def digest(self) -> str:
        """What the tables are: the manifest's hash of them (the report's time when unverified)."""
        return self.snapshot.digest if self.snapshot is not None else str(self.report.get("generated_at"))

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name in schemas.TABLES:
            return self.get(name)
        raise AttributeError(name)

    @cached_property
    def membership(self) -> Membership:
        members = self.get("members")
        if members is None:
            members = schemas.empty("members")
        return Membership.build(members, self.get("transfers"))

    def study_periods(self, year: int) -> pd.DataFrame | None:
        """``pairs.study_periods`` of the study records for Y, computed once (the catalogue
        and the completeness checks all need them); None without study records."""
        records = self.get("study_records")
        if records is None:
            return None
        if year not in self._periods:
            self._periods[year] = pairs.study_periods(records, year)
        return self._periods[year]


def processed(folder: str | Path, year: int | None = None, *, verify: bool = True) -> Tables:
    """Load data/processed/<Y>/ (written by ``python -m analysis ingest``), verified against its manifest
    (processed_folder.py): a folder that fails is a ``ProcessedDataError`` saying to ingest again.
    While another command holds the folder's lock (an ingest replacing it), the check waits for it
    and looks again. ``verify=False``: an unchecked folder (a hand-made one in a test)."""
    folder = Path(folder)
    try:
        return _open(folder, year, verify)
    except (MissingDataError, ProcessedDataError):
        if not locks.wait_for_writer(folder):
            raise
    return _open(folder, year, verify)


def _open(folder: Path, year: int | None, verify: bool) -> Tables:
    report_file = folder / paths.INGEST_REPORT
    shown = year if year is not None else folder.name
    hint = (
        ingest_hint(folder, year) if year is not None else "请先运行 python -m analysis ingest 导入该年数据。"
    )
    if not report_file.is_file() and not (folder / paths.PROCESSED_MANIFEST).is_file():
        raise MissingDataError(f"找不到 {shown} 年的已处理数据（{folder}）", hint=hint)
    if not verify:
        report = json.loads(report_file.read_text(encoding="utf-8"))
        return Tables(year=int(report.get("year", year or 0)), folder=folder, report=report)
    hint = hint.replace("请先运行", "请重新运行", 1)
    snapshot = processed_folder.verify(folder, year, hint)
    return Tables(year=snapshot.year, folder=folder, report=snapshot.report, snapshot=snapshot)


def ingest_hint(folder: Path, year: int) -> str:
    """What to run so that ``folder`` holds year ``year``'s processed data — a command that works as
    printed: the sample town's folder needs ``--sample``, another folder ``--processed``, and a year
    without raw exports needs the exports first."""
    folder = Path(folder).resolve()
    sample = paths.sample_paths(year)
    if folder == sample.processed.resolve() and sample.raw.is_dir():
        command = "python -m analysis ingest --sample" + (
            "" if year == paths.SAMPLE_YEAR else f" --year {year}"
        )
        make = "make ingest" if year == paths.SAMPLE_YEAR else None
    else:
        default = paths.year_paths(year)
        command = f"python -m analysis ingest --year {year}"
        make = f"make ingest YEAR={year}"
        if folder != default.processed.resolve():
            command += f" --processed {_quoted(folder)}"
            make = None
        if not default.raw.is_dir():
            return f"请先把 {year} 年的导出文件放到 {default.raw}，再运行：{command}。"
    return f"请先运行：{command}" + (f"（或 {make}）。" if make else "。")


def _quoted(path: Path) -> str:
    return f'"{path}"' if " " in str(path) else str(path)
