"""What a notebook (or the run) opens for a year: configuration, processed tables (ingested when the
raw exports changed), last year's tables when present, and the indicator catalogue (computed once,
cached next to the processed data)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from analysis.common import paths
from analysis.common.config import TownConfig, load_config
from analysis.common.paths import CATALOGUE_DIR
from analysis.indicators import catalogue as cat_mod
from analysis.indicators.catalogue import Catalogue
from analysis.ingest.pipeline import config_fingerprint
from analysis.processed import load
from analysis.processed.workspace import ensure_processed, processed_lock
from analysis.report.notebook_runner import RUNNER_ENV

STAGING_ENV = "TUANWEI_REPORTS_STAGING"  # "<reports dir><os.pathsep><staging dir>" while a run executes
INTERACTIVE_DIR = "交互运行"  # reports/交互运行/<…>: what notebooks run by hand write


@dataclass
class YearContext:
    paths: paths.YearPaths
    config: TownConfig
    tables: load.Tables
    previous: load.Tables | None
    catalogue: Catalogue
    catalogue_fingerprint: str

    @property
    def year(self) -> int:
        return self.paths.year

    @property
    def reports_dir(self) -> Path:
        return self.paths.reports


def build_context(yp: paths.YearPaths, force: bool = False, orchestrated: bool = False) -> YearContext:
    """Ingest (if needed) this year and last year, and compute (or load) the catalogue.

    ``orchestrated``: called from a notebook that the yearly run is executing — the run has just made
    the processed data and the catalogue current, so nothing is re-checked or written (notebooks run
    side by side must never ingest at the same time)."""
    config = load_config(yp.config)
    prev_paths = yp.previous()
    if orchestrated:
        return _context(yp, config, prev_paths, force, orchestrated)
    # the processed folders are written here (an ingest, the catalogue cache): under their locks
    folders = [yp.processed] + ([prev_paths.processed] if prev_paths is not None else [])
    with contextlib.ExitStack() as held:
        for folder in sorted(folders, key=lambda p: str(p.resolve())):
            held.enter_context(processed_lock(folder))
        return _context(yp, config, prev_paths, force, orchestrated)


def _context(
    yp: paths.YearPaths,
    config: TownConfig,
    prev_paths: paths.YearPaths | None,
    force: bool,
    orchestrated: bool,
) -> YearContext:
    if orchestrated:
        tables = load.processed(yp.processed, yp.year)
        previous = load.processed(prev_paths.processed, prev_paths.year) if prev_paths is not None else None
    else:
        tables, _ = ensure_processed(yp, config, force=force)
        previous = ensure_processed(prev_paths, config, force=force)[0] if prev_paths is not None else None
    folder = yp.processed / CATALOGUE_DIR
    stored = Catalogue.stored_fingerprint(folder) if orchestrated else None  # the run's, just saved
    fingerprint = stored or cat_mod.fingerprint(tables, config_fingerprint(config), previous)
    catalogue = None if force else Catalogue.load(folder, fingerprint)
    if catalogue is None:
        catalogue = cat_mod.compute(tables, config, yp.year, previous)
        if not orchestrated:
            catalogue.save(folder, fingerprint)
    return YearContext(yp, config, tables, previous, catalogue, fingerprint)


def interactive_folder(reports: Path) -> Path:
    """Where a notebook run by hand writes instead of ``reports``: reports/交互运行/<the same relative
    path> for a folder under the project's reports/ (reports/sample/2022 → reports/交互运行/sample/2022),
    else a 交互运行 folder beside it. A published report is only ever replaced whole by the yearly run."""
    base = paths.ROOT / "reports"
    resolved = reports.resolve()
    try:
        relative = resolved.relative_to(base.resolve())
    except ValueError:
        return resolved.parent / INTERACTIVE_DIR / resolved.name
    if relative.parts[:1] == (INTERACTIVE_DIR,):
        return resolved  # asked for the scratch folder itself
    return base / INTERACTIVE_DIR / relative


def open_year(
    year: str | int,
    raw_dir: str,
    processed_dir: str,
    reports_dir: str,
    config_path: str,
) -> YearContext:
    """The notebooks' entry point: paths as strings (papermill parameters), relative to the project root.

    Where the notebook writes its figures and section: the yearly run's staging folder when the run
    executes it (``STAGING_ENV``); ``reports_dir`` when the notebook runner was given the parameters
    (``RUNNER_ENV``); otherwise — a notebook run by hand in JupyterLab — `interactive_folder`, never
    the published report."""
    reports = paths.resolve(reports_dir)
    redirect = os.environ.get(STAGING_ENV, "")
    orchestrated = False
    if redirect:
        final, staging = redirect.split(os.pathsep, 1)
        if Path(final).resolve() == reports.resolve():
            reports, orchestrated = Path(staging), True  # the yearly run writes into its staging folder
    if not orchestrated and not os.environ.get(RUNNER_ENV):
        reports = interactive_folder(reports)
    yp = paths.YearPaths(
        year=int(year),
        raw=paths.resolve(raw_dir),
        processed=paths.resolve(processed_dir),
        reports=reports,
        config=paths.resolve(config_path),
    )
    return build_context(yp, orchestrated=orchestrated)
