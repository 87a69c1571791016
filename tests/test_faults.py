"""Faults of the machine are named for what they are (path, what to do, exit 2); the previous report stays
untouched and readable; no staging folder is left behind; leftovers of a killed run never block the next;
internal errors go to a log of their own; argument errors are in Chinese."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import stat
import time
from pathlib import Path

import pytest

from analysis import cli
from analysis.cli import main
from analysis.common import faults, paths
from analysis.common.errors import AnalysisError
from analysis.processed.workspace import recover_leftovers, write_processed_safely
from analysis.report import notebook_runner as nbs
from analysis.report import run as run_mod

POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and signals")


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _text(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    return " ".join((captured.out + captured.err).split())  # rich wraps long lines


def _make_read_only(folder: Path) -> None:
    for item in [*folder.rglob("*"), folder]:
        item.chmod(stat.S_IRUSR | stat.S_IXUSR if item.is_dir() else stat.S_IRUSR)


def _make_writable(folder: Path) -> None:
    for item in [folder, *folder.rglob("*")]:
        item.chmod(stat.S_IRWXU)


@pytest.fixture(scope="module")
def processed_base(sample_processed, tmp_path_factory) -> Path:
    """The sample's processed 2021 and 2022 with the catalogue already computed (runs start fast)."""
    from analysis.report.context import build_context

    base = tmp_path_factory.mktemp("faults")
    for year in (2021, 2022):
        shutil.copytree(sample_processed[year], base / str(year))
    yp = paths.YearPaths(
        2022, paths.SAMPLE_DIR / "2022", base / "2022", base / "r" / "2022", paths.SAMPLE_CONFIG
    )
    build_context(yp)
    return base


@pytest.fixture
def year(processed_base: Path, tmp_path: Path) -> tuple[list[str], Path]:
    """A run's arguments (processed data current) and its reports folder, holding a previous report."""
    shutil.copytree(processed_base, tmp_path / "p", ignore=shutil.ignore_patterns("r"))
    reports = tmp_path / "reports" / "2022"
    reports.mkdir(parents=True)
    (reports / "manifest.json").write_text('{"year": 2022}', encoding="utf-8")
    (reports / "indicators.json").write_text('{"year": 2022, "indicators": {}}', encoding="utf-8")
    argv = [
        "run",
        "--year",
        "2022",
        "--raw",
        str(paths.SAMPLE_DIR / "2022"),
        "--config",
        str(paths.SAMPLE_CONFIG),
    ]
    argv += ["--processed", str(tmp_path / "p" / "2022"), "--reports", str(reports)]
    return argv, reports


def _no_staging(reports: Path) -> bool:
    return not any(
        p.name.startswith((f".{reports.name}.staging", f".{reports.name}.old"))
        for p in reports.parent.iterdir()
    )


# --- the messages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/d/报告"), "磁盘空间不足，无法写入 “/d/报告”"),
        (PermissionError(errno.EACCES, "Permission denied", "/d/报告"), "没有权限访问 “/d/报告”"),
        (OSError(errno.ENAMETOOLONG, "File name too long", "/d/长"), "路径过长，无法写入 “/d/长”"),
        (OSError(errno.EROFS, "Read-only file system", "/mnt/u"), "“/mnt/u” 位于只读的磁盘上"),
    ],
)
def test_fault_messages_name_the_path(exc: OSError, says: str) -> None:
    error = faults.fault_error(exc)
    assert error is not None and says in error.render()


def test_windows_sharing_violation_is_a_locked_file() -> None:
    exc = PermissionError(errno.EACCES, "The process cannot access the file", r"C:\r\indicators.xlsx")
    exc.winerror = 32
    assert "正被其他程序占用" in faults.fault_error(exc).render()
    assert "Excel" in faults.fault_error(exc).render()


def test_other_os_errors_are_not_faults() -> None:
    assert faults.fault_error(OSError(errno.ENOENT, "No such file", "/x")) is None
    assert faults.fault_from_text("ValueError: bad value") is None
    error = faults.fault_from_text("[Errno 28] No space left on device: '/r/figures/a.png'")
    assert error is not None and "“/r/figures/a.png”" in error.render()


def test_a_fault_anywhere_in_a_command_is_named(monkeypatch, capsys) -> None:
    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", "/数据/processed/2022/study.parquet")

    monkeypatch.setitem(cli.COMMANDS, "docs", full)
    assert main(["docs"]) == 2
    out = _text(capsys)
    assert "磁盘空间不足" in out and "/数据/processed/2022/study.parquet" in out and "内部错误" not in out


