"""User-facing errors: one Chinese paragraph naming the file, sheet, row and column where they apply."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Location:
    """Where a problem sits, as the analyst sees it in Excel (rows are 1-based)."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件“{self.file}”")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "，".join(parts)


class AnalysisError(Exception):
    """An error caused by input or configuration; its message is shown to the analyst as is."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = self.message
        if self.location is not None and self.location.describe():
            text = f"{self.location.describe()}：{text}"
        if self.hint:
            text = f"{text}。{self.hint}" if not text.endswith("。") else f"{text}{self.hint}"
        return text


class InputFileError(AnalysisError):
    """A raw export that cannot be used at all (empty, encrypted, not a spreadsheet, no header)."""


class ConfigError(AnalysisError):
    """config/town.yml (or another YAML file) is missing or malformed."""


class MissingDataError(AnalysisError):
    """Processed data for a year is absent: tells which command to run."""


class ProcessedDataError(AnalysisError):
    """A processed folder that fails its manifest check (a table missing, truncated, altered, of another
    year or of another table): nothing read from it can be trusted; tells to run ``ingest`` again."""


class OutOfMemory(AnalysisError):
    """The machine ran out of memory (``MemoryError``, pyarrow's or DuckDB's): says what to do."""


def write_internal_log(text: str) -> Path:
    """Save an internal error's details for the maintainers and return the file: one file per run, named
    with the time and the process id, in the user's cache folder (``<cache>/logs``), so that two runs
    (or two users) never overwrite each other's log. Falls back to a per-user temporary folder."""
    import getpass
    import tempfile
    import time

    from analysis.common.paths import cache_dir

    name = f"error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment
        user = "user"
    folders = [cache_dir() / "logs", Path(tempfile.gettempdir()) / f"tuanwei-analysis-{user}"]
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(text)
            return path
        except OSError:
            continue
    raise OSError(f"cannot write an error log in {folders}")


class GapsFound(Exception):
    """The completeness gate stopped ``run`` before publishing (exit 4); the message lists the gaps."""
