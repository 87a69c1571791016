"""Reading processed data back: the canonical tables of a year as one object."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import schemas
from analysis.errors import MissingDataError
from analysis.membership import Membership


@dataclass
class Tables:
    """Canonical tables of one year; a table whose export was absent is None.

    Tables are read from their parquet files on first use, so opening a year costs nothing until a
    table is needed.
    """

    year: int
    folder: Path
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        if name not in self.frames:
            path = self.folder / f"{name}.parquet"
            if not path.is_file():
                return None
            self.frames[name] = pd.read_parquet(path)
        return self.frames[name]

    def preload(self, name: str, columns: list[str]) -> None:
        """Read only some columns of a large table (a query needs 5 of the 15 study columns); later
        look-ups of that table return this projection."""
        path = self.folder / f"{name}.parquet"
        if name not in self.frames and path.is_file():
            self.frames[name] = pd.read_parquet(path, columns=columns)

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


def processed(folder: str | Path, year: int | None = None) -> Tables:
    """Load data/processed/<Y>/ (written by ``python -m analysis ingest``)."""
    folder = Path(folder)
    report_file = folder / "ingest_report.json"
    if not report_file.is_file():
        shown = year if year is not None else folder.name
        raise MissingDataError(
            f"找不到 {shown} 年的已处理数据（{folder}）",
            hint=f"请先运行：python -m analysis ingest --year {shown}（或 make report）。",
        )
    report = json.loads(report_file.read_text(encoding="utf-8"))
    return Tables(year=int(report.get("year", year or 0)), folder=folder, report=report)
