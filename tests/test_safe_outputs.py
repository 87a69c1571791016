"""Issue "Safe outputs": hostile values and files flow through ingest, the workbook and the rejected-rows
file without becoming formulas, without leaking identifiers and without stopping the year."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from rich.console import Console

from analysis.common.config import load_config
from analysis.common.errors import AnalysisError
from analysis.common.paths import YearPaths
from analysis.indicators import catalogue
from analysis.ingest.pipeline import ingest_year, write_processed
from analysis.processed import load
from analysis.report import run as run_mod
from analysis.report.workbook import write_workbook
from analysis.safety.audit import audit

TOWN = "town: 测试镇\nbranches:\n  - {name: 塔岗村团支部, type: 村, aliases: [塔岗村]}\nyears:\n  2022: {recruitment_quota: 1}\n"
NASTY = ['=HYPERLINK("http://x","点我")', "+1+1", "@SUM(A1)", "-2+3", "\tTAB", "\rCR"]
REMARK_ID = "11010519491231002X"  # a valid 18-digit ID in a free-text remark
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
)


def _book(path: Path, rows: list[list]) -> Path:
    """An xlsx whose text cells are literal text (a hostile export types "=…" as text, not a formula)."""
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    for cells in wb.active.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("hostile")
    (base / "town.yml").write_text(TOWN, encoding="utf-8")
    raw = base / "raw" / "2022"
    raw.mkdir(parents=True)
    _book(
        raw / "名册.xlsx",
        [
            ["姓名", "所在团支部", "团籍状态"],
            ["张三", "塔岗村团支部", "正常"],
            ["李四", '=cmd|"/C calc"!A0', "正常"],
        ],
    )
    ledger = [["活动日期", "活动名称", "组织团支部", "参与人数", "备注"]]
    ledger += [[f"2022-03-{i + 1:02d}", name, "塔岗村", 10, ""] for i, name in enumerate(NASTY)]
    ledger.append(["2022-04-01", "植树造林", "塔岗村", 12, f"联系人身份证 {REMARK_ID} 电话 13812345678"])
    _book(raw / "台账.xlsx", ledger)
    plain = _book(base / "plain.xlsx", [["姓名", "所在团支部"], ["王五", "塔岗村"]])
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(raw / "实体攻击.xlsx", "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("xl/sharedStrings.xml", LAUGHS)
    bomb = raw / "压缩炸弹.xlsx"
    shutil.copy(plain, bomb)
    with (
        zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/worksheets/sheet2.xml", "w") as fh,
    ):
        for _ in range(24):
            fh.write(b"\0" * (1 << 20))
    with open(plain, "rb") as src, open(raw / "加密.xlsx", "wb") as out:
        OOXMLFile(src).encrypt("1234", out)
    config = load_config(base / "town.yml")
    result = ingest_year(raw, config, 2022)
    processed = base / "processed" / "2022"
    write_processed(result, processed)
    tables = load.processed(processed, 2022)
    cat = catalogue.compute(tables, config, 2022)
    write_workbook(cat, base / "indicators.xlsx")
    return base, result, processed


def _cells(path: Path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_hostile_files_are_refused_with_a_message(hostile):
    _, result, _ = hostile
    messages = {f["file"]: f["message"] for f in result.failures}
    assert "不安全的 XML 实体声明" in messages["实体攻击.xlsx"]
    assert "压缩炸弹" in messages["压缩炸弹.xlsx"]
    assert "文件设有密码" in messages["加密.xlsx"]
    assert len(result.tables["activities"]) == len(NASTY) + 1  # the rest of the year still ingests


def test_no_formula_cells_from_data(hostile):
    base, _, processed = hostile
    for book in (base / "indicators.xlsx", processed / "rejected_rows.xlsx"):
        cells = list(_cells(book))
        assert not [c.coordinate for c in cells if c.data_type == "f"], book.name
    names = {c.value for c in _cells(base / "indicators.xlsx") if isinstance(c.value, str)}
    assert '\'=HYPERLINK("http://x","点我")' in names and "'+1+1" in names and "'@SUM(A1)" in names
    rejected = {c.value for c in _cells(processed / "rejected_rows.xlsx") if isinstance(c.value, str)}
    assert any(v.startswith("'=cmd") for v in rejected)


def test_identifier_in_a_remark_never_leaks(hostile):
    base, _, processed = hostile
    assert audit(processed) == []
    assert audit(base / "indicators.xlsx") == []
    notes = load.processed(processed, 2022).activities["note"].dropna().tolist()
    assert notes == ["联系人身份证 110***********002X 电话 138****5678"]


def test_second_run_on_the_same_year_waits_then_stops(tmp_path, monkeypatch):
    from filelock import FileLock

    reports = tmp_path / "reports" / "2022"
    reports.parent.mkdir(parents=True)
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "名单.csv").write_text("姓名\n张三\n", encoding="utf-8")  # folders are checked first
    yp = YearPaths(2022, tmp_path / "raw", tmp_path / "processed", reports, tmp_path / "town.yml")
    monkeypatch.setattr(run_mod, "LOCK_WAIT_SECONDS", 0.2)
    held = FileLock(str(reports.parent / ".2022.lock"))
    held.acquire()
    try:
        out = io.StringIO()
        with pytest.raises(AnalysisError, match="正被另一个任务占用"):
            run_mod.run_year(yp, console=Console(file=out))
        assert "另一个报告生成任务正在处理" in out.getvalue()
    finally:
        held.release()
