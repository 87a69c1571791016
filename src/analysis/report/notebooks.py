"""The parameterised notebooks: discovery, parameter checks, execution with papermill, HTML export."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import multiprocessing
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
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


def _kernel_manager() -> Any:
    """On Linux/macOS kernels talk over IPC sockets: no TCP port to race for when notebooks run side by side
    (papermill issue 511), and no unencrypted local TCP traffic. Windows keeps the default TCP transport."""
    if os.name != "posix":
        return None
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @default("ip")
        def _default_ip(self) -> str:  # a socket path of its own for every kernel (short: macOS limit)
            return os.path.join(tempfile.gettempdir(), f"tuanwei-{uuid.uuid4().hex[:12]}")

    return IPCKernelManager


def execute(
    nb: Notebook, output: Path, parameters: dict[str, Any], cwd: Path, shown_path: Path | None = None
) -> None:
    """Run one notebook with papermill in this process's environment; Chinese error on failure.

    ``shown_path``: where the executed notebook will finally live (recorded in its metadata instead of
    ``output`` when the run writes into a staging folder)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    extra: dict[str, Any] = {}
    manager = _kernel_manager()
    if manager is not None:
        extra["kernel_manager_class"] = manager
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
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no start-up chatter in the terminal
            **extra,
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
        self.nb, self.output, self.cell, self.ename, self.detail = nb, output, cell, ename, detail
        super().__init__(
            f"笔记本“{nb.title}”（{nb.path.name}）第 {cell} 个代码单元格运行出错：{ename}：{detail}"
        )

    def __reduce__(self) -> tuple[Any, ...]:  # raised in a worker process, re-raised in the run
        return (NotebookFailed, (self.nb, self.output, self.cell, self.ename, self.detail))

    def saved_at(self, path: Path) -> AnalysisError:
        return AnalysisError(
            self.message, hint=f"出错的笔记本已保存为 {path}，可在 JupyterLab 中打开查看出错位置。"
        )


@dataclass(frozen=True)
class Job:
    nb: Notebook
    output: Path
    shown_path: Path


def run_job(job: Job, parameters: dict[str, Any], cwd: Path) -> float:
    """Execute one notebook and write its HTML copy; returns the seconds it took."""
    started = time.perf_counter()
    execute(job.nb, job.output, parameters, cwd, job.shown_path)
    export_html(job.output, job.output.with_suffix(".html"))
    return time.perf_counter() - started


def run_jobs(
    jobs: list[Job],
    parameters: dict[str, Any],
    cwd: Path,
    done: Callable[[Job, float], None],
    workers: int = 2,
) -> None:
    """Run the notebooks, two at a time where kernels use IPC (one per core), else one after another.

    Each notebook writes only its own section and figures, so they do not interfere. The first failure
    stops the run (the remaining notebooks are cancelled)."""
    workers = min(workers, os.cpu_count() or 1, len(jobs))
    if workers <= 1 or os.name != "posix":
        for job in jobs:
            done(job, run_job(job, parameters, cwd))
        return
    context = multiprocessing.get_context("spawn")  # never fork a process that has threads running
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(run_job, job, parameters, cwd): job for job in jobs}
        try:
            for future in as_completed(futures):
                done(futures[future], future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def depends_on(nb: Notebook, names: list[str]) -> list[str]:
    """The catalogue parts (table names / headline keys) matching the notebook's dependency patterns."""
    return sorted(n for n in names if any(fnmatch.fnmatch(n, p) for p in nb.depends))


def export_html(notebook_file: Path, html_file: Path) -> None:
    """An HTML copy of an executed notebook for reading in a browser (code cells hidden)."""
    import logging

    import nbformat
    from nbconvert import HTMLExporter

    logging.getLogger("traitlets").setLevel(logging.ERROR)  # "alternative text is missing" notices
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nbformat.read(str(notebook_file), as_version=4))
    html_file.write_text(body, encoding="utf-8")
