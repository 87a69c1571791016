"""The metamorphic test of issue 11: the same town-year written in other dialects (spellings drawn from the
pool with a fixed seed, periods and months from sheet, file and folder names, wide layouts, merged month
cells, organisation paths, csv/html formats) ingests to the same canonical tables and the same indicators.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.common import paths
from analysis.common.config import load_config
from analysis.indicators import catalogue
from analysis.ingest.pipeline import IngestResult, ingest_year
from analysis.processed.load import Tables
from tuanwei_sample import build_town
from tuanwei_sample.dialects import DIALECTS, as_written, pool, reference_for, write_dialect
from tuanwei_sample.truth import expected_indicators

# provenance, and raw text echoed as written (the period as the export spelled it)
NOT_COMPARED = {"source_file", "source_sheet", "source_row", "period_raw", "rating_raw"}


def reference_for_name(name: str) -> str:
    return reference_for(next(d for d in DIALECTS if d.name == name)).name


pytestmark = pytest.mark.slow  # about 40–90 s: every dialect of two sample years written and ingested

CASES = [(d.name, 2022) for d in DIALECTS] + [("reference", 2021), ("platform", 2021), ("wide", 2021)]


@pytest.fixture(scope="module")
def town():
    return build_town()


@pytest.fixture(scope="module")
def config():
    return load_config(paths.SAMPLE_CONFIG)


@pytest.fixture(scope="module")
def ingested(town, config, tmp_path_factory):
    """Each (dialect, year) written once and ingested once."""
    cache: dict[tuple[str, int], IngestResult] = {}

    def get(name: str, year: int) -> IngestResult:
        if (name, year) not in cache:
            dialect = next(d for d in DIALECTS if d.name == name)
            raw = tmp_path_factory.mktemp(f"{name}-{year}") / str(year)
            write_dialect(town, year, dialect, raw)
            cache[(name, year)] = ingest_year(raw, config, year)
        return cache[(name, year)]

    return get


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    kept = frame[[c for c in frame.columns if c not in NOT_COMPARED]].astype("str")
    return kept.sort_values(list(kept.columns)).reset_index(drop=True)


def _headline(result: IngestResult, config, year: int) -> dict[str, float]:
    tables = Tables(year=year, folder=Path("."), frames=dict(result.tables))
    return catalogue.headline(tables, config, year)


@pytest.mark.parametrize(("name", "year"), CASES)
def test_dialect_reads_completely(ingested, name, year):
    result = ingested(name, year)
    assert result.failures == []
    assert result.unknown_sheets == []
    assert result.unknown_branches.empty
    assert len(result.rejected) == 0
    assert all(s.balanced() for s in result.sources)


@pytest.mark.parametrize(("name", "year"), [c for c in CASES if reference_for_name(c[0]) != c[0]])
def test_dialect_equals_its_reference(ingested, config, name, year):
    """Identical canonical tables (up to provenance) and identical indicators.json values."""
    ref = reference_for_name(name)
    got, want = ingested(name, year), ingested(ref, year)
    assert set(got.tables) == set(want.tables)
    for table in want.tables:
        pd.testing.assert_frame_equal(
            _canonical(got.tables[table]), _canonical(want.tables[table]), obj=table
        )
    assert _headline(got, config, year) == _headline(want, config, year)


@pytest.mark.parametrize("year", [2021, 2022])
def test_reference_dialect_matches_the_truth(ingested, town, config, year):
    got = _headline(ingested("reference", year), config, year)
    want = expected_indicators(as_written(town), year, recoverable=True)
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


def test_dialects_cover_the_issue(ingested):
    """At least four dialects besides the references, with a period-from-file-name and a wide roster one;
    their reports say where the period and the branch came from."""
    others = [d for d in DIALECTS if reference_for(d).name != d.name]
    assert len(others) >= 4
    platform = ingested("platform", 2022)
    study = [s for s in platform.sources if s.kind == "study"]
    assert study and all(s.recognition["columns"]["period"]["how"] == "file" for s in study)
    wide = ingested("wide", 2022)
    roster = next(s for s in wide.sources if s.kind == "roster")
    assert roster.recognition["wide"]["axis"] == "branch"
    folders = ingested("folders", 2022)
    assert {s.recognition["columns"]["period"]["how"] for s in folders.sources if s.kind == "study"} == {
        "folder"
    }


def test_spellings_are_drawn_from_the_pool_not_the_rules():
    """Each non-reference dialect draws most of its headers from outside the first (canonical) spelling."""
    from tuanwei_sample.dialects import _Pen

    town = build_town()
    for dialect in DIALECTS:
        if dialect.spellings != "pool":
            continue
        pen = _Pen(town, dialect)
        drawn = [pen.header(kind, col) for kind, cols in pool().items() for col in cols]
        firsts = [cols[col][0] for cols in pool().values() for col in cols]
        assert sum(a != b for a, b in zip(drawn, firsts, strict=True)) >= len(drawn) // 2


@pytest.mark.parametrize(("name", "year"), CASES)
def test_dialect_passes_the_gate(ingested, config, name, year):
    """Every rule that can stop a run stays silent on a complete year, however it is written."""
    from analysis.common import schemas
    from analysis.processed.completeness import assess

    result = ingested(name, year)
    frames = dict.fromkeys(schemas.TABLES) | dict(result.tables)
    tables = Tables(year=year, folder=Path("."), frames=frames, report=result.report())
    head = catalogue.headline(tables, config, year)
    assert [(f.rule, f.subject) for f in assess(tables, config, year, head).blocking] == []
