"""A real ``python -m analysis run`` stopped by SIGTERM, Ctrl-C (SIGINT to the whole process group, as a
terminal sends it) or SIGKILL leaves no worker or kernel behind (psutil), prints one Chinese line and
no traceback; the hint commands the CLI prints work when executed as printed.

Each run happens in a copy of the project (TUANWEI_ROOT) under tmp_path: nothing is written into the
checkout. These tests start real processes (a few seconds each)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from analysis.common import paths

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.name != "posix", reason="POSIX signals and process groups"),
]
HINT = re.compile(r"(?:请先运行|可先运行)：(python -m analysis [^（）。，]+)")
KERNELS_WITHIN = 120  # seconds: generous, the machine may be busy
GONE_WITHIN = 5.0  # children must be gone this long after SIGTERM / SIGINT
ORPHANS_GONE_WITHIN = 10.0  # … and this long after SIGKILL of the run itself


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project (notebooks/, config/, data/sample/) shared by the tests of this module, in
    order: the hint test ingests the sample, so that the interrupted runs reach the notebooks quickly."""
    root = tmp_path_factory.mktemp("interrupts") / "project"
    shutil.copytree(paths.NOTEBOOKS_DIR, root / "notebooks")
    shutil.copytree(paths.ROOT / "config", root / "config")
    shutil.copytree(paths.SAMPLE_DIR, root / "data" / "sample")
    return root


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "TUANWEI_ROOT": str(root), "COLUMNS": "300", "PYTHONUNBUFFERED": "1"}


def _cli(root: Path, command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "analysis"], command
    return subprocess.run(
        [sys.executable, *argv[1:]], cwd=root, env=_env(root), capture_output=True, text=True, timeout=timeout
    )


def _hint(output: str) -> str:
    found = HINT.search(" ".join(output.split()))
    assert found, output
    return found.group(1).strip()


