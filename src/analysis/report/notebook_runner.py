"""The parameterised notebooks: discovery, parameter checks, execution with papermill, HTML export."""

from __future__ import annotations

import ast
import contextlib
import fnmatch
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.common.errors import AnalysisError
from analysis.common.paths import NOTEBOOKS_DIR
from analysis.safety import processes

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# Set in the kernels this module starts: the notebook was given its parameters by a program and writes
# where its ``reports_dir`` says (context.open_year). Unset in a kernel JupyterLab starts.
RUNNER_ENV = "TUANWEI_NOTEBOOK_RUNNER"
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


def declared_parameters(path: Path) -> set[str]:
    """The names the notebook's ``parameters`` cell assigns (what papermill.inspect_notebook lists, read
    without importing papermill: the run checks every notebook before it starts any)."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            tree = ast.parse(source if isinstance(source, str) else "".join(source))
            names: set[str] = set()
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
            return names
    return set()


def check_parameters(nb: Notebook, parameters: dict[str, Any]) -> None:
    """Every parameter we pass must exist in the notebook's parameters cell (papermill only warns)."""
    unknown = sorted(set(parameters) - declared_parameters(nb.path))
    if unknown:
        raise AnalysisError(
            f"笔记本 {nb.path.name} 的参数单元格缺少参数：{'、'.join(unknown)}",
            hint="请在该笔记本带 parameters 标签的单元格中定义这些参数（默认值用示例镇）。",
        )


def _kernel_manager_class() -> Any:
    """On Linux/macOS kernels talk over IPC sockets: no TCP port to race for when two kernels start side
    by side (papermill issue 511), and no local TCP traffic. Windows keeps jupyter's TCP default."""
    from jupyter_client.manager import KernelManager

    if os.name != "posix":
        return KernelManager
    from traitlets import default

    class IPCKernelManager(KernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @default("ip")
        def _default_ip(self) -> str:  # a socket path of its own for every kernel (short: macOS limit)
            return os.path.join(tempfile.gettempdir(), f"tuanwei-{uuid.uuid4().hex[:12]}")

    return IPCKernelManager


def start_kernel(cwd: Path) -> Any:
    """One kernel, reused for several notebooks (each notebook sets all its names itself): a kernel start
    and the package imports are paid once, not once per notebook."""
    km = _kernel_manager_class()(kernel_name=KERNEL)
    km.start_kernel(
        extra_arguments=["--IPKernelApp.log_level=ERROR"], cwd=str(cwd), env=_runner_environment()
    )
    return km


def _runner_environment() -> dict[str, str]:
    """A kernel's environment: this process's, marked as the runner's (the notebooks write where their
    ``reports_dir`` parameter says, not to the 交互运行 folder of a notebook run by hand)."""
    return {**os.environ, RUNNER_ENV: "1"}


def stop_kernel(km: Any) -> None:
    if km is not None and km.has_kernel:
        km.shutdown_kernel(now=True)
        km.cleanup_resources()


def execute(
    nb: Notebook,
    output: Path,
    parameters: dict[str, Any],
    cwd: Path,
    shown_path: Path | None = None,
    km: Any = None,
) -> None:
    """Run one notebook with papermill (in ``km``'s kernel when given, else a fresh one); Chinese error
    on failure.

    ``shown_path``: where the executed notebook will finally live (recorded in its metadata instead of
    ``output`` when the run writes into a staging folder)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    extra: dict[str, Any] = (
        {"km": km} if km is not None else {"kernel_manager_class": _kernel_manager_class()}
    )
    try:
        with _marked_environment() if km is None else contextlib.nullcontext():
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
    executed = nbformat.read(str(output), as_version=4)
    _renumber(executed)
    if shown_path is not None:
        executed.metadata.setdefault("papermill", {})["output_path"] = str(shown_path)
    nbformat.write(executed, str(output))


@contextlib.contextmanager
def _marked_environment() -> Iterator[None]:
    """While papermill starts a kernel of its own: the runner's mark in this process's environment."""
    before = os.environ.get(RUNNER_ENV)
    os.environ[RUNNER_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(RUNNER_ENV, None)
        else:
            os.environ[RUNNER_ENV] = before


def _renumber(nb: Any) -> None:
    """Execution counts from 1 in every notebook, even when the kernel ran another notebook before."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for out in cell.get("outputs", []):
            if "execution_count" in out:
                out["execution_count"] = count


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


_WORKER_KERNEL: Any = None


def _worker_kernel(cwd: Path) -> Any:
    """The kernel of this worker process, started on first use and shut down when the worker exits."""
    global _WORKER_KERNEL
    if _WORKER_KERNEL is None:
        _WORKER_KERNEL = start_kernel(cwd)
        multiprocessing.util.Finalize(None, stop_kernel, args=(_WORKER_KERNEL,), exitpriority=10)
    return _WORKER_KERNEL


def run_job(job: Job, parameters: dict[str, Any], cwd: Path, km: Any = None) -> float:
    """Execute one notebook and write its HTML copy; returns the seconds it took."""
    started = time.perf_counter()
    execute(
        job.nb, job.output, parameters, cwd, job.shown_path, km=km if km is not None else _worker_kernel(cwd)
    )
    export_html(job.output, job.output.with_suffix(".html"))
    return time.perf_counter() - started


WARM_UP = "from analysis import charts\nfrom analysis.report import narrative\nfrom analysis.report.notebook import start\n"
"""What every report notebook imports first (its second cell), loaded into a worker's kernel ahead."""
KERNEL_READY_SECONDS = 120


def warm_up(cwd: Path) -> None:
    """In a worker process: load the worker's own imports, start its kernel and load the notebooks'
    imports into it, while the run is still ingesting (ingest uses one core). A failure here is left
    for the notebook itself to meet and report."""
    import nbformat  # noqa: F401  (execute and export_html import these)
    import papermill  # noqa: F401
    from nbconvert import HTMLExporter  # noqa: F401

    client = _worker_kernel(cwd).client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=KERNEL_READY_SECONDS)
        client.execute_interactive(
            WARM_UP, store_history=False, timeout=KERNEL_READY_SECONDS, output_hook=lambda _msg: None
        )
    finally:
        client.stop_channels()


