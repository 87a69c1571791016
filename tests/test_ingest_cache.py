"""The per-file ingest cache (ingest/filecache.py): a new period's export is the only file read, and the
result is the one a full ingest gives; an entry holds only for the same bytes, name, configuration and
code, and a damaged entry is read again, never trusted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.common import paths
from analysis.common.config import load_config
from analysis.ingest.filecache import DIR_NAME, PIECE, summary_line
from analysis.ingest.pipeline import ingest_year
from analysis.processed import workspace
from analysis.safety.audit import audit

LAST = "青年大学习_2022年12月.xlsx"
SMALL = ("团员名册（智慧团建导出）.xlsx", "青年大学习_2022年01月.xlsx", "青年大学习_2022年02月.xlsx")


def _report(result) -> dict:
    report = result.report()
    report.pop("generated_at")
    return json.loads(json.dumps(report, ensure_ascii=False, default=str))


def _year(tmp: Path, files: tuple[str, ...] | None = None, own_config: bool = False) -> paths.YearPaths:
    raw = tmp / "raw" / "2022"
    raw.mkdir(parents=True)
    for path in sorted((paths.SAMPLE_DIR / "2022").iterdir()):
        if files is None or path.name in files:
            shutil.copy(path, raw / path.name)
    config = tmp / "town.yml" if own_config else paths.SAMPLE_CONFIG  # its path is in its fingerprint
    if own_config:
        shutil.copy(paths.SAMPLE_CONFIG, config)
    return paths.YearPaths(2022, raw, tmp / "processed" / "2022", tmp / "reports", config)


def _ingest(yp: paths.YearPaths):
    return workspace.ingest(yp, load_config(yp.config))


def _entries(yp: paths.YearPaths) -> list[Path]:
    return sorted((yp.processed / DIR_NAME).iterdir())


@pytest.mark.slow  # the whole sample folder: make test-fast runs the small version below
def test_one_more_month_reads_one_file_and_gives_the_full_ingest(tmp_path, sample_ingests, sample_processed):
    yp = _year(tmp_path)
    held = tmp_path / LAST
    shutil.move(yp.raw / LAST, held)
    first = _ingest(yp)
    assert len(first.cache.read) == 21 and first.cache.cached == []
    assert len(_entries(yp)) == 21
    shutil.copy(held, yp.raw / LAST)
    warm = _ingest(yp)
    assert warm.cache.read == [LAST] and len(warm.cache.cached) == 21
    assert summary_line(warm.cache) == "读取 1 个文件，其余 21 个未变化（沿用上次的读取结果）"
    cold = sample_ingests[2022]  # the whole folder read without a cache
    assert set(warm.tables) == set(cold.tables)
    for name, frame in cold.tables.items():
        pd.testing.assert_frame_equal(warm.tables[name], frame, check_exact=True)
    for name in ("rejected", "warnings", "ambiguous", "unknown_branches"):
        pd.testing.assert_frame_equal(getattr(warm, name), getattr(cold, name), check_exact=True)
    assert _report(warm) == _report(cold)
    written = json.loads((yp.processed / paths.INGEST_REPORT).read_text(encoding="utf-8"))
    expected = json.loads((sample_processed[2022] / paths.INGEST_REPORT).read_text(encoding="utf-8"))
    for report in (written, expected):
        report.pop("generated_at")
    assert written == expected
    for table in cold.tables:
        pd.testing.assert_frame_equal(
            pd.read_parquet(yp.processed / f"{table}.parquet"),
            pd.read_parquet(sample_processed[2022] / f"{table}.parquet"),
            check_exact=True,
        )
    assert len(_entries(yp)) == 22
    assert audit(yp.processed) == []  # the cache is private like the tables
    workspace.load.processed(yp.processed, 2022)  # the folder still verifies against its manifest


SOME = (*SMALL, "组织关系转接_2022.xlsx", "团干部学习打卡_2022.xlsx", "青年大学习_2022年03月.xlsx")


def test_one_more_month_gives_what_reading_every_file_gives(tmp_path):
    """The same on six files (roster, transfers, check-ins, three months): cold, then warm with the March
    export added, against the six read without a cache."""
    yp = _year(tmp_path, SOME)
    held = tmp_path / SOME[-1]
    shutil.move(yp.raw / SOME[-1], held)
    first = _ingest(yp)
    assert len(first.cache.read) == 5 and first.cache.cached == []
    shutil.copy(held, yp.raw / SOME[-1])
    warm = _ingest(yp)
    assert warm.cache.read == [SOME[-1]] and len(warm.cache.cached) == 5
    assert summary_line(warm.cache) == "读取 1 个文件，其余 5 个未变化（沿用上次的读取结果）"
    cold = ingest_year(yp.raw, load_config(yp.config), 2022)
    assert set(warm.tables) == set(cold.tables)
    for name, frame in cold.tables.items():
        pd.testing.assert_frame_equal(warm.tables[name], frame, check_exact=True)
    for name in ("rejected", "warnings", "ambiguous", "unknown_branches"):
        pd.testing.assert_frame_equal(getattr(warm, name), getattr(cold, name), check_exact=True)
    assert _report(warm) == _report(cold)
    assert audit(yp.processed) == []


@pytest.fixture
def small(tmp_path):
    yp = _year(tmp_path, SMALL, own_config=True)
    first = _ingest(yp)
    assert sorted(first.cache.read) == sorted(SMALL) and len(_entries(yp)) == 3
    return yp, first


def test_a_changed_name_or_content_is_read_again(small):
    yp, _ = small
    (yp.raw / SMALL[2]).rename(yp.raw / "青年大学习_2022年2月.xlsx")  # names carry context (period, branch)
    again = _ingest(yp)
    assert again.cache.read == ["青年大学习_2022年2月.xlsx"]
    assert sorted(again.cache.cached) == sorted(SMALL[:2])
    assert len(_entries(yp)) == 3  # the old name's entry is gone with it
    shutil.copy(paths.SAMPLE_DIR / "2022" / "青年大学习_2022年03月.xlsx", yp.raw / SMALL[1])  # new bytes
    again = _ingest(yp)
    assert again.cache.read == [SMALL[1]]


def test_a_changed_configuration_reads_every_file(small):
    yp, _ = small
    text = yp.config.read_text(encoding="utf-8")
    yp.config.write_text(text.replace("aliases: [柳河村]", "aliases: [柳河村, 柳河]"), encoding="utf-8")
    again = _ingest(yp)
    assert sorted(again.cache.read) == sorted(SMALL) and again.cache.cached == []
    assert len(_entries(yp)) == 3  # the entries of the old configuration evicted


def test_a_damaged_entry_is_read_again(small):
    yp, first = small
    entries = _entries(yp)
    part = entries[0] / "0.parquet"
    part.write_bytes(part.read_bytes()[:100])  # truncated
    (entries[1] / PIECE).write_text("{", encoding="utf-8")  # corrupt
    again = _ingest(yp)
    assert len(again.cache.read) == 2 and len(again.cache.cached) == 1
    for name, frame in first.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], frame, check_exact=True)
    assert _report(again) == _report(first)
    third = _ingest(yp)  # rebuilt: all three from the cache now
    assert third.cache.read == [] and len(third.cache.cached) == 3
    assert _report(third) == _report(first)


def test_only_what_the_scrub_leaves_alone_is_cached():
    from analysis.ingest.filecache import _private

    assert _private(pd.DataFrame({"member_id": ["p_4921212057695524"], "n": [13812345678]}))
    assert not _private(pd.DataFrame({"note": ["电话 13812345678"]}))
    assert not _private(pd.DataFrame({"name": ["王五110101199003070011"]}))
    assert _private(pd.DataFrame({"source_file": ["名单.xlsx"], "student_no": ["2022123456789012"]}))


def test_a_file_from_the_cache_is_not_parsed_in_the_background(tmp_path, monkeypatch):
    from concurrent.futures import Future

    from analysis.ingest import prefetch

    path = tmp_path / "青年大学习_2022年01月.xlsx"
    path.write_bytes(b"")
    job: Future = Future()
    monkeypatch.setitem(prefetch._jobs, (path.resolve(), "limits"), job)
    prefetch.drop(path)
    assert job.cancelled() and (path.resolve(), "limits") not in prefetch._jobs
