"""``python -m analysis bulletin`` end to end on the sample town (issue 24): a period and a quarter; a new
period's export dropped into the raw folder is picked up; a branch's missing export is 数据缺失 and
``--period latest`` passes over the incomplete last period."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from PIL import Image
from test_bulletin import assert_official_text, docx_texts

from analysis.cli import main
from analysis.common import paths
from analysis.safety import safe_io
from analysis.safety.audit import audit

pytestmark = pytest.mark.e2e

DECEMBER = "青年大学习_2022年12月.xlsx"
HOLE_BRANCH = "塔岗村团支部"


def _bulletin(capsys: pytest.CaptureFixture[str], folder: Path, *args: str, raw: Path | None = None) -> str:
    """Run the command in this process on the sample town with its outputs under ``folder``; its output."""
    where = ["--processed", str(folder / "processed"), "--reports", str(folder / "reports")]
    where += ["--raw", str(raw)] if raw is not None else []
    code = main(["bulletin", "--sample", *where, "--date", "2022-12-28", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def _files(folder: Path, name: str) -> Path:
    out = folder / "reports" / paths.BULLETIN_DIR / name
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [paths.BULLETIN_DOCX, paths.BULLETIN_PNG, paths.BULLETIN_XLSX]
    )
    return out


def test_period_and_quarter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _bulletin(capsys, tmp_path, "--period", "12-5")
    assert "已生成第12季第5期“青年大学习”通报" in out and "全镇参学率 83.3%" in out
    period = _files(tmp_path, "第12季第5期")
    assert_official_text(period / paths.BULLETIN_DOCX)
    with Image.open(period / paths.BULLETIN_PNG) as image:
        assert image.size[0] == 1080
    wb = openpyxl.load_workbook(period / paths.BULLETIN_XLSX, read_only=True)
    assert len(wb.sheetnames) == 13 and wb.sheetnames[-1] == safe_io.NOTES_SHEET
    assert all(
        list(wb[s].iter_rows(values_only=True))[1][:2] == ("团支部", "姓名") for s in wb.sheetnames[:-1]
    )

    out = _bulletin(capsys, tmp_path, "--quarter", "2022Q2")
    assert "已重新导入" not in out  # nothing changed since the first bulletin
    quarter = _files(tmp_path, "2022Q2")
    assert_official_text(quarter / paths.BULLETIN_DOCX)
    title = Document(str(quarter / paths.BULLETIN_DOCX)).paragraphs[0].text
    assert title == "关于2022年第二季度“青年大学习”学习情况的通报"
    assert audit(tmp_path / "reports") == []


def _strip(path: Path, period: str, branch_text: str) -> None:
    """Remove one branch's rows of one period from a monthly export (columns 期数, 姓名, 归属组织, 报名时间)."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    rows = [r for r in ws.iter_rows(values_only=True) if not (r[0] == period and branch_text in str(r[2]))]
    ws.delete_rows(1, ws.max_row)
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_new_period_file_then_a_missing_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = tmp_path / "raw" / "2022"
    shutil.copytree(paths.SAMPLE_DIR / "2022", raw)
    december = raw / DECEMBER
    kept = tmp_path / DECEMBER
    shutil.move(december, kept)
    out = _bulletin(capsys, tmp_path, "--period", "latest", raw=raw)
    assert "已生成第13季第23期" in out  # the last period of November

    shutil.copy(kept, december)  # one more month's export dropped in
    out = _bulletin(capsys, tmp_path, "--period", "latest", raw=raw)
    assert "原始数据有变化，已重新导入" in out and "已生成第13季第26期" in out
    assert "读取 1 个文件，其余 21 个未变化（沿用上次的读取结果）" in out  # the per-file cache

    _strip(december, "第十三季第二十六期", "塔岗")  # that branch's part of the last period is missing
    out = _bulletin(capsys, tmp_path, "--period", "latest", raw=raw)
    assert "最新一期“第13季第26期”的导出看起来不完整" in out and HOLE_BRANCH in out
    assert "已生成第13季第25期" in out

    out = _bulletin(capsys, tmp_path, "--period", "13-26", raw=raw)
    assert "数据缺失" in out
    last = _files(tmp_path, "第13季第26期")
    texts = docx_texts(last / paths.BULLETIN_DOCX)
    assert any(f"{HOLE_BRANCH}本期没有任何学习记录" in t for t in texts)
    table = Document(str(last / paths.BULLETIN_DOCX)).tables[0]
    row = next(r for r in table.rows if r.cells[1].text == HOLE_BRANCH)
    assert row.cells[0].text == "—" and row.cells[4].text == "数据缺失"
    assert_official_text(last / paths.BULLETIN_DOCX)
    wb = openpyxl.load_workbook(last / paths.BULLETIN_XLSX, read_only=True)
    sheet = list(wb[HOLE_BRANCH].iter_rows(values_only=True))
    assert "导出缺失" in sheet[0][0] and len(sheet) == 2  # the title and the header: nobody chased
