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
