"""What a notebook (or the run) opens for a year: configuration, processed tables (ingested when the
raw exports changed), last year's tables when present, and the indicator catalogue (computed once,
cached next to the processed data)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis import load, paths
from analysis.config import TownConfig, load_config
from analysis.indicators import catalogue as cat_mod
from analysis.indicators.catalogue import Catalogue
from analysis.ingest.pipeline import config_fingerprint
from analysis.paths import CATALOGUE_DIR
from analysis.workspace import ensure_processed

STAGING_ENV = "TUANWEI_REPORTS_STAGING"  # "<reports dir><os.pathsep><staging dir>" while a run executes


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


def open_year(
    year: str | int,
    raw_dir: str,
    processed_dir: str,
    reports_dir: str,
    config_path: str,
) -> YearContext:
    """The notebooks' entry point: paths as strings (papermill parameters), relative to the project root."""
    reports = paths.resolve(reports_dir)
    redirect = os.environ.get(STAGING_ENV, "")
    orchestrated = False
    if redirect:
        final, staging = redirect.split(os.pathsep, 1)
        if Path(final).resolve() == reports.resolve():
            reports, orchestrated = Path(staging), True  # the yearly run writes into its staging folder
    yp = paths.YearPaths(
        year=int(year),
        raw=paths.resolve(raw_dir),
        processed=paths.resolve(processed_dir),
        reports=reports,
        config=paths.resolve(config_path),
    )
    return build_context(yp, orchestrated=orchestrated)
