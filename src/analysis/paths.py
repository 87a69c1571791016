"""The one module that knows where things live: project root, data folders, reports, notebooks."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "resources"


def _find_root() -> Path:
    env = os.environ.get("TUANWEI_ROOT")
    if env:
        return Path(env).resolve()
    candidate = PACKAGE_DIR.parents[1]  # src/analysis -> project root (editable install)
    if (candidate / "pyproject.toml").is_file() and (candidate / "notebooks").is_dir():
        return candidate
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir() and (folder / "config").is_dir():
            return folder
    return here


ROOT = _find_root()
CONFIG_FILE = ROOT / "config" / "town.yml"
NOTEBOOKS_DIR = ROOT / "notebooks"
SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_CONFIG = SAMPLE_DIR / "town.yml"
SAMPLE_YEAR = 2022


def resolve(path: str | os.PathLike[str]) -> Path:
    """A path as given by the analyst: absolute as is, relative to the project root otherwise."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (ROOT / p)


@dataclass(frozen=True)
class YearPaths:
    """Folders of one report year (contracts.md, "Folders")."""

    year: int
    raw: Path
    processed: Path
    reports: Path
    config: Path

    def previous(self) -> YearPaths | None:
        """The same layout for year − 1 when its raw folder sits next to this year's.

        Its processed data go to a sibling named Y−1 only when this year's processed folder is itself
        named Y (data/processed/2022 → data/processed/2021); otherwise inside this year's processed
        folder (--processed X/out → X/out/2021), never next to it where a raw folder may live
        (contracts.md, "Where a run writes")."""
        prev_raw = self.raw.parent / str(self.year - 1)
        if not prev_raw.is_dir():
            return None
        name = str(self.year - 1)
        sibling = self.processed.name == str(self.year)
        return YearPaths(
            year=self.year - 1,
            raw=prev_raw,
            processed=self.processed.parent / name if sibling else self.processed / name,
            reports=self.reports.parent / name
            if self.reports.name == str(self.year)
            else self.reports / name,
            config=self.config,
        )


def year_paths(
    year: int,
    raw: str | os.PathLike[str] | None = None,
    processed: str | os.PathLike[str] | None = None,
    reports: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
) -> YearPaths:
    """Defaults of contracts.md: data/raw/Y, data/processed/Y, reports/Y, config/town.yml."""
    return YearPaths(
        year=year,
        raw=resolve(raw) if raw else ROOT / "data" / "raw" / str(year),
        processed=resolve(processed) if processed else ROOT / "data" / "processed" / str(year),
        reports=resolve(reports) if reports else ROOT / "reports" / str(year),
        config=resolve(config) if config else CONFIG_FILE,
    )


def sample_paths(year: int = SAMPLE_YEAR) -> YearPaths:
    """The bundled synthetic sample town: data/sample/Y → data/processed/sample/Y → reports/sample/Y."""
    return YearPaths(
        year=year,
        raw=SAMPLE_DIR / str(year),
        processed=ROOT / "data" / "processed" / "sample" / str(year),
        reports=ROOT / "reports" / "sample" / str(year),
        config=SAMPLE_CONFIG,
    )


INGEST_SOURCES = ("ingest", "resources", "schemas.py", "config.py", "privacy.py", "guard.py", "membership.py")
REPORT_EXCLUDES = ("query", "county", "docs.py", "audit.py", "cli.py")


def package_hash(only: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> str:
    """Hash of the package's source (code and resources) — or of the parts a step depends on — so that
    new code re-does exactly what it may affect (an edit to the sample generator re-ingests nothing)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix not in (".py", ".yml") or "__pycache__" in path.parts:
            continue
        top = path.relative_to(PACKAGE_DIR).parts[0]
        if (only and top not in only) or top in exclude:
            continue
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
