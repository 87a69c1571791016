"""End to end: the yearly run on the sample town executes every notebook through papermill and writes
the whole report folder; the numbers are checked against the generator's truth."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from docx import Document
from rich.console import Console

from analysis.cli import main
from analysis.common import paths
from analysis.common.errors import AnalysisError
from analysis.report import notebook_runner as nbs
from analysis.report.run import run_year
from analysis.safety.audit import audit
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
    assert "发展团员4名，比上年增加1名，完成4名的发展指标" in overview  # printed from the numbers


def test_summary_docx(report):
    yp, _, _ = report
    doc = Document(str(yp.reports / "summary.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings[0].endswith("年度概览")
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
    assert "全年发展团员4名，发展指标4名，已完成指标" in text
    assert "团员平均参学率为82.6%" in text


def test_summary_docx_is_pasted_as_it_is(report):
    """Issue 22's acceptance on the sample report: every text passes the typography rule, no paragraph
    twice, no file name before the closing note, no 草稿 on a year without gaps; the overview is one
    paragraph of headline facts (not the sections again); each figure's caption is the title drawn in
    its picture."""
    from PIL import Image
    from test_summary_doc import assert_pasteable

    yp, _, _ = report
    doc = Document(str(yp.reports / "summary.docx"))
    assert_pasteable(doc)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "示例镇团委2022年度工作数据摘要"
    overview = texts[texts.index("年度概览") + 1]
    assert overview.startswith("2022年，全镇共有团员300名") and "；" in overview
    assert "未达到90%的目标" in overview and "完成4名的发展指标" in overview
    sentences = [t for t in texts if t.startswith("截至2022年12月31日")]
    assert len(sentences) == 1  # the organisation section's sentence, not repeated by the overview
    captions = {}
    for section in sorted((yp.reports / "sections").glob("*.json")):
        for item in json.loads(section.read_text(encoding="utf-8"))["items"]:
            if item["type"] == "figure":
                with Image.open(yp.reports / item["png"]) as png:
                    captions[item["caption"]] = png.info["Title"]
    assert captions and all(caption == title for caption, title in captions.items())
    shown = [re.sub(r"^图\d+ ", "", t) for t in texts if re.match(r"图\d+ ", t)]
    assert sorted(shown) == sorted(captions) and all(re.match(r"2022年", c) for c in shown)
    tables = [t for t in texts if re.match(r"表\d+ ", t)]
    assert all("2022年" in t for t in tables), tables
    branches = next(
        t for t in doc.tables if t.rows[0].cells[0].text == "团支部" and t.rows[-1].cells[0].text == "合计"
    )
    assert [c.text for c in branches.rows[-1].cells] == ["合计", "300", "26", "1"]


def test_workbook_people_sheets_and_rate_changes(report):
    """indicators.xlsx of the sample report: lists of people start with 团支部, 姓名; a rate's change is
    the difference of the percentages shown, in 个百分点."""
    import openpyxl

    yp, _, _ = report
    wb = openpyxl.load_workbook(yp.reports / "indicators.xlsx")
    assert [c.value for c in wb["未参学或少参学团员"][1]][:2] == ["团支部", "姓名"]
    summary = wb["指标汇总"]
    headers = [c.value for c in summary[2]]
    row = next(r for r in summary.iter_rows(min_row=3) if r[-1].value == "study.member_rate.塔岗村团支部")
    now, before, change = (row[headers.index(h)].value for h in ("本年", "上年", "变化"))
    assert f"{now:.1%}" == "92.8%" and f"{before:.1%}" == "93.3%" and change == -0.5
    assert row[headers.index("变化")].number_format.startswith('+0.0" 个百分点"')


def test_notebook_html_has_no_developer_text(report):
    yp, _, _ = report
    for html in sorted((yp.reports / "notebooks").glob("*.html")):
        body = html.read_text(encoding="utf-8").split("<body", 1)[1]
        assert "celltag_parameters" not in body and "injected-parameters" not in body, html.name
        text = re.sub(r"<[^>]+>", " ", body)  # what the reader sees
        assert "parameters" not in text and "python -m analysis" not in text, html.name
        assert "参数单元格" not in text and "本次为手动运行" not in text, html.name


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
        ("10_organisation", "全镇共有团员300名"),
        ("20_study", "团员平均参学率为82.6%"),
        ("30_activities", "全年共开展各类活动55次"),
        ("40_recruitment", "全年发展团员4名"),
        ("50_services", "发放资助金9,500元"),
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
    assert "发放资助金10,100元" in "\n".join(
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


def test_tampered_processed_data_is_ingested_again(report, tmp_path):
    """Issue 25's probe, with the report in place: last year's members.parquet put in this year's
    processed folder and the study records truncated, the catalogue cache deleted. The run notices (the
    processed manifest), ingests again from the raw exports and publishes the same numbers. The module's
    folders are put back afterwards."""
    yp, _, _ = report
    backup = tmp_path / "backup"
    shutil.copytree(yp.processed.parent, backup / "processed")
    shutil.copytree(yp.reports, backup / "reports")
    published = (yp.reports / "indicators.json").read_text(encoding="utf-8")
    try:
        shutil.copy(yp.processed.parent / "2021" / "members.parquet", yp.processed / "members.parquet")
        study = (yp.processed / "study_records.parquet").read_bytes()
        (yp.processed / "study_records.parquet").write_bytes(study[: len(study) // 2])
        shutil.rmtree(yp.processed / paths.CATALOGUE_DIR)
        assert run_year(yp, console=Console(file=io.StringIO(), width=200)) == 0
        assert (yp.reports / "indicators.json").read_text(encoding="utf-8") == published
        cached = json.loads((yp.processed / paths.CATALOGUE_DIR / paths.CATALOGUE_META).read_text("utf-8"))
        assert cached["headline"] == pytest.approx(json.loads(published)["indicators"])  # not 2021's roster
        assert audit(yp.processed) == []
    finally:
        shutil.rmtree(yp.processed.parent)
        shutil.copytree(backup / "processed", yp.processed.parent)
        shutil.rmtree(yp.reports)
        shutil.copytree(backup / "reports", yp.reports)
