"""Keeping processed data in step with the raw exports: ingest when (and only when) something changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from analysis import __version__, load
from analysis.config import TownConfig
from analysis.ingest.pipeline import (
    REPORT_FILE,
    config_fingerprint,
    file_sha256,
    ingest_year,
    raw_files,
    write_processed,
)
from analysis.paths import INGEST_SOURCES, YearPaths, package_hash


def raw_fingerprint(raw_dir: Path) -> list[dict[str, object]]:
    return [
        {"file": p.relative_to(raw_dir).as_posix(), "sha256": file_sha256(p), "bytes": p.stat().st_size}
        for p in raw_files(raw_dir)
    ]


def is_current(paths: YearPaths, config: TownConfig) -> bool:
    """True when processed/<Y> was made from exactly these raw files, this configuration and this version."""
    report_file = paths.processed / REPORT_FILE
    if not report_file.is_file():
        return False
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return (
        report.get("version") == __version__
        and report.get("code_sha256") == package_hash(only=INGEST_SOURCES)
        and report.get("config_sha256") == config_fingerprint(config)
        and report.get("inputs") == raw_fingerprint(paths.raw)
    )


def ensure_processed(
    paths: YearPaths, config: TownConfig, force: bool = False, progress: Callable[[str], None] | None = None
) -> tuple[load.Tables, bool]:
    """Processed tables of the year, ingesting first when needed. Returns (tables, ingested?)."""
    ingested = False
    if force or not is_current(paths, config):
        result = ingest_year(paths.raw, config, paths.year, progress=progress)
        write_processed(result, paths.processed)
        ingested = True
    return load.processed(paths.processed, paths.year), ingested
