"""Values configured in town.yml reach every output: a copy of the sample's town.yml with another leaving
age and another label for one report section, seen in the indicators, the workbook, the charts, the
notebook tables and the summary document."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import openpyxl
import pytest
from docx import Document

from analysis.charts import figures
from analysis.common import paths
from analysis.common.config import load_config
from analysis.indicators.catalogue import Catalogue, compute
from analysis.processed import load
from analysis.report import narrative
from analysis.report.section import Section
from analysis.report.summary_doc import write_summary
from analysis.report.workbook import write_workbook

LABEL = "志愿公益"  # instead of 中心大局·志愿服务
AGE = 26  # instead of 28


@pytest.fixture(scope="module")
def cat(sample_processed: dict[int, Path], tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    text = paths.SAMPLE_CONFIG.read_text(encoding="utf-8")
    assert "leave_age: 28" in text and "label: 中心大局·志愿服务" in text
    text = text.replace("leave_age: 28", f"leave_age: {AGE}").replace(
        "label: 中心大局·志愿服务", f"label: {LABEL}"
    )
    town = tmp_path_factory.mktemp("config") / "town.yml"
    town.write_text(text, encoding="utf-8")
    config = load_config(town)
    assert config.leave_age == AGE and config.section_labels["volunteer"] == LABEL
    tables = load.processed(sample_processed[2022], 2022)
    return compute(tables, config, 2022, load.processed(sample_processed[2021], 2021))


def test_indicators(cat: Catalogue, sample_catalogue: Catalogue):
    # more members are over a lower leaving age; the default town counts those aged 28 and over
    assert cat.headline["org.overage"] > sample_catalogue.headline["org.overage"]
    assert cat.info("org.overage").label == f"超龄团员（满{AGE}周岁、非团干部）"
    assert sample_catalogue.info("org.overage").label == "超龄团员（满28周岁、非团干部）"
    assert list(cat.tables["org_by_age"]["age_band"])[-2:] == ["22–25 岁", f"{AGE} 岁及以上"]
    labels = dict(zip(cat.summary_table()["key"], cat.summary_table()["label"], strict=True))
    assert labels["act.count.volunteer"] == f"{LABEL}活动"
    assert labels["act.count.ideology"] == "政治建设·思想引领活动"  # the others keep the default


def test_workbook(cat: Catalogue, tmp_path: Path):
    book = openpyxl.load_workbook(write_workbook(cat, tmp_path / "indicators.xlsx"))
    summary = [c.value for row in book["指标汇总"].iter_rows() for c in row]
    assert f"{LABEL}活动" in summary and f"超龄团员（满{AGE}周岁、非团干部）" in summary
    by_section = [c.value for row in book["活动（按板块）"].iter_rows() for c in row]
    assert LABEL in by_section and "中心大局·志愿服务" not in by_section


def test_charts(cat: Catalogue):
    try:
        fig = figures.activities_by_section(cat)
        ticks = [t.get_text().replace("\n", "") for t in fig.axes[0].get_xticklabels()]
        assert LABEL in ticks and "中心大局·志愿服务" not in ticks
        fig = figures.activities_by_month(cat)
        legend = [t.get_text() for leg in fig.legends + [a.get_legend() for a in fig.axes if a.get_legend()]
                  for t in leg.get_texts()]  # fmt: skip
        assert LABEL in legend
        fig = figures.age_structure(cat)
        assert f"{AGE}岁及以上" in [t.get_text() for t in fig.axes[0].get_xticklabels()]
    finally:
        plt.close("all")


def test_notebook_tables_and_summary_document(cat: Catalogue, tmp_path: Path):
    reports = tmp_path / "reports"
    org = Section(reports, "organisation", "团组织与团员", 10)
    org.say(narrative.organisation(cat))
    org.save()
    act = Section(reports, "activities", "活动与志愿服务", 30)
    act.say(narrative.activities(cat))
    act.table(cat, "act_by_section")
    act.save()
    table = next(i for i in act.items if i["type"] == "table")
    assert [row[0] for row in table["rows"]][:2] == ["政治建设·思想引领", LABEL]  # what the notebook shows
    doc = Document(str(write_summary(cat, reports, tmp_path / "summary.docx").path))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert f"年满{AGE}周岁" in text and f"{LABEL}类" in text
    assert f"{LABEL}活动" in cells and f"超龄团员（满{AGE}周岁、非团干部）" in cells and LABEL in cells
    assert not any("中心大局·志愿服务" in t for t in [text, *cells])