# --- the run -------------------------------------------------------------------------------------------


def test_full_disk_named_staging_removed_previous_report_kept(year, monkeypatch, capsys) -> None:
    argv, reports = year
    before = _hashes(reports)

    def half_written(catalogue, path, members=None):
        Path(path).write_bytes(b"PK\x03\x04 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(run_mod, "write_workbook", half_written)
    assert main(argv) == 2
    out = _text(capsys)
    assert "磁盘空间不足" in out and f".{reports.name}.staging" in out  # the folder being written
    assert _hashes(reports) == before and _no_staging(reports)


def test_full_disk_inside_a_notebook_kernel(year, monkeypatch, capsys) -> None:
    argv, reports = year
    before = _hashes(reports)

    def kernel_fails(jobs, parameters, cwd, done, workers=2, pool=None):
        raise nbs.NotebookFailed(
            jobs[0].nb, jobs[0].output, 3, "OSError", "[Errno 28] No space left on device: '/r/a.png'"
        )

    monkeypatch.setattr(nbs, "run_jobs", kernel_fails)
    assert main(argv) == 2
    out = _text(capsys)
    assert "磁盘空间不足，无法写入 “/r/a.png”" in out
    assert _hashes(reports) == before and _no_staging(reports)
    assert not (reports.parent / "2022-出错的笔记本").exists()  # nothing more written on a full disk


@POSIX
def test_read_only_published_report_is_never_replaced(year, capsys) -> None:
    argv, reports = year
    before = _hashes(reports)
    _make_read_only(reports)
    try:
        assert main(argv) == 2  # with or without --force
        out = _text(capsys)
        assert f"报告文件夹 {reports} 已设为只读" in out and "不会替换" in out
        assert _hashes(reports) == before and _no_staging(reports)
    finally:
        _make_writable(reports)


@POSIX
def test_read_only_reports_folder(tmp_path, capsys) -> None:
    parent = tmp_path / "reports"
    parent.mkdir()
    _make_read_only(parent)
    try:
        assert (
            main(["run", "--sample", "--processed", str(tmp_path / "p"), "--reports", str(parent / "2022")])
            == 2
        )
        assert f"报告所在的文件夹 {parent} 是只读的" in _text(capsys)
        assert list(parent.iterdir()) == [] and not (tmp_path / "p").exists()
    finally:
        _make_writable(parent)


@POSIX
def test_read_only_processed_folder(tmp_path, capsys) -> None:
    processed = tmp_path / "processed" / "2022"
    processed.mkdir(parents=True)
    _make_read_only(processed)
    try:
        assert main(["ingest", "--sample", "--processed", str(processed)]) == 2
        assert f"处理后数据文件夹 {processed} 是只读的" in _text(capsys)
        assert list(processed.parent.iterdir()) == [processed]
    finally:
        _make_writable(processed)


@POSIX
def test_path_too_long(tmp_path, capsys) -> None:
    reports = tmp_path / ("报告" * 50) / "2022"  # a 300-byte folder name
    assert main(["run", "--sample", "--processed", str(tmp_path / "p"), "--reports", str(reports)]) == 2
    out = _text(capsys)
    assert "路径过长" in out and "报告报告" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_locked_file_during_the_swap_puts_the_previous_report_back(tmp_path, monkeypatch) -> None:
    reports, staging = tmp_path / "2022", tmp_path / ".2022.staging"
    for folder, text in ((reports, "旧"), (staging, "新")):
        folder.mkdir()
        (folder / "indicators.json").write_text(text, encoding="utf-8")
    real_replace = os.replace

    def held_open(src, dst):
        if Path(src) == staging:
            exc = PermissionError(errno.EACCES, "The process cannot access the file", str(dst))
            exc.winerror = 32  # what Windows says while Excel has a file of the folder open
            raise exc
        real_replace(src, dst)

    monkeypatch.setattr(run_mod.os, "replace", held_open)
    with pytest.raises(AnalysisError, match="正被其他程序占用"):
        run_mod._publish(staging, reports)
    assert (reports / "indicators.json").read_text(encoding="utf-8") == "旧"


def test_report_open_in_excel_is_not_replaced(tmp_path, monkeypatch) -> None:
    reports = tmp_path / "2022"
    reports.mkdir()
    (reports / "indicators.xlsx").write_bytes(b"x")
    (reports / "~$indicators.xlsx").write_bytes(b"owner")
    monkeypatch.setattr(faults.os, "name", "nt")
    monkeypatch.setattr(faults, "is_locked", lambda p: p.name == "indicators.xlsx")
    with pytest.raises(
        AnalysisError, match=re.escape(f"报告文件 {reports / 'indicators.xlsx'} 正被其他程序打开")
    ):
        run_mod._refuse_to_replace(reports)


# --- leftovers of a killed run -------------------------------------------------------------------------


@POSIX
def test_read_only_leftovers_are_removed(tmp_path) -> None:
    reports = tmp_path / "2022"
    reports.mkdir()
    (reports / "manifest.json").write_text("{}", encoding="utf-8")
    for name in (".2022.staging", ".2022.old"):
        (tmp_path / name / "figures").mkdir(parents=True)
        (tmp_path / name / "figures" / "a.png").write_bytes(b"png")
        _make_read_only(tmp_path / name)
    recover_leftovers(reports, run_mod.REPORT_LEFTOVERS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2022"]


def test_report_moved_aside_by_a_killed_swap_is_put_back(tmp_path) -> None:
    old = tmp_path / ".2022.old"
    old.mkdir()
    (old / "manifest.json").write_text("{}", encoding="utf-8")
    recover_leftovers(tmp_path / "2022", run_mod.REPORT_LEFTOVERS)
    assert (tmp_path / "2022" / "manifest.json").is_file() and not old.exists()


def test_processed_write_cleans_leftovers_and_keeps_old_data_on_failure(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "2022"
    folder.mkdir()
    (folder / "ingest_report.json").write_text('{"old": true}', encoding="utf-8")
    leftover = tmp_path / ".2022.tmp"
    leftover.mkdir()
    (leftover / "members.parquet").write_bytes(b"x")
    _make_read_only(leftover)

    def half_then_full(result, processed_dir):
        tmp = processed_dir.parent / f".{processed_dir.name}.tmp"
        tmp.mkdir()
        (tmp / "members.parquet").write_bytes(b"half")
        processed_dir.rename(processed_dir.parent / f".{processed_dir.name}.old")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("analysis.processed.workspace.write_processed", half_then_full)
    with pytest.raises(AnalysisError, match="磁盘空间不足"):
        write_processed_safely(object(), folder)  # type: ignore[arg-type]  (the writer is replaced)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2022.lock", "2022"]  # the lock file stays
    assert (folder / "ingest_report.json").read_text(encoding="utf-8") == '{"old": true}'


# --- signals, internal errors and arguments ---------------------------------------------------------------------


@POSIX
@pytest.mark.parametrize("signum", [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)])
def test_signals_become_one_interruption(signum, monkeypatch, capsys) -> None:
    """SIGTERM and SIGHUP end a command like Ctrl-C: clean-up runs, one line, exit 128 + signal."""
    cleaned = []

    def long_command(args):
        try:
            os.kill(os.getpid(), signum)
            time.sleep(5)  # interrupted right away
        finally:
            cleaned.append(True)
        return 0

    monkeypatch.setitem(cli.COMMANDS, "docs", long_command)
    before = signal.getsignal(signum)
    assert main(["docs"]) == 128 + signum
    assert cleaned == [True] and _text(capsys) == "已中断。"
    assert signal.getsignal(signum) == before  # the previous handler is back


def test_internal_error_log_per_user_and_run(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TUANWEI_CACHE_DIR", str(tmp_path / "cache"))

    def bug(args):
        raise RuntimeError("一个程序错误")

    monkeypatch.setitem(cli.COMMANDS, "docs", bug)
    assert main(["docs"]) == 3
    out = _text(capsys)
    logs = list((tmp_path / "cache" / "logs").iterdir())
    assert len(logs) == 1 and re.fullmatch(rf"error-\d{{8}}-\d{{6}}-{os.getpid()}\.log", logs[0].name)
    assert str(logs[0]) in out and "Traceback" not in out
    assert "RuntimeError: 一个程序错误" in logs[0].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["run", "--year", "abc"], "参数 --year：“abc”不是有效的年份"),
        (["run", "--bogus"], "无法识别的参数：--bogus"),
        (["nope"], "参数 命令 的值 'nope' 无效"),
        (["query", "participation", "--format", "pdf"], "参数 --format 的值 'pdf' 无效"),
        (["query"], "缺少必需的参数：查询"),
        (["query", "participation", "--branch"], "参数 --branch 后面需要一个值"),
    ],
)
def test_argument_errors_in_chinese(argv, says, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and "用法：" in err
    assert not re.search(r"\b(usage|error|invalid|argument|expected)\b", err)


def test_help_in_chinese(capsys) -> None:
    assert main(["run", "-h"]) == 0
    out = capsys.readouterr().out
    assert "显示本帮助并退出" in out and "选项" in out and "usage" not in out
