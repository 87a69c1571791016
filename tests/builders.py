"""Build small canonical tables by hand for indicator tests (only the columns a test cares about)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.common import schemas
from analysis.processed.load import Tables

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

    from analysis.processed import processed_folder

    manifest = json.loads((folder / processed_folder.MANIFEST_NAME).read_text(encoding="utf-8"))
    rows = {
        name: len(pd.read_parquet(folder / f"{name}.parquet"))
        for name in schemas.TABLES
        if (folder / f"{name}.parquet").is_file()
    }
    processed_folder.write_manifest(folder, manifest["year"], rows, manifest["raw_inputs"])


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (v3, 512-byte sectors) with up to 3 top-level streams.

    Sector 0 holds the FAT, sector 1 the directory, then each stream padded to ≥ 4096 bytes (the
    mini-stream cutoff) so that no mini FAT is needed.
    """
    sect, end, fat_sect, free = 512, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    datas = [data.ljust(4096, b"\0") for data in streams.values()]
    fat, starts = [fat_sect, end], []
    for data in datas:
        count = -(-len(data) // sect)
        starts.append(len(fat))
        fat += [*range(len(fat) + 1, len(fat) + count), end]
    assert len(fat) <= 128 and len(datas) <= 3
    fat += [free] * (128 - len(fat))

    def entry(
        name: str, kind: int, child: int = free, right: int = free, start: int = end, size: int = 0
    ) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack(
            "<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, free, right, child, bytes(16), 0, 0, 0, start, size
        )

    names = list(streams)
    directory = entry("Root Entry", 5, child=1 if names else free)
    for i, (name, data) in enumerate(zip(names, datas, strict=True), start=1):
        directory += entry(
            name, 2, right=i + 1 if i < len(names) else free, start=starts[i - 1], size=len(data)
        )
    directory = directory.ljust(sect, b"\0")  # unused entries: all zero (type 0 = empty)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        bytes(16),
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        bytes(6),
        0,
        1,
        1,
        0,
        4096,
        end,
        0,
        end,
        0,
    ) + struct.pack("<109I", 0, *[free] * 108)
    return header + struct.pack("<128I", *fat) + directory + b"".join(datas)
