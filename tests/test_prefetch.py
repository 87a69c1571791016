"""Large xlsx files parsed in the background while the program starts: the reader returns exactly what it
returns without the prefetch, and a file the guard refuses is refused with the reader's own message."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from analysis.common.errors import InputFileError
from analysis.ingest import prefetch, readers
from analysis.safety import guard


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch):
    monkeypatch.setattr(prefetch, "COLUMNAR_BYTES", 0)
    monkeypatch.setattr(readers, "COLUMNAR_BYTES", 0)


def _workbook(path, rows, merges=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)


def test_prefetched_sheets_equal_a_direct_read(tmp_path):
    rows = [
        ["月份", "团干部姓名", "是否打卡"],
        ["1月", "张三", "是"],
        [None, "李四", "否"],
        ["2月", "张三", "是"],
    ]
    _workbook(tmp_path / "a.xlsx", rows, merges=["A2:A3"])
    limits = guard.Limits()
    direct = readers.read_file(tmp_path / "a.xlsx", "a.xlsx", limits)
    prefetch.start(tmp_path, limits)
    fetched = readers.read_file(tmp_path / "a.xlsx", "a.xlsx", limits)
    assert prefetch.take(tmp_path / "a.xlsx", limits) is None  # taken once
    assert [s.sheet for s in fetched] == [s.sheet for s in direct]
    for a, b in zip(direct, fetched, strict=True):
        pd.testing.assert_frame_equal(a.cells, b.cells)
        assert a.merged == b.merged == [(2, 0, 3, 0)]


def test_a_refused_file_is_refused_by_the_reader(tmp_path):
    ws_rows = [["姓名"], ["张三"]]
    _workbook(tmp_path / "far.xlsx", ws_rows)
    wb = openpyxl.load_workbook(tmp_path / "far.xlsx")
    wb.active["XFD1048576"] = "x"  # a stray cell at the last row and column
    wb.save(tmp_path / "far.xlsx")
    limits = guard.Limits()
    prefetch.start(tmp_path, limits)
    with pytest.raises(InputFileError, match="使用区域过大"):
        readers.read_file(tmp_path / "far.xlsx", "far.xlsx", limits)
