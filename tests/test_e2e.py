"""End to end: the yearly run on the sample town executes every notebook through papermill and writes
the whole report folder; the numbers are checked against the generator's truth."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from docx import Document
from rich.console import Console

from analysis import paths
from analysis.audit import audit
from analysis.cli import main
from analysis.errors import AnalysisError
from analysis.report import notebook_runner as nbs
from analysis.report.run import run_year
from tuanwei_sample import build_town
from tuanwei_sample.truth import expected_indicators

pytestmark = pytest.mark.e2e

CONTRACT_KEYS = {
    "org.members", "org.branches", "org.cadres", "org.overage", "act.count", "act.count.ideology",
    "act.count.volunteer", "act.count.youth_service", "act.count.self_building", "act.person_times",
    "act.volunteer_hours", "study.periods", "study.learner_times", "study.member_rate", "study.never",
    "cadre.checkin_rate", "rec.new_members", "rec.quota", "rec.applications", "rec.activists", "rec.targets",
    "rec.median_days", "aid.recipients", "aid.amount",
}  # fmt: skip


def _hashes(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (relative path → sha256)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("e2e")
    yp = paths.YearPaths(
        2022,
        paths.SAMPLE_DIR / "2022",
        base / "processed" / "2022",
        base / "reports" / "2022",
        paths.SAMPLE_CONFIG,
    )
    raw_before = _hashes(yp.raw) | {"2021/" + k: v for k, v in _hashes(paths.SAMPLE_DIR / "2021").items()}
    out = io.StringIO()
    assert run_year(yp, console=Console(file=out, width=200)) == 0
    return yp, out.getvalue(), raw_before


def test_summary_line(report):
    _, text, _ = report
    assert "完成" in text and "主要数据" in text and "rejected_rows.xlsx" in text


def test_indicators_json_matches_truth(report):
    yp, _, _ = report
    doc = json.loads((yp.reports / "indicators.json").read_text(encoding="utf-8"))
    assert doc["year"] == 2022
    got = doc["indicators"]
    assert set(got) >= CONTRACT_KEYS
    assert got["rec.new_members"] == 4
    want = expected_indicators(build_town(), 2022, recoverable=True)
    for key, value in want.items():
        assert got[key] == pytest.approx(value), key


def test_figures_and_notebooks(report):
    yp, _, _ = report
    pngs = sorted((yp.reports / "figures").glob("*.png"))
    assert len(pngs) >= 12
    assert all(p.with_suffix(".svg").is_file() for p in pngs)
    executed = sorted((yp.reports / "notebooks").glob("*.ipynb"))
    assert [p.name for p in executed] == [nb.path.name for nb in nbs.report_notebooks()]
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        errors = [
            o
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        assert not errors, path.name
        assert path.with_suffix(".html").is_file()
    overview = (yp.reports / "notebooks" / "00_overview.ipynb").read_text(encoding="utf-8")
    assert "全年发展团员 4 名" in overview  # a sentence the notebook printed from the numbers


def test_summary_docx(report):
    yp, _, _ = report
    doc = Document(str(yp.reports / "summary.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings[0].endswith("主要数据一览")
    assert any("思想引领" in h for h in headings) and any("发展团员" in h for h in headings)
    sections = sorted((yp.reports / "sections").glob("*.json"))
    figures = sum(
        1
        for s in sections
        for i in json.loads(s.read_text(encoding="utf-8"))["items"]
        if i["type"] == "figure"
    )
    assert len(doc.inline_shapes) == figures >= 12
    assert "图1 " in text and f"图{figures} " in text
    assert "全年发展团员 4 名，发展指标 4 名，已完成指标" in text
    assert "团员平均参学率为 82.6%" in text


def test_manifest(report):
    yp, _, raw_before = report
    manifest = json.loads((yp.reports / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["year"] == 2022 and manifest["versions"]["pandas"]
    inputs = {f["file"]: f["sha256"] for f in manifest["raw_inputs"]["2022"]}
    assert inputs == {k: v for k, v in raw_before.items() if "/" not in k}
    assert set(manifest["raw_inputs"]) == {"2021", "2022"}
    assert {s.split(":")[0] for s in manifest["steps"]} >= {"notebook", "indicators", "summary"}


def test_raw_files_untouched(report, tmp_path):
    """After ingest (inside the run), the run itself and queries, the raw exports are byte-identical."""
    yp, _, raw_before = report
    assert (
        main(
            [
                "query",
                "participation",
                "--processed",
                str(yp.processed),
                "--missing",
                "--quarter",
                "2022Q2",
                "--format",
                "csv",
                "--output",
                str(tmp_path / "q.csv"),
            ]
        )
        == 0
    )
    assert main(["ingest", "--sample", "--processed", str(tmp_path / "p")]) == 0
    after = _hashes(yp.raw) | {"2021/" + k: v for k, v in _hashes(paths.SAMPLE_DIR / "2021").items()}
    assert after == raw_before


def test_outputs_hold_no_personal_identifiers(report):
    yp, _, _ = report
    assert audit(yp.reports) == []
    assert audit(yp.processed) == []


def test_second_run_skips_everything(report):
    yp, _, _ = report
    out = io.StringIO()
    before = _hashes(yp.reports)
    assert run_year(yp, console=Console(file=out, width=200)) == 0
    assert "已跳过全部步骤" in out.getvalue()
    assert _hashes(yp.reports) == before


def test_failed_run_keeps_previous_report(report, monkeypatch):
    yp, _, _ = report
    before = _hashes(yp.reports)
    calls = []

    def boom(jobs, parameters, cwd, done, workers=2, pool=None):
        for job in jobs:
            calls.append(job.nb.name)
            if len(calls) == 2:
                raise AnalysisError("模拟中断")
            job.output.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(job.nb.path, job.output)
            done(job, 0.0)

    monkeypatch.setattr(nbs, "run_jobs", boom)
    with pytest.raises(AnalysisError):
        run_year(yp, force=True, console=Console(file=io.StringIO()))
    assert _hashes(yp.reports) == before
    assert not any(p.name.startswith(f".{yp.reports.name}.staging") for p in yp.reports.parent.iterdir())


def test_audit_cli_finds_planted_id(report, tmp_path, capsys):
    yp, _, _ = report
    assert main(["audit", str(yp.reports)]) == 0
    copy = tmp_path / "copy"
    shutil.copytree(yp.reports, copy)
    (copy / "planted.txt").write_text("备注：身份证 11010519491231002X", encoding="utf-8")
    assert main(["audit", str(copy)]) == 1
    assert "110***********002X" in capsys.readouterr().out


def test_sections_are_named_after_their_notebooks(report):
    yp, _, _ = report
    sections = sorted(p.stem for p in (yp.reports / "sections").glob("*.json"))
    assert sections == [nb.name for nb in nbs.report_notebooks()]


@pytest.mark.parametrize(
    ("section", "sentence"),
    [
        ("10_organisation", "全镇共有团员 300 名"),
        ("20_study", "团员平均参学率为 82.6%"),
        ("30_activities", "全年共开展各类活动 55 次"),
        ("40_recruitment", "全年发展团员 4 名"),
        ("50_services", "发放资助金 9,500 元"),
    ],
)
def test_each_notebook_wrote_its_numbers(report, section, sentence):
    yp, _, _ = report
    doc = json.loads((yp.reports / "sections" / f"{section}.json").read_text(encoding="utf-8"))
    texts = " ".join(i["text"] for i in doc["items"] if i["type"] == "text")
    assert sentence in texts
    figures = [i for i in doc["items"] if i["type"] == "figure"]
    assert figures and all((yp.reports / f["png"]).is_file() for f in figures)


def test_late_export_reruns_only_what_depends_on_it(tmp_path, monkeypatch):
    from analysis.report import run as run_mod

    monkeypatch.setattr(run_mod, "CHILD_INGEST_BYTES", 0)  # exercise the county-scale path: ingest in a child
    raw = tmp_path / "raw"
    for year in ("2021", "2022"):
        shutil.copytree(paths.SAMPLE_DIR / year, raw / year)
    yp = paths.YearPaths(
        2022,
        raw / "2022",
        tmp_path / "processed" / "2022",
        tmp_path / "reports" / "2022",
        paths.SAMPLE_CONFIG,
    )
    assert run_year(yp, console=Console(file=io.StringIO())) == 0
    (raw / "2022" / "爱心助学_补报.csv").write_text(
        "项目,姓名,所在村,金额(元),发放日期\n青檬励学金,补报同学,塔岗村,600,2022-12-20\n",
        encoding="utf-8-sig",
    )
    assert run_year(yp, console=Console(file=io.StringIO())) == 0
    manifest = json.loads((yp.reports / "manifest.json").read_text(encoding="utf-8"))
    status = {
        k.split(":", 1)[1]: v["status"] for k, v in manifest["steps"].items() if k.startswith("notebook:")
    }
    assert status == {
        "00_overview": "ran",
        "10_organisation": "skipped",
        "20_study": "skipped",
        "30_activities": "skipped",
        "40_recruitment": "skipped",
        "50_services": "ran",
    }
    doc = json.loads((yp.reports / "indicators.json").read_text(encoding="utf-8"))
    assert doc["indicators"]["aid.amount"] == 10100
    assert "发放资助金 10,100 元" in "\n".join(
        p.text for p in Document(str(yp.reports / "summary.docx")).paragraphs
    )
    executed = (yp.reports / "notebooks" / "50_services.ipynb").read_text(encoding="utf-8")
    assert ".staging" not in executed  # parameters show the real report folder


def test_gate_stops_the_run_and_allow_gaps_publishes_a_marked_draft(tmp_path, capsys):
    """The roster removed: run stops with exit 4 and publishes nothing; --allow-gaps publishes a draft whose
    title, first page and affected captions say 数据不完整; ingest prints the same finding."""
    raw = tmp_path / "raw" / "2022"
    shutil.copytree(paths.SAMPLE_DIR / "2022", raw)
    (raw / "团员名册（智慧团建导出）.xlsx").unlink()
    args = ["--year", "2022", "--raw", str(raw), "--processed", str(tmp_path / "p" / "2022"),
            "--config", str(paths.SAMPLE_CONFIG)]  # fmt: skip
    reports = tmp_path / "r" / "2022"
    assert main(["ingest", *args]) == 4
    assert "严重缺口：【缺少导出：团员名册】" in capsys.readouterr().out
    assert main(["run", *args, "--reports", str(reports)]) == 4
    out = capsys.readouterr().out
    assert "已停止" in out and "缺少导出：团员名册" in out and "--allow-gaps" in out
    assert not (reports / "summary.docx").exists()
    assert main(["run", *args, "--reports", str(reports), "--allow-gaps"]) == 0
    assert "草稿：数据不完整" in capsys.readouterr().out
    texts = [p.text for p in Document(str(reports / "summary.docx")).paragraphs]
    assert texts[0].endswith("草稿（数据不完整）")
    assert any("【缺少导出：团员名册】" in t for t in texts[:6])
    assert any(t.startswith("图") and t.endswith("（数据不完整：缺少导出）") for t in texts)
