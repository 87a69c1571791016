"""Shared test set-up: an isolated per-session secret, the agg backend, and the sample town."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "agg")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _isolated_secret(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pseudonym keys come from a per-session secret, never the user's own."""
    if "TUANWEI_SECRET_FILE" not in os.environ:
        os.environ["TUANWEI_SECRET_FILE"] = str(tmp_path_factory.mktemp("secret") / "secret.key")


@pytest.fixture(scope="session")
def sample_processed(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The sample town's 2021 and 2022 ingested into a temporary processed folder (once per session)."""
    from analysis import paths
    from analysis.config import load_config
    from analysis.ingest.pipeline import ingest_year, write_processed

    config = load_config(paths.SAMPLE_CONFIG)
    base = tmp_path_factory.mktemp("processed")
    out = {}
    for year in (2021, 2022):
        folder = base / str(year)
        write_processed(ingest_year(paths.SAMPLE_DIR / str(year), config, year), folder)
        out[year] = folder
    return out


@pytest.fixture(scope="session")
def sample_catalogue(sample_processed: dict[int, Path]):
    """The sample town's 2022 catalogue (with 2021 for year-over-year), computed once per session."""
    from analysis import load, paths
    from analysis.config import load_config
    from analysis.indicators.catalogue import compute

    config = load_config(paths.SAMPLE_CONFIG)
    return compute(
        load.processed(sample_processed[2022], 2022),
        config,
        2022,
        load.processed(sample_processed[2021], 2021),
    )