def parallel(workers: int = 2) -> int:
    """How many worker processes run the notebooks: one per core up to ``workers`` where kernels use IPC
    sockets (POSIX); 1 means one kernel in the run's own process."""
    return min(workers, os.cpu_count() or 1) if os.name == "posix" else 1


@contextlib.contextmanager
def started_workers(
    cwd: Path, start: bool, environment: dict[str, str], workers: int = 2
) -> Iterator[ProcessPoolExecutor | None]:
    """The notebook workers, started now and warmed up (``warm_up``) while the caller goes on; None when
    ``start`` is false or the notebooks run in this process. ``environment``: what the notebooks' kernels
    must see that the caller sets only later (the run's staging folder). Leaving the block stops the
    workers (at once on an exception, see processes.worker_pool)."""
    count = parallel(workers)
    if not start or count <= 1:
        yield None
        return
    with processes.worker_pool(count, environment) as pool:
        with processes.signals_blocked():
            for _ in range(count):
                pool.submit(warm_up, cwd)
        yield pool


def run_jobs(
    jobs: list[Job],
    parameters: dict[str, Any],
    cwd: Path,
    done: Callable[[Job, float], None],
    workers: int = 2,
    pool: ProcessPoolExecutor | None = None,
) -> None:
    """Run the notebooks: two worker processes with one kernel each where kernels use IPC sockets (one
    per core; ``pool``: workers started ahead by ``started_workers``), else one kernel in this process.
    Each notebook writes only its own section and figures, so they do not interfere. The first failure
    stops the run (the remaining notebooks are cancelled)."""
    if pool is not None and jobs:
        _submit_all(pool, jobs, parameters, cwd, done)
        return
    workers = min(parallel(workers), len(jobs))
    if workers <= 1:
        km = start_kernel(cwd) if jobs else None
        try:
            for job in jobs:
                done(job, run_job(job, parameters, cwd, km))
        finally:
            stop_kernel(km)
        return
    with processes.worker_pool(workers) as own:
        _submit_all(own, jobs, parameters, cwd, done)


def _submit_all(
    pool: ProcessPoolExecutor,
    jobs: list[Job],
    parameters: dict[str, Any],
    cwd: Path,
    done: Callable[[Job, float], None],
) -> None:
    with processes.signals_blocked():
        futures = {pool.submit(run_job, job, parameters, cwd): job for job in jobs}
    for future in as_completed(futures):
        done(futures[future], future.result())


def depends_on(nb: Notebook, names: list[str]) -> list[str]:
    """The catalogue parts (table names / headline keys) matching the notebook's dependency patterns."""
    return sorted(n for n in names if any(fnmatch.fnmatch(n, p) for p in nb.depends))


PARAMETER_TAGS = frozenset({"parameters", "injected-parameters"})  # papermill's: left out of the HTML


def export_html(notebook_file: Path, html_file: Path) -> None:
    """An HTML copy of an executed notebook for reading in a browser: code hidden, the parameters cells
    left out altogether (what a reader sees is the notebook's text, tables and charts)."""
    import logging

    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    logging.getLogger("traitlets").setLevel(logging.ERROR)  # "alternative text is missing" notices
    exporter = HTMLExporter(template_name="lab")
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(PARAMETER_TAGS)), enabled=True)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nbformat.read(str(notebook_file), as_version=4))
    html_file.write_text(body, encoding="utf-8")
