"""``explain`` shows the reading the ingest uses (one code path): for every sheet of the sample and of a
dialect, the same kind, header rows and column sources as the ingest report, and a pasteable snippet."""

from __future__ import annotations

import pytest
import yaml

from analysis.cli import main
from analysis.common import paths
from analysis.common.config import load_config
from analysis.ingest.explain import describe, explain, snippet
from analysis.ingest.pipeline import ingest_year
from tuanwei_sample import build_town
from tuanwei_sample.dialects import DIALECTS, write_dialect


@pytest.fixture(scope="module")
def config():
    return load_config(paths.SAMPLE_CONFIG)


def _readings(result):
    return {
        (s.file, s.sheet): (
            s.kind,
            s.recognition["header_rows"],
            {k: v["how"] for k, v in s.recognition["columns"].items()},
        )
        for s in result.sources
    }


@pytest.mark.slow
@pytest.mark.parametrize("source", ["sample", "platform", "wide"])
def test_explain_matches_the_ingest(tmp_path, config, source):
    if source == "sample":
        raw = paths.SAMPLE_DIR / "2022"
    else:
        raw = tmp_path / "2022"
        write_dialect(build_town(), 2022, next(d for d in DIALECTS if d.name == source), raw)
    ingested = _readings(ingest_year(raw, config, 2022))
    explained = {}
    for item in explain(raw, config, 2022):
        if item.chosen is not None and not item.chosen.missing:
            c = item.chosen
            explained[(item.file, item.sheet)] = (
                c.kind,
                c.header_rows,
                {k: s.how for k, s in c.sources.items()},
            )
            text = "\n".join(describe(item, config))
            assert c.kind_label in text and "各列的来源" in text
            yaml.safe_load(snippet(item, config))  # the snippet is valid YAML
    assert explained == ingested


def test_explain_cli_on_an_unusual_header(tmp_path, capsys):
    """The README walk-through: a recruitment ledger whose 申请 column is spelled in a way no rule knows."""
    import openpyxl

    raw = tmp_path / "2022"
    raw.mkdir()
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "所在团支部", "交表日", "确定为入团积极分子时间", "入团时间"])
    wb.active.append(["周八", "塔岗村团支部", "2021-09-01", "2021-12-01", "2022-05-04"])
    wb.save(raw / "发展.xlsx")
    assert main(["explain", str(raw / "发展.xlsx"), "--config", str(paths.SAMPLE_CONFIG)]) == 0
    out = capsys.readouterr().out
    assert "识别为：发展团员" in out and "未使用的列：交表日" in out
    assert "周*" in out and "周八" not in out  # names are masked outside the rejected-rows workbook


def test_readme_walk_through(tmp_path, capsys):
    """The README's 导入出问题时 commands, taken from README.md itself: explain shows 交表日 unused; with the
    README's town.yml fix it is read as 申请日期."""
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 导入出问题时", 1)[1].split("\n## ", 1)[0]
    command = next(
        line.strip() for line in section.splitlines() if line.strip().startswith("python -m analysis explain")
    )
    fix = section.split("```yaml", 1)[1].split("```", 1)[0]
    argv = command.split()[3:]
    assert main(argv) == 0
    assert "未使用的列：交表日" in capsys.readouterr().out
    fixed = tmp_path / "town.yml"
    fixed.write_text(paths.SAMPLE_CONFIG.read_text(encoding="utf-8") + "\n" + _dedent(fix), encoding="utf-8")
    assert main([*argv, "--config", str(fixed)]) == 0
    assert "申请日期 ← 表头（town.yml 中的写法）“交表日”" in capsys.readouterr().out


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text)
