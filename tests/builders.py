"""Build small canonical tables by hand for indicator tests (only the columns a test cares about)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analysis import schemas
from analysis.load import Tables

T = pd.Timestamp


def table(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical table: given columns filled, the others defaulted, validated by its pandera model."""
    defaults: dict[str, Any] = {
        "source_file": "test.xlsx",
        "source_sheet": "Sheet1",
        "status": "正常",
        "status_pending": False,
        "is_cadre": False,
        "match": "unmatched",
        "is_special": False,
        "branch_resolved": True,
        "section_source": "keyword",
        "checked_in": False,
        "volunteer_hours": 0.0,
    }
    cols = schemas.columns(name)
    filled = []
    for i, row in enumerate(rows, start=2):
        full = {c: None for c in cols}
        full.update({k: v for k, v in defaults.items() if k in cols})
        full["source_row"] = i
        full.update(row)
        filled.append(full)
    frame = pd.DataFrame(filled, columns=cols)
    if not rows:
        frame = schemas.empty(name)
    return schemas.TABLES[name].validate(frame)


def tables(year: int, **frames: pd.DataFrame) -> Tables:
    return Tables(year=year, folder=Path("."), frames=dict(frames), report={"inputs": []})


def reseal(folder: Path) -> None:
    """Rewrite a processed folder's manifest for the files it holds now, as if the ingest had written
    them (a test that removes a table to stand for a year without that export)."""
    import json

    from analysis import processed_folder

    manifest = json.loads((folder / processed_folder.MANIFEST_NAME).read_text(encoding="utf-8"))
    rows = {
        name: len(pd.read_parquet(folder / f"{name}.parquet"))
        for name in schemas.TABLES
        if (folder / f"{name}.parquet").is_file()
    }
    processed_folder.write_manifest(folder, manifest["year"], rows, manifest["raw_inputs"])
