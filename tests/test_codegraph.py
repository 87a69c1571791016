"""The runtime package's import graph: no cycle, no sample or benchmark code, and the code fingerprint
that decides re-ingest follows what the ingest actually imports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from analysis import codegraph
from analysis.common import paths

RUNTIME_ENTRY_POINTS = [
    "analysis.cli",
    "analysis.ingest.pipeline",
    "analysis.ingest.explain",
    "analysis.indicators.catalogue",
    "analysis.report.run",
    "analysis.report.summary_doc",
    "analysis.report.notebook",
    "analysis.query.cli",
    "analysis.charts",
    "analysis.report.narrative",
]


def test_runtime_package_has_no_import_cycle():
    assert codegraph.cycles(codegraph.import_graph()) == []


def test_cycles_are_found_in_a_hand_made_graph():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert codegraph.cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert codegraph.cycles({"a": {"b"}, "b": set()}) == []


def test_graph_reads_lazy_relative_and_type_checking_imports(tmp_path):
    package = tmp_path / "analysis"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import leaf\n")
    (package / "sub" / "leaf.py").write_text("x = 1\n")
    (package / "top.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from analysis import other\n"
        "def f():\n    from analysis.sub.leaf import x\n    return x\n"
    )
    (package / "other.py").write_text("import analysis.top\n")
    graph = codegraph.import_graph(package)
    assert graph["analysis.top"] == {"analysis.sub.leaf"}  # lazy import counted, TYPE_CHECKING one not
    assert graph["analysis.sub"] == {"analysis.sub.leaf"}  # relative import
    assert graph["analysis.other"] == {"analysis.top"}
    # importing analysis.top runs the packages above the leaf too
    assert codegraph.closure(["analysis.top"], package) == {
        "analysis",
        "analysis.top",
        "analysis.sub",
        "analysis.sub.leaf",
    }


def test_runtime_imports_load_no_sample_or_benchmark_module():
    script = (
        "import importlib, json, sys\n"
        f"for name in {RUNTIME_ENTRY_POINTS!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout)
    assert "analysis.report.run" in loaded
    assert [m for m in loaded if m.split(".")[0] in ("tuanwei_sample", "benchmarks")] == []
    # nor does any runtime module name them at import time (cli and docs import the sample lazily)
    graph = codegraph.import_graph()
    assert all(not m.startswith("analysis.sample") for m in graph)


def _copy_package(tmp_path: Path) -> Path:
    copy = tmp_path / "src" / "analysis"
    shutil.copytree(paths.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _touch(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")


def test_ingest_fingerprint_follows_the_modules_the_ingest_imports(tmp_path):
    copy = _copy_package(tmp_path)
    before = codegraph.code_fingerprint(codegraph.INGEST, copy)
    assert before == codegraph.code_fingerprint(codegraph.INGEST)  # same source, same fingerprint
    ingest = codegraph.closure(codegraph.INGEST, copy)
    # helpers the old hand-kept list forgot are part of it; the charts and the docs are not
    assert {"analysis.safety.safe_io", "analysis.common.errors", "analysis.ingest.readers"} <= ingest
    assert not {"analysis.charts.style", "analysis.docs", "analysis.report.run"} & ingest

    _touch(copy / "charts" / "style.py")
    assert codegraph.code_fingerprint(codegraph.INGEST, copy) == before
    _touch(copy / "safety" / "safe_io.py")
    after_helper = codegraph.code_fingerprint(codegraph.INGEST, copy)
    assert after_helper != before
    _touch(copy / "resources" / "kinds.yml")
    assert codegraph.code_fingerprint(codegraph.INGEST, copy) != after_helper


TOWN = "town: 测试镇\nbranches:\n  - {name: 塔岗村团支部, type: 村}\n"


def test_changing_a_helper_module_re_ingests(tmp_path, monkeypatch):
    from analysis.common.config import load_config
    from analysis.processed.workspace import ensure_processed

    raw = tmp_path / "raw" / "2022"
    raw.mkdir(parents=True)
    (raw / "团员名册.csv").write_text(
        "姓名,所在团支部\n张三,塔岗村团支部\n李四,塔岗村团支部\n", encoding="utf-8"
    )
    (tmp_path / "town.yml").write_text(TOWN, encoding="utf-8")
    yp = paths.YearPaths(
        2022, raw, tmp_path / "processed" / "2022", tmp_path / "reports", tmp_path / "town.yml"
    )
    config = load_config(yp.config)
    copy = _copy_package(tmp_path)
    monkeypatch.setattr(codegraph, "PACKAGE_DIR", copy)  # the fingerprint reads the copy's source

    tables, ingested = ensure_processed(yp, config)
    assert ingested and len(tables.members) == 2
    assert ensure_processed(yp, config)[1] is False  # nothing changed: no re-ingest
    _touch(copy / "charts" / "style.py")  # not imported by the ingest
    assert ensure_processed(yp, config)[1] is False
    _touch(copy / "common" / "errors.py")  # a helper the ingest imports (missing from the old hand-kept list)
    assert ensure_processed(yp, config)[1] is True
    assert ensure_processed(yp, config)[1] is False


def test_notebook_imports_read_from_code_cells(tmp_path):
    cells = [
        {"cell_type": "markdown", "source": ["from analysis import docs\n"]},
        {
            "cell_type": "code",
            "source": [
                "%matplotlib inline\n",
                "from analysis import charts\n",
                "from analysis.report import narrative\n",
            ],
        },
        {"cell_type": "code", "source": "import pandas as pd\nfrom analysis.report.notebook import start"},
    ]
    notebook = tmp_path / "x.ipynb"
    notebook.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert codegraph.notebook_imports(notebook) == {
        "analysis.charts",
        "analysis.report.narrative",
        "analysis.report.notebook",
    }


def test_report_code_covers_what_only_the_notebooks_import():
    from analysis.report import notebook_runner as nbs

    notebooks = nbs.report_notebooks()
    roots = set(codegraph.REPORT).union(*(codegraph.notebook_imports(nb.path) for nb in notebooks))
    covered = codegraph.closure(roots)
    assert {"analysis.report.narrative", "analysis.charts.style", "analysis.report.summary_doc"} <= covered
    assert not {"analysis.docs", "analysis.query.cli", "analysis.cli"} & covered


def test_no_import_runs_back_up():
    """config never imports the ingest, and neither the ingest nor load / completeness imports the
    indicators: editing an indicator's definition never re-ingests a year."""
    from analysis import codegraph

    def reached(roots: tuple[str, ...], prefix: str) -> list[str]:
        return sorted(m for m in codegraph.closure(roots) if m.startswith(prefix))

    assert reached(("analysis.common.config",), "analysis.ingest") == []
    assert reached(codegraph.INGEST, "analysis.indicators") == []
    assert (
        reached(("analysis.processed.load", "analysis.processed.completeness"), "analysis.indicators") == []
    )


