"""Child processes end with the run, whatever ends the run.

- In the main process, SIGTERM and SIGHUP become the same exception as Ctrl-C (``Interrupted``, a
  KeyboardInterrupt), so the ordinary clean-up paths run: staging folders removed, children stopped,
  one Chinese line printed (cli.py). A second signal during the clean-up is ignored.
- Worker processes (notebook workers, the county-scale ingest child) ignore SIGINT, which a terminal's
  Ctrl-C sends to the whole foreground process group: the run decides and stops them, so no worker
  prints a traceback. They watch their parent and, when it is gone (even killed with SIGKILL), stop
  their own children (the notebook kernel) and exit within a second.
- Kernels watch their own parent (ipykernel's parent poller, armed by jupyter_client's JPY_PARENT_PID).
- multiprocessing's resource tracker is started with SIGHUP blocked (``start_resource_tracker``): closing
  the terminal window ends the run with one line, like SIGTERM, and no tracker traceback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # psutil and multiprocessing load when first needed: every command starts faster
    from concurrent.futures import ProcessPoolExecutor

    import psutil

WATCH_INTERVAL = 0.5  # seconds between two looks at the parent
STOP_GRACE = 2.0  # seconds a child gets to exit after SIGTERM before SIGKILL
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + int(self.signum)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """While the block runs, SIGINT, SIGTERM and SIGHUP raise ``Interrupted`` in the main thread (once:
    later signals are ignored so the clean-up is not cut short). Previous handlers are restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def handler(signum: int, _frame: Any) -> None:
        nonlocal fired
        if fired:
            return
        fired = True
        raise Interrupted(signum)

    previous = {}
    for sig in _SIGNALS:
        with contextlib.suppress(OSError, ValueError):
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(sig, old)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Block SIGINT/SIGTERM/SIGHUP while child processes are started: a child inherits the blocked mask,
    so a Ctrl-C in the instant before it has set itself up cannot make it print a traceback; the
    parent receives the signal as soon as the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(_SIGNALS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def child_setup(parent_pid: int, environment: dict[str, str] | None = None) -> None:
    """First thing in a worker process: ignore Ctrl-C (the parent stops us), take the other signals'
    default actions, accept signals again, and watch the parent. ``environment``: variables set in the
    worker (and so in the kernels it starts) that the parent does not have yet."""
    os.environ.update(environment or {})
    with contextlib.suppress(OSError, ValueError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            with contextlib.suppress(OSError, ValueError):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(_SIGNALS))
    watch_parent(parent_pid)


def _parent_alive(parent_pid: int, created: float | None) -> bool:
    import psutil

    if os.name == "posix":
        return os.getppid() == parent_pid  # re-parented (to init or a sub-reaper) once the parent died
    try:
        return psutil.Process(parent_pid).create_time() == created
    except psutil.Error:
        return False


def watch_parent(parent_pid: int, interval: float = WATCH_INTERVAL) -> threading.Thread:
    """A daemon thread that, once the parent process is gone, stops this process's children and exits."""
    import psutil

    try:
        created = psutil.Process(parent_pid).create_time()
    except psutil.Error:
        created = None

    def watch() -> None:
        while _parent_alive(parent_pid, created):
            time.sleep(interval)
        stop(descendants())
        os._exit(1)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def _is_resource_tracker(proc: psutil.Process) -> bool:
    """multiprocessing's resource tracker: shared by the process, exits by itself with it."""
    import psutil

    try:
        return any("resource_tracker" in part for part in proc.cmdline())
    except psutil.Error:
        return False


def descendants(pid: int | None = None) -> list[psutil.Process]:
    """Children, grandchildren … of ``pid`` (default: this process), except multiprocessing's resource
    tracker."""
    import psutil

    try:
        found = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []
    return [p for p in found if not _is_resource_tracker(p)]


def _running(proc: psutil.Process) -> bool:
    """Alive and not a zombie (a dead child waiting to be reaped counts as gone)."""
    import psutil

    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    alive = [p for p in processes if _running(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in alive if _running(p)]
    return alive


def stop(processes: list[psutil.Process], grace: float = STOP_GRACE) -> None:
    """SIGTERM every process at once, SIGKILL the ones still running after ``grace`` seconds."""
    import psutil

    for proc in processes:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    for proc in _wait(processes, grace):
        with contextlib.suppress(psutil.Error):
            proc.kill()
    _wait(processes, grace)


def stop_children() -> None:
    """Stop every descendant of this process (workers and their kernels together)."""
    stop(descendants())


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (once) with SIGHUP blocked, before any pool: it
    ignores SIGINT and SIGTERM by itself but not SIGHUP, so closing the terminal window killed it first,
    and the pool's clean-up then started a new one that printed a traceback for every semaphore it had
    never been told about. It still ends with this process (its pipe closes)."""
    from multiprocessing import resource_tracker

    with signals_blocked():  # a SIGHUP meanwhile reaches this process as soon as the block ends
        resource_tracker.ensure_running()


@contextlib.contextmanager
def worker_pool(workers: int, environment: dict[str, str] | None = None) -> Iterator[ProcessPoolExecutor]:
    """A process pool (spawned: never fork a process with threads running) whose workers ignore Ctrl-C
    and watch this process; on any exception (Ctrl-C, SIGTERM, a failed job) the workers and their own
    children are stopped at once instead of being waited for. Submit inside ``signals_blocked()``.
    ``environment``: see child_setup."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    start_resource_tracker()
    before = {p.pid for p in descendants()}
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=child_setup,
        initargs=(os.getpid(), environment),
    ) as pool:
        try:
            yield pool
        except BaseException:
            # the pool then fails the pending futures itself (cancelling them first makes it raise)
            stop([p for p in descendants() if p.pid not in before])
            raise
