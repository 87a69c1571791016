"""The parameterised notebooks: discovery, parameter checks, execution with papermill, HTML export."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.paths import NOTEBOOKS_DIR

REPORT_NOTEBOOK = re.compile(r"^\d{2}_[a-z0-9_]+\.ipynb$")
KERNEL = "python3"


@dataclass(frozen=True)
class Notebook:
    path: Path
    title: str
    depends: tuple[str, ...]  # catalogue table / headline key patterns the notebook reads

    @property
    def name(self) -> str:
        return self.path.stem

    def source_hash(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def report_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Notebook]:
    """notebooks/NN_name.ipynb in order (the query notebook is not part of the yearly report)."""
    out = []
    for path in sorted(folder.glob("*.ipynb")):
        if not REPORT_NOTEBOOK.match(path.name):
            continue
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("tuanwei", {})
        out.append(Notebook(path, str(meta.get("title", path.stem)), tuple(meta.get("depends", ["*"]))))
    return out


def check_parameters(nb: Notebook, parameters: dict[str, Any]) -> None:
    """Every parameter we pass must exist in the notebook's parameters cell (papermill only warns)."""
    import papermill

    declared = set(papermill.inspect_notebook(str(nb.path)))
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise AnalysisError(
            f"笔记本 {nb.path.name} 的参数单元格缺少参数：{'、'.join(unknown)}",
            hint="请在该笔记本带 parameters 标签的单元格中定义这些参数（默认值用示例镇）。",
        )


def execute(
    nb: Notebook, output: Path, parameters: dict[str, Any], cwd: Path, shown_path: Path | None = None
) -> None:
    """Run one notebook with papermill in this process's environment; Chinese error on failure.

    ``shown_path``: where the executed notebook will finally live (recorded in its metadata instead of
    ``output`` when the run writes into a staging folder)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(nb.path),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            cwd=str(cwd),
            shutdown_kernel="immediate",
            log_output=False,
            extra_arguments=[
                "--IPKernelApp.log_level=ERROR"
            ],  # no start-up chatter in the analyst's terminal
        )
    except PapermillExecutionError as exc:
        lines = [line for line in str(exc.evalue).splitlines() if line.strip()]
        raise NotebookFailed(
            nb, output, exc.exec_count, exc.ename, lines[-1] if lines else exc.ename
        ) from None
    if shown_path is not None:
        import nbformat

        executed = nbformat.read(str(output), as_version=4)
        executed.metadata.setdefault("papermill", {})["output_path"] = str(shown_path)
        nbformat.write(executed, str(output))


class NotebookFailed(AnalysisError):
    """A notebook cell raised: names the notebook and the cell; ``output`` holds the executed copy."""

    def __init__(self, nb: Notebook, output: Path, cell: int, ename: str, detail: str):
        self.output = output
        self.nb = nb
        super().__init__(
            f"笔记本“{nb.title}”（{nb.path.name}）第 {cell} 个代码单元格运行出错：{ename}：{detail}"
        )

    def saved_at(self, path: Path) -> AnalysisError:
        return AnalysisError(
            self.message, hint=f"出错的笔记本已保存为 {path}，可在 JupyterLab 中打开查看出错位置。"
        )


def depends_on(nb: Notebook, names: list[str]) -> list[str]:
    """The catalogue parts (table names / headline keys) matching the notebook's dependency patterns."""
    return sorted(n for n in names if any(fnmatch.fnmatch(n, p) for p in nb.depends))


def export_html(notebook_file: Path, html_file: Path) -> None:
    """An HTML copy of an executed notebook for reading in a browser (code cells hidden)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nbformat.read(str(notebook_file), as_version=4))
    html_file.write_text(body, encoding="utf-8")