def test_packages_import_only_downwards():
    """`common` imports no other package of the suite; `safety` only `common`; the ingest and the
    processed tables never the indicators, charts, report, query or county."""
    from analysis import codegraph

    graph = codegraph.import_graph()

    def outside(package: str, allowed: tuple[str, ...]) -> list[str]:
        return sorted(
            f"{m} → {d}"
            for m, deps in graph.items()
            if m.startswith(package + ".")
            for d in deps
            if d != "analysis" and not d.startswith(allowed)
        )

    assert outside("analysis.common", ("analysis.common",)) == []
    assert outside("analysis.safety", ("analysis.common", "analysis.safety")) == []
    lower = (
        "analysis.common",
        "analysis.safety",
        "analysis.ingest",
        "analysis.processed",
        "analysis.codegraph",
    )
    assert outside("analysis.ingest", lower) == []
    assert outside("analysis.processed", lower) == []


def test_ingest_fingerprint_ignores_the_indicators(tmp_path):
    """A copy of the package whose indicators changed has the same ingest fingerprint."""
    import shutil

    from analysis import codegraph
    from analysis.common.paths import PACKAGE_DIR

    copy = tmp_path / "analysis"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = codegraph.code_fingerprint(codegraph.INGEST, copy)
    study = copy / "indicators" / "study.py"
    study.write_text(study.read_text(encoding="utf-8") + "\n# a changed definition\n", encoding="utf-8")
    assert codegraph.code_fingerprint(codegraph.INGEST, copy) == before
    pipeline = copy / "ingest" / "pipeline.py"
    pipeline.write_text(pipeline.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert codegraph.code_fingerprint(codegraph.INGEST, copy) != before
