"""One lock per output folder (a processed folder, a reports folder): every command that writes a folder
holds its lock while it works, so two commands never write one folder at once (two ``run`` s sharing
``--processed``, two ``ingest`` s). A second command waits, saying so, up to ``LOCK_WAIT_SECONDS``.

The lock is a file next to the folder (``.<name>.lock``), never inside it: the folder itself is replaced
as a whole. Locks are re-entrant within a process (the run holds the processed lock; the ingest it
calls takes it again) and are handed to child processes started while they are held (the run's
county-sized ingest child): both through ``HELD_ENV``.

Readers (``query``, ``county``, a notebook) take no lock: they verify a snapshot of the folder (its
manifest, see processed_folder.py); only when that fails while a writer holds the lock do they wait for
it and look again (``wait_for_writer``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from analysis.common import faults
from analysis.common.errors import AnalysisError

LOCK_WAIT_SECONDS = 600
HELD_ENV = "TUANWEI_HELD_LOCKS"  # lock files held by this process or the parent that started it

_held: dict[str, list] = {}  # lock file → [times entered in this process, its FileLock or None]
_guard = threading.Lock()
_INHERITED = frozenset(p for p in os.environ.get(HELD_ENV, "").split(os.pathsep) if p)


def lock_path(folder: Path) -> Path:
    """The lock file of ``folder``: next to it, hidden."""
    folder = Path(folder)
    return folder.parent / f".{folder.name}.lock"


def _key(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def held(folder: Path) -> bool:
    """True when this process (or the parent that started it and waits for it) holds the lock."""
    key = _key(lock_path(folder))
    with _guard:
        return key in _held or key in _INHERITED


def _echo_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def waiting_message(folder: Path, who: str = "任务") -> str:
    """The one line printed while waiting for another command's lock."""
    return f"另一个{who}正在处理 {folder}，等待其完成（最多 {LOCK_WAIT_SECONDS // 60} 分钟）…"


@contextlib.contextmanager
def folder_lock(
    folder: Path,
    who: str = "任务",
    echo: Callable[[str], None] | None = None,
    timeout: float = LOCK_WAIT_SECONDS,
    tidy: bool = False,
) -> Iterator[None]:
    """Hold ``folder`` 's lock while the block runs (waiting for another command first, with one line
    said through ``echo``); re-entrant. Exit 2 when the other command does not finish in ``timeout``.
    ``tidy``: when the block wrote nothing next to the lock, the lock file and the folders made for it
    are removed again (a command stopped by a wrong --year leaves no trace)."""
    from filelock import FileLock, Timeout

    path = lock_path(folder)
    key = _key(path)
    with _guard:
        entry = _held.get(key)
        if entry is not None or key in _INHERITED:
            _held[key] = [entry[0] + 1, entry[1]] if entry else [1, None]
            lock = None
        else:
            lock = FileLock(str(path), thread_local=False)
    created: list[Path] = []  # folders made for the lock file: removed again if nothing else came
    if lock is not None:
        if tidy:
            created = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
        with faults.writing(path.parent):
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                (echo or _echo_stderr)(waiting_message(folder, who))
                try:
                    lock.acquire(timeout=timeout)
                except Timeout:
                    raise AnalysisError(
                        f"{folder} 正被另一个任务占用", hint="请等待另一个窗口中的运行结束后再试。"
                    ) from None
        with _guard:
            _held[key] = [1, lock]
            _publish()
    try:
        yield
    finally:
        _leave(key)
        if created:
            _tidy(path, created)


def _tidy(path: Path, created: list[Path]) -> None:
    """A command that stopped before writing anything (a wrong --year, say) leaves nothing behind: the
    lock file and the folders made for it go when the lock file is all they hold."""
    with contextlib.suppress(OSError):
        if os.listdir(path.parent) != [path.name]:
            return
        path.unlink()
        for folder in created:  # deepest first
            os.rmdir(folder)


def _leave(key: str) -> None:
    """One exit from the lock; the last one releases it."""
    with _guard:
        entry = _held[key]
        entry[0] -= 1
        if entry[0] > 0:
            return
        del _held[key]
        _publish()
    if entry[1] is not None:
        entry[1].release()


def _publish() -> None:
    """HELD_ENV = the locks held here and those inherited (child processes started now inherit it)."""
    keys = sorted(set(_held) | _INHERITED)
    if keys:
        os.environ[HELD_ENV] = os.pathsep.join(keys)
    else:
        os.environ.pop(HELD_ENV, None)


def wait_for_writer(folder: Path, echo: Callable[[str], None] | None = None) -> bool:
    """When another command holds ``folder`` 's lock, wait until it is done (saying so) and return True;
    False at once when nobody does (or the lock cannot be looked at, or this process holds it)."""
    from filelock import FileLock, Timeout

    path = lock_path(folder)
    if not path.is_file() or held(folder):
        return False
    lock = FileLock(str(path), thread_local=False)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            (echo or _echo_stderr)(waiting_message(folder))
            try:
                lock.acquire(timeout=LOCK_WAIT_SECONDS)
            except Timeout:
                return False
            lock.release()
            return True
        lock.release()
        return False
    except OSError:
        return False
