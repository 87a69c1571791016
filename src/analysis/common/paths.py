"""The one module that knows where things live: project root, data folders, reports, notebooks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
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


# What the suite writes: file and folder names, in one place (docs/definitions.md, section 1).
# data/processed/<Y>/
INGEST_REPORT = "ingest_report.json"
REJECTED_ROWS = "rejected_rows.xlsx"
CATALOGUE_DIR = "catalogue"  # the indicator catalogue, cached next to the processed tables
CATALOGUE_META = "catalogue.json"
INGEST_CACHE_DIR = "ingest_cache"  # each raw file's reading, kept for the next ingest (ingest/filecache.py)
PROCESSED_MANIFEST = "processed_manifest.json"  # written last by ingest: tables, sizes, hashes, year
# reports/<Y>/
INDICATORS_JSON = "indicators.json"
INDICATORS_XLSX = "indicators.xlsx"
SUMMARY_DOCX = "summary.docx"
MANIFEST = "manifest.json"
FIGURES_DIR = "figures"
NOTEBOOKS_OUT_DIR = "notebooks"  # the executed notebooks and their HTML copies
SECTIONS_DIR = "sections"  # what each notebook gives the summary document
FAILED_NOTEBOOKS_SUFFIX = "-出错的笔记本"  # reports/<Y>-出错的笔记本/: a failed notebook kept for the analyst
# reports/<Y>/通报/<期次 | 2022Q2 | 2022年5月>/: one 青年大学习 bulletin (python -m analysis bulletin)
BULLETIN_DIR = "通报"
BULLETIN_DOCX = "通报.docx"
BULLETIN_PNG = "排名.png"
BULLETIN_XLSX = "待学习名单.xlsx"
PROCESSED_OUTPUTS = (INGEST_REPORT, REJECTED_ROWS, CATALOGUE_DIR, PROCESSED_MANIFEST, INGEST_CACHE_DIR)
REPORT_OUTPUTS = (
    MANIFEST,
    INDICATORS_JSON,
    INDICATORS_XLSX,
    SUMMARY_DOCX,
    FIGURES_DIR,
    SECTIONS_DIR,
    NOTEBOOKS_OUT_DIR,
    BULLETIN_DIR,  # kept when the yearly run replaces the report (report/run.py)
)


QUERY_DIR = "查询"  # reports/查询/: query answers written without --output


def query_dir() -> Path:
    """Where query answers go when no --output is given (beside the yearly reports, never the repository root)."""
    return ROOT / "reports" / QUERY_DIR


def cache_dir() -> Path:
    """The per-user cache folder (fonts, error logs): ``$TUANWEI_CACHE_DIR`` if set, else the platform's
    user cache dir."""
    env = os.environ.get("TUANWEI_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("tuanwei-analysis", appauthor=False))


def resolve(path: str | os.PathLike[str]) -> Path:
    """A path as given by the analyst: absolute as is, relative to the project root otherwise."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (ROOT / p)


@dataclass(frozen=True)
class YearPaths:
    """Folders of one report year (docs/definitions.md, section 1)."""

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
        (docs/definitions.md, section 1)."""
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
    """The default folders (docs/definitions.md, section 1): data/raw/Y, data/processed/Y, reports/Y, config/town.yml."""
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
