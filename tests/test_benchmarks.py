"""Smoke test of the benchmark tooling (not timed): the scalable sample generator at a tiny scale."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest

from analysis.common.config import load_config
from analysis.ingest.pipeline import ingest_year
from tuanwei_sample import build_town
from tuanwei_sample.county import SAMPLE_MEMBERS

ROOT = Path(__file__).resolve().parents[1]
TINY = {"members": 500, "branches": 16, "years": 1}


def _generate_module():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("county") / "tiny"
    manifest = _generate_module().generate(out, **TINY, reader_rows=1000)
    return out, manifest


def test_explicit_defaults_are_the_sample_town():
    assert build_town(2022, members=SAMPLE_MEMBERS, branches=12, years=2) == build_town(2022)


def test_scaled_town_is_deterministic():
    a = build_town(5, **TINY)
    b = build_town(5, **TINY)
    assert a == b
    assert a.years == (2022,)
    assert len(a.branches) == 16 and len({br.name for br in a.branches}) == 16
    assert len(a.members_active_on(date(2022, 12, 31))) == 500


@pytest.mark.parametrize(
    "kwargs",
    [{"branches": 11}, {"members": 400}, {"members": 310, "branches": 20}, {"years": 3}],
)
def test_bad_scale_is_refused(kwargs):
    with pytest.raises(ValueError):
        build_town(2022, **kwargs)


@pytest.mark.slow  # generates and ingests a small county
def test_tiny_county_ingests_balanced(tiny):
    out, manifest = tiny
    assert (out / "generated.json").is_file()
    assert json.loads((out / "generated.json").read_text(encoding="utf-8")) == manifest
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["2022", "reader"]
    assert sum(p.name.startswith("青年大学习_") for p in (out / "2022").iterdir()) == 12
    config = load_config(out / "town.yml")
    assert len(config.branches) == 16
    result = ingest_year(out / "2022", config, 2022)
    report = result.report()
    assert report["balanced"] and not report["failed_files"] and not report["unknown_branches"]
    town = build_town(2022, **TINY)
    members = result.tables["members"]
    assert len(members) == len(town.roster(2022))
    assert manifest["members_active_year_end"] == {"2022": 500}
    study = result.tables["study_records"]
    expected = len(town.study_in(2022))
    assert abs(len(study) - expected) <= 0.01 * expected
    assert (study["match"] != "unmatched").mean() > 0.85


@pytest.mark.slow  # generates and ingests a small county
def test_reader_file(tiny):
    out, manifest = tiny
    result = ingest_year(out / "reader", load_config(out / "town.yml"), 2022)
    assert result.report()["totals"]["rows_read"] == 1000
    assert manifest["reader_file"] == "reader/青年大学习_1000行.xlsx"
