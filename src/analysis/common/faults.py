"""Faults of the machine, not of the data or of the program: permission denied, disk full, a path too
long, a file held open by another program. Each becomes one Chinese paragraph naming the path and
what to do (exit 2), never "程序内部错误".

Also the clean-up helpers the run and the ingest share: removing a folder even when a killed run left it
read-only, and telling whether a published folder was made read-only on purpose.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from analysis.common.errors import AnalysisError

# Windows error codes that come as PermissionError / OSError (``winerror``).
_WIN_SHARING = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_WIN_DISK_FULL = {39, 112}  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
_WIN_TOO_LONG = {206}  # ERROR_FILENAME_EXCED_RANGE
_WIN_READ_ONLY = {19}  # ERROR_WRITE_PROTECT

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_DENIED = {errno.EACCES, errno.EPERM}
_BUSY = {errno.EBUSY, errno.ETXTBSY}

_ERRNO_TEXT = re.compile(r"\[(?:Errno|WinError) (\d+)\][^:']*(?::\s*'([^']*)')?")


def fault_error(exc: OSError, path: str | os.PathLike[str] | None = None) -> AnalysisError | None:
    """The Chinese message for an OSError that is a fault of the machine, or None for anything else.

    ``path`` names the folder being written when the error itself carries no file name (a write that
    fails half-way through reports no name)."""
    where = exc.filename or path
    shown = f"“{where}”" if where else "目标文件夹"
    winerror = getattr(exc, "winerror", None)
    if exc.errno in _DISK_FULL or winerror in _WIN_DISK_FULL:
        return AnalysisError(
            f"磁盘空间不足，无法写入 {shown}",
            hint="请清理该磁盘（至少留出 1 GB）后重新运行；本次生成的临时文件已删除，之前的报告和数据保持不变。",
        )
    if exc.errno == errno.ENAMETOOLONG or winerror in _WIN_TOO_LONG:
        return AnalysisError(
            f"路径过长，无法写入 {shown}",
            hint="请把数据和报告放到层级较浅、名称较短的文件夹中（例如 D:\\团委数据），或用 --processed / --reports 指定较短的路径。",
        )
    if winerror in _WIN_SHARING or exc.errno in _BUSY:
        return AnalysisError(
            f"文件正被其他程序占用：{shown}",
            hint="可能正在 Excel、WPS 或 Word 中打开，请关闭后重新运行；之前的报告保持不变。",
        )
    if exc.errno == errno.EROFS or winerror in _WIN_READ_ONLY:
        return AnalysisError(
            f"{shown} 位于只读的磁盘上，无法写入",
            hint="请用 --processed / --reports 指定一个可写的文件夹。",
        )
    if exc.errno in _DENIED or isinstance(exc, PermissionError):
        return AnalysisError(
            f"没有权限访问 {shown}（或该文件正被其他程序占用）",
            hint="请确认该文件夹不是只读的、文件没有在 Excel 或 WPS 中打开，或用 --processed / --reports 指定另一个文件夹；之前的报告保持不变。",
        )
    return None


def fault_from_text(text: str) -> AnalysisError | None:
    """The same for an error known only by its text (an OSError raised inside a notebook kernel:
    "[Errno 28] No space left on device: '/…/figures/x.png'")."""
    match = _ERRNO_TEXT.search(text)
    if not match:
        return None
    code, name = int(match.group(1)), match.group(2)
    if match.group(0).startswith("[WinError"):
        exc = OSError(None, text, name)
        exc.winerror = code  # type: ignore[attr-defined]
        return fault_error(exc)
    return fault_error(OSError(code, os.strerror(code), name))


@contextlib.contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn a fault raised while writing into ``path`` into its Chinese message (other errors pass)."""
    try:
        yield
    except OSError as exc:
        error = fault_error(exc, path)
        if error is None:
            raise
        raise error from exc


def _make_writable(func: object, name: str, _exc: object) -> None:
    """shutil.rmtree's error handler: a read-only file or folder (left by a killed run, or a file the
    analyst marked read-only) is made writable, with its folder, and removed again."""
    with contextlib.suppress(OSError):
        os.chmod(os.path.dirname(name), stat.S_IRWXU)
    with contextlib.suppress(OSError):
        os.chmod(name, stat.S_IRWXU if os.path.isdir(name) else stat.S_IWUSR | stat.S_IRUSR)
    if os.path.isdir(name) and not os.path.islink(name):
        shutil.rmtree(name, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def remove_tree(path: Path) -> bool:
    """Remove a folder of ours whatever its permissions; True when it is gone. A folder that cannot be
    removed (held open on Windows, say) is renamed out of the way so that it never blocks the next run."""
    if not os.path.lexists(path):
        return True
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(OSError):
            path.unlink()
        return not os.path.lexists(path)
    with contextlib.suppress(OSError):
        shutil.rmtree(path, onerror=_make_writable)
    if not os.path.lexists(path):
        return True
    with contextlib.suppress(OSError):
        path.rename(path.with_name(f"{path.name}-{os.getpid()}-{time.time_ns()}"))
    return not os.path.lexists(path)


def read_only_marked(path: Path) -> bool:
    """True when ``path`` was made read-only on purpose: no write permission bit set (the Windows
    read-only attribute reads the same way for files), or, on POSIX, a folder we may not write into.
    Windows folders are not judged by their attribute: Explorer sets it on ordinary folders."""
    try:
        st = path.stat()
    except OSError:
        return False
    if stat.S_ISDIR(st.st_mode):
        if os.name != "posix":
            return False
        return not st.st_mode & 0o222 or not os.access(path, os.W_OK | os.X_OK)
    return not st.st_mode & 0o222


def read_only_inside(folder: Path) -> Path | None:
    """The first item of ``folder`` (itself included) that is marked read-only, or None."""
    if read_only_marked(folder):
        return folder
    for item in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if read_only_marked(item):
            return item
    return None


def locked_file(folder: Path) -> Path | None:
    """A file in ``folder`` that another program holds open (Office leaves a ``~$`` owner file next to
    what it has open; on Windows such a file cannot be opened for writing). None on POSIX systems,
    where an open file does not stop a folder from being replaced."""
    if os.name != "nt" or not folder.is_dir():
        return None
    if not any(p.name.startswith("~$") for p in folder.rglob("~$*")):
        return None
    for item in sorted(folder.rglob("*")):
        if item.is_file() and not item.name.startswith("~$") and is_locked(item):
            return item
    return None


def is_locked(path: Path) -> bool:
    """Whether another program holds ``path`` open without sharing (Windows); opening for append writes
    nothing."""
    try:
        with open(path, "ab"):
            return False
    except PermissionError:
        return True
    except OSError:
        return False
