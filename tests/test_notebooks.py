"""Notebook hygiene: committed without outputs, a parameters cell with the run's parameters, and runnable
top to bottom with their default parameters (as the analyst does in JupyterLab)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from analysis.common import paths
from analysis.common.errors import AnalysisError
from analysis.report import notebook_runner as nbs

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
RUN_PARAMETERS = {"year", "raw_dir", "processed_dir", "reports_dir", "config_path"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None


@pytest.mark.parametrize("nb", nbs.report_notebooks(), ids=lambda n: n.name)
def test_report_notebook_parameters(nb: nbs.Notebook):
    params = papermill.inspect_notebook(str(nb.path))
    assert set(params) == RUN_PARAMETERS == nbs.declared_parameters(nb.path)  # the run's own reading too
    assert params["raw_dir"]["default"].strip('"') == "data/sample/2022"
    cells = nbformat.read(str(nb.path), as_version=4).cells
    code = [c for c in cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert max(len(c.source.splitlines()) for c in code) <= 8  # thin: logic lives in the package


def test_every_report_notebook_is_listed():
    assert [nb.name for nb in nbs.report_notebooks()] == [
        "00_overview",
        "10_organisation",
        "20_study",
        "30_activities",
        "40_recruitment",
        "50_services",
    ]


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["00_overview.ipynb", "query_participation.ipynb"])
def test_runs_with_default_parameters(name: str, tmp_path: Path):
    """As in JupyterLab: no injected parameters; paths resolve against the project root (here a copy).
    A published report is there already (reports/sample/2022): the notebook run by hand leaves every
    file under reports/ byte-identical and writes only into reports/交互运行/."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    os.symlink(paths.SAMPLE_DIR, root / "data" / "sample")
    shutil.copytree(paths.NOTEBOOKS_DIR, root / "notebooks")
    published = root / "reports" / "sample" / "2022"
    (published / "figures").mkdir(parents=True)
    (published / "sections").mkdir()
    (published / "manifest.json").write_text('{"year": 2022}', encoding="utf-8")
    (published / "figures" / "01_overview_yoy.png").write_bytes(b"published figure")
    (published / "sections" / "00_overview.json").write_text('{"items": []}', encoding="utf-8")
    before = _hashes(root / "reports")
    env = {"TUANWEI_ROOT": str(root)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        if name.startswith("query"):
            from analysis.common.config import load_config
            from analysis.ingest.pipeline import ingest_year, write_processed

            result = ingest_year(paths.SAMPLE_DIR / "2022", load_config(paths.SAMPLE_CONFIG), 2022)
            write_processed(result, root / "data" / "processed" / "sample" / "2022")
        papermill.execute_notebook(
            str(root / "notebooks" / name),
            str(tmp_path / name),
            kernel_name="python3",
            progress_bar=False,
            cwd=str(root / "notebooks"),
            shutdown_kernel="immediate",
        )
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    out = nbformat.read(str(tmp_path / name), as_version=4)
    text = json.dumps(out.cells, ensure_ascii=False)
    assert '"output_type": "error"' not in text
    shown = [o["data"]["text/plain"] for c in out.cells for o in c.get("outputs", []) if "data" in o]
    assert shown
    for plain in shown:  # values are shown through the formatting helpers, never as Python reprs
        assert not plain.startswith(("'", '"')) and " object at 0x" not in plain, plain[:80]
        assert "NaN" not in plain and "<IPython" not in plain, plain[:80]
    after = _hashes(root / "reports")
    assert {k: v for k, v in after.items() if k in before} == before  # the published report: untouched
    new = sorted(set(after) - set(before))
    assert all(k.startswith("交互运行/") for k in new), new
    if name.startswith("00"):
        scratch = root / "reports" / "交互运行" / "sample" / "2022"
        assert (scratch / "figures" / "01_overview_yoy.png").is_file()
        assert (scratch / "sections" / "00_overview.json").is_file()
        assert "本次为手动运行：图表和文字写入 reports/交互运行/sample/2022" in text
    else:
        assert "√" in text


@pytest.mark.e2e
def test_sequential_runner_shares_one_kernel(sample_processed, tmp_path: Path):
    """The path Windows takes (one kernel in this process, notebooks one after another)."""
    chosen = [nb for nb in nbs.report_notebooks() if nb.name in ("40_recruitment", "50_services")]
    jobs = [nbs.Job(nb, tmp_path / "nb" / nb.path.name, tmp_path / "nb" / nb.path.name) for nb in chosen]
    params = {
        "year": "2022",
        "raw_dir": str(paths.SAMPLE_DIR / "2022"),
        "processed_dir": str(sample_processed[2022]),
        "reports_dir": str(tmp_path / "reports"),
        "config_path": str(paths.SAMPLE_CONFIG),
    }
    seen = []
    nbs.run_jobs(jobs, params, paths.ROOT, lambda job, seconds: seen.append(job.nb.name), workers=1)
    assert seen == ["40_recruitment", "50_services"]
    for job in jobs:
        counts = [
            c.execution_count
            for c in nbformat.read(str(job.output), as_version=4).cells
            if c.cell_type == "code"
        ]
        assert counts[0] == 1 and counts == sorted(counts)
        assert job.output.with_suffix(".html").is_file()
    assert (tmp_path / "reports" / "sections" / "50_services.json").is_file()


def test_parameters_cell_read_without_papermill(tmp_path: Path):
    """The run's check reads the parameters cell itself; a parameter it would pass but the cell lacks is
    refused by name."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "x = 1"},
        {
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "source": ["year = 2022  # 年度\n", 'raw_dir: str = "data"\n', "import os\n"],
        },
        {"cell_type": "code", "metadata": {}, "source": "later = 3"},
    ]
    path = tmp_path / "99_t.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert nbs.declared_parameters(path) == {"year", "raw_dir"}
    nb = nbs.Notebook(path, "t", ("*",))
    nbs.check_parameters(nb, {"year": 2023})
    with pytest.raises(AnalysisError, match="缺少参数：later"):
        nbs.check_parameters(nb, {"year": 2023, "later": 1})


def test_html_copy_hides_developer_text_and_aligns_chinese_left(tmp_path: Path):
    """The HTML a reader opens: no code, no parameters cell and no words about it; the header of a text
    column is left-aligned like its cells (JupyterLab's style right-aligns every header)."""
    import nbformat.v4 as v4

    from analysis.common import formatting

    for nb in nbs.report_notebooks():
        source = nbformat.read(str(nb.path), as_version=4)
        markdown = "\n".join(c.source for c in source.cells if c.cell_type == "markdown")
        parameters = next(c for c in source.cells if "parameters" in c.metadata.get("tags", []))
        assert "parameters" not in markdown and "python -m" not in markdown, nb.name
        assert parameters.source.startswith("# 默认值为内置示例镇")  # the analyst's note: in the code
    table = formatting.table(pd.DataFrame({"指标": ["团员总数"], "本年": [300]}))
    cell = v4.new_code_cell(parameters.source, execution_count=1)
    cell.outputs = [
        v4.new_output("display_data", {"text/html": table._repr_html_(), "text/plain": repr(table)})
    ]
    nb = v4.new_notebook(cells=[v4.new_markdown_cell(source.cells[0].source), cell])
    nbformat.write(nb, str(tmp_path / "x.ipynb"))
    nbs.export_html(tmp_path / "x.ipynb", tmp_path / "x.html")
    html = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "默认值为内置示例镇" not in html and "parameters" not in html.split("<body", 1)[1]
    assert (
        '<th style="text-align:left">指标</th>' in html and '<th style="text-align:right">本年</th>' in html
    )
    assert (
        formatting.table(pd.DataFrame({"团支部": ["塔岗村团支部"]}))
        ._repr_html_()
        .startswith('<table><thead><tr><th style="text-align:left">团支部</th>')
    )


def test_project_jupyter_configuration_opens_lab_in_chinese_without_news():
    """`make lab` starts JupyterLab with JUPYTER_CONFIG_DIR=jupyter: its settings defaults (as JupyterLab
    reads them) put the interface in Simplified Chinese and turn the news pop-up off; what a user
    changes is kept outside the repository."""
    from importlib import metadata

    from jupyterlab_server.settings_utils import _get_overrides
    from traitlets.config import Config

    folder = paths.ROOT / "jupyter"
    config_file = folder / "jupyter_lab_config.py"
    config = Config()
    code = compile(config_file.read_text(encoding="utf-8"), str(config_file), "exec")
    exec(code, {"get_config": lambda: config, "__file__": str(config_file)})
    settings = Path(config.LabApp.app_settings_dir)
    assert settings == folder / "lab" / "settings"
    for kept in (config.LabApp.user_settings_dir, config.LabApp.workspaces_dir):
        assert not Path(kept).is_relative_to(paths.ROOT)
    overrides, error = _get_overrides(str(settings))
    assert not error
    assert overrides["@jupyterlab/translation-extension:plugin"] == {"locale": "zh_CN"}
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert metadata.version("jupyterlab-language-pack-zh-CN")
