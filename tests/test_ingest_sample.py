"""Ingest of the bundled sample town against the generator's truth."""

from __future__ import annotations

import pytest

from analysis.common import paths
from analysis.common.config import load_config
from analysis.indicators import catalogue
from analysis.processed.load import Tables
from tuanwei_sample import build_town
from tuanwei_sample.truth import expected_indicators


@pytest.fixture(scope="module")
def town():
    return build_town()


@pytest.fixture(scope="module", params=[2021, 2022])
def ingested(request, sample_ingests):
    year = request.param
    return year, load_config(paths.SAMPLE_CONFIG), sample_ingests[year]


def test_accounting_balances(ingested):
    _, _, result = ingested
    totals = result.totals()
    assert (
        totals["rows_read"] == totals["kept"] + totals["rejected"] + totals["duplicates"] + totals["skipped"]
    )
    assert all(s.balanced() for s in result.sources)
    assert result.failures == []
    assert totals["rejected"] == 0  # the sample is messy but valid


def test_every_file_is_recognised(ingested):
    year, _, result = ingested
    files = {s.file for s in result.sources}
    raw = {p.name for p in (paths.SAMPLE_DIR / str(year)).iterdir()}
    assert raw == files
    # the only sheet left out is the pivot summary sheet next to 原始数据, and it is reported
    assert result.unknown_sheets == []
    assert [u["sheet"] for u in result.summary_sheets] == ["汇总"]


def test_no_unknown_branches(ingested):
    _, _, result = ingested
    assert result.unknown_branches.empty


def test_indicators_match_truth(ingested, town):
    year, config, result = ingested
    tables = Tables(year=year, folder=paths.SAMPLE_DIR, frames=dict(result.tables))
    got = catalogue.headline(tables, config, year)
    want = expected_indicators(town, year, recoverable=True)
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


def test_new_members_2022(ingested):
    year, config, result = ingested
    tables = Tables(year=year, folder=paths.SAMPLE_DIR, frames=dict(result.tables))
    assert catalogue.headline(tables, config, year)["rec.new_members"] == {2021: 3, 2022: 4}[year]


def test_review_namesakes_are_two_people(ingested):
    year, _, result = ingested
    reviews = result.tables["member_reviews"]
    assert len(reviews) == 300 if year == 2022 else len(reviews) > 0


def test_member_keys_are_stable_across_years(sample_ingests):
    """The same people get the same pseudonymous key in the 2021 and the 2022 roster."""
    keys = {}
    for year in (2021, 2022):
        members = sample_ingests[year].tables["members"]
        keys[year] = dict(
            zip(members["id_masked"] + "|" + members["name_norm"], members["member_id"], strict=True)
        )
    shared = set(keys[2021]) & set(keys[2022])
    assert len(shared) > 250
    assert all(keys[2021][k] == keys[2022][k] for k in shared)