def _running(procs: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.NoSuchProcess:
            continue
    return alive


def _wait_for_kernels(run: subprocess.Popen[str]) -> list[psutil.Process]:
    """The run's descendants once two notebook kernels are up (the run is deep in its work)."""
    parent = psutil.Process(run.pid)
    deadline = time.monotonic() + KERNELS_WITHIN
    while time.monotonic() < deadline:
        assert run.poll() is None, run.communicate()[0]
        children = parent.children(recursive=True)
        kernels = []
        for child in children:
            try:
                if "ipykernel" in " ".join(child.cmdline()):
                    kernels.append(child)
            except psutil.NoSuchProcess:
                continue
        if len(kernels) >= 2:
            time.sleep(0.2)  # let the notebooks get going
            return parent.children(recursive=True)
        time.sleep(0.1)
    raise AssertionError("the run started no notebook kernels in time")


def _gone_within(children: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    alive = _running(children)
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = _running(alive)
    return alive


def test_hints_work_as_printed(project: Path) -> None:
    """A project without the sample's data, then without this year's exports, then without a report:
    each message names a command; executed as printed, it works and the next step goes through."""
    root = project
    shutil.rmtree(root / "data" / "sample")
    failed = _cli(root, "python -m analysis ingest --sample")
    assert failed.returncode == 2
    command = _hint(failed.stdout)
    assert command == "python -m analysis sample"
    assert _cli(root, command).returncode == 0
    failed = _cli(root, "python -m analysis ingest --year 2031")  # no data/raw/2031
    assert failed.returncode == 2
    command = _hint(failed.stdout)
    assert command == "python -m analysis ingest --sample"
    done = _cli(root, command)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "data" / "processed" / "sample" / "2022" / "ingest_report.json").is_file()
    audit = _cli(root, "python -m analysis audit")  # no report yet
    assert audit.returncode == 2 and _hint(audit.stdout) == "python -m analysis run --sample"


EXIT_CODES = {"SIGTERM": 143, "Ctrl-C": 130, "SIGHUP": 129}


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C", "SIGHUP"])
def test_stopping_a_run_leaves_no_child(project: Path, how: str) -> None:
    """SIGHUP is the terminal window closed: sent to the whole process group, like Ctrl-C (the resource
    tracker of multiprocessing included, which must not print a traceback either)."""
    root = project
    command = "python -m analysis run --sample"
    if how == "SIGTERM":  # the advice of a run without data, executed as printed, stopped once busy
        failed = _cli(root, "python -m analysis run --year 2031")  # no data/raw/2031
        assert failed.returncode == 2 and _hint(failed.stdout) == command
    run = subprocess.Popen(
        [sys.executable, *shlex.split(command)[1:]],
        cwd=root,
        env=_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a job in a terminal
    )
    children: list[psutil.Process] = []
    try:
        children = _wait_for_kernels(run)
        assert len(children) >= 4  # two workers, two kernels
        if how == "SIGTERM":
            run.send_signal(signal.SIGTERM)
        else:
            os.killpg(run.pid, signal.SIGINT if how == "Ctrl-C" else signal.SIGHUP)
        output, _ = run.communicate(timeout=60)
        assert not _gone_within(children, GONE_WITHIN)
        assert run.returncode == EXIT_CODES[how]
        lines = [line for line in output.splitlines() if line.strip()]
        assert lines == ["已中断，报告未更新"], output
        reports = root / "reports" / "sample"
        assert not (reports / "2022").exists()
        assert not [p.name for p in reports.iterdir() if p.name.startswith((".2022.staging", ".2022.old"))]
    finally:
        if run.poll() is None:
            run.kill()
        for child in _running(children):
            child.kill()


ORPHAN_SCRIPT = """
import os, sys, time
from pathlib import Path
from analysis.safety import processes


def start_kernel():
    from analysis.report.notebook_runner import _worker_kernel

    _worker_kernel(Path.cwd())  # the worker's notebook kernel, as in a run
    return os.getpid()


if __name__ == "__main__":
    with processes.worker_pool(1) as pool:
        with processes.signals_blocked():
            future = pool.submit(start_kernel)
        print(future.result(), flush=True)
        time.sleep(120)
"""


def test_a_killed_run_leaves_no_orphan(tmp_path: Path) -> None:
    """SIGKILL of the process that owns the workers (nothing can run in it any more): the worker sees
    its parent gone and stops its kernel; both are gone within 10 s."""
    script = tmp_path / "owner.py"
    script.write_text(ORPHAN_SCRIPT, encoding="utf-8")
    owner = subprocess.Popen(
        [sys.executable, str(script)], cwd=tmp_path, stdout=subprocess.PIPE, text=True, env=_env(tmp_path)
    )
    try:
        worker = psutil.Process(int(owner.stdout.readline()))
        children = [worker, *worker.children(recursive=True)]
        assert any("ipykernel" in " ".join(c.cmdline()) for c in children)
        owner.kill()
        owner.wait(timeout=30)
        assert not _gone_within(children, ORPHANS_GONE_WITHIN)
    finally:
        if owner.poll() is None:
            owner.kill()


def test_ctrl_c_while_ingest_checks_completeness_says_the_data_was_written(
    tmp_path, monkeypatch, capsys
) -> None:
    """ingest writes the processed folder while it runs the completeness checks; a Ctrl-C then stops the
    checks, never the write, and the message says the new data is in place."""
    from analysis import cli
    from analysis.safety import processes

    def interrupted(*_args: object) -> None:
        raise processes.Interrupted()

    monkeypatch.setattr(cli, "_assessment", interrupted)
    processed = tmp_path / "processed" / "2022"
    assert cli.main(["ingest", "--sample", "--processed", str(processed)]) == 128 + signal.SIGINT
    assert "处理后数据已写入" in capsys.readouterr().out
    assert (processed / "ingest_report.json").is_file() and (processed / "study_records.parquet").is_file()
