"""Blind dialects: the sample town's year written by hands that never read the recognisers.

Each module in this package registers one writer with :func:`register`. A writer is given the sample town
(the model of :mod:`tuanwei_sample.model`), a year and an empty folder; it writes that year's raw exports
into the folder in the shape some real platform or office hands over, and returns the town *as written*:
the same town with each study record's ``identifiable`` set to whether the written record can be credited
to one member (see :class:`tuanwei_sample.model.StudyRecord`). The truth of the dialect is
``truth.expected_indicators(returned_town, year, recoverable=True)``.

The writers were written from the project's domain guide and public descriptions of the platforms only, never from
src/analysis/ingest or tuanwei_sample.dialects: what they expose is what the rules lack.
``python -m tuanwei_sample.blind [NAME…]`` writes, ingests and compares each one (see :mod:`.check`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

from tuanwei_sample.model import SampleTown

Writer = Callable[[SampleTown, int, Path], SampleTown]

BLIND: dict[str, Writer] = {}


def register(name: str) -> Callable[[Writer], Writer]:
    """Register a blind dialect's writer under ``name``."""

    def wrap(fn: Writer) -> Writer:
        BLIND[name] = fn
        return fn

    return wrap


def writers() -> dict[str, Writer]:
    """Every blind dialect of this package, by name (modules are imported on first use)."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name != "check":
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(sorted(BLIND.items()))
