"""Shared test set-up: an isolated per-session secret, the agg backend, the sample town — and a check
that the suite leaves the checkout as it found it (tests write only under their tmp folders)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "agg")

ROOT = Path(__file__).resolve().parents[1]
# What a test run may leave in the checkout: the virtual environment, the installed package's metadata
# and caches.
ALLOWED = (".venv", ".pytest_cache", ".ruff_cache", "__pycache__", ".egg-info", ".ipynb_checkpoints")


def _allowed(relative: str) -> bool:
    return any(part in ALLOWED or part.endswith(ALLOWED) for part in Path(relative).parts)


def checkout_state(root: Path = ROOT) -> dict[str, tuple[int, int]] | None:
    """Every file of the checkout that git lists as changed, new or ignored (inside ignored folders too),
    with its modification time and size; None when ``root`` is not a git checkout."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "--untracked-files=all", "-z"],
            cwd=root,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    state: dict[str, tuple[int, int]] = {}
    entries = iter(done.stdout.decode("utf-8", "surrogateescape").split("\0"))
    for entry in entries:
        status, relative = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            next(entries, None)  # a rename's or copy's original path follows
        if not relative or _allowed(relative):
            continue
        path = root / relative
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and not _allowed(str(file.relative_to(root))):
                st = file.stat()
                state[file.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_size)
            elif not file.exists():
                state[relative] = (0, -1)  # deleted
    return state


_BEFORE = pytest.StashKey[dict[str, tuple[int, int]] | None]()


def _worker(session: pytest.Session) -> bool:
    return hasattr(session.config, "workerinput")  # a pytest-xdist worker: the controller checks


def pytest_sessionstart(session: pytest.Session) -> None:
    if not _worker(session):
        session.config.stash[_BEFORE] = checkout_state()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test wrote into (or removed from) the checkout."""
    before = session.config.stash.get(_BEFORE, None)
    if before is None:
        return
    after = checkout_state()
    if after is None:
        return
    touched = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if touched:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            listed = "\n  ".join(touched[:20]) + ("\n  …" if len(touched) > 20 else "")
            reporter.write_line(
                f"FAILED: the tests changed the checkout (write under tmp_path):\n  {listed}", red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def _isolated_secret(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pseudonym keys come from a per-session secret, never the user's own."""
    if "TUANWEI_SECRET_FILE" not in os.environ:
        os.environ["TUANWEI_SECRET_FILE"] = str(tmp_path_factory.mktemp("secret") / "secret.key")


@pytest.fixture(scope="session")
def sample_ingests():
    """The sample town's 2021 and 2022 ingested once per session (results in memory: do not mutate)."""
    from analysis.common import paths
    from analysis.common.config import load_config
    from analysis.ingest.pipeline import ingest_year

    config = load_config(paths.SAMPLE_CONFIG)
    return {year: ingest_year(paths.SAMPLE_DIR / str(year), config, year) for year in (2021, 2022)}


@pytest.fixture(scope="session")
def sample_processed(sample_ingests, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The sample town's 2021 and 2022 written to a temporary processed folder (once per session)."""
    from analysis.ingest.pipeline import write_processed

    base = tmp_path_factory.mktemp("processed")
    out = {}
    for year, result in sample_ingests.items():
        folder = base / str(year)
        write_processed(result, folder)
        out[year] = folder
    return out


@pytest.fixture(scope="session")
def sample_catalogue(sample_processed: dict[int, Path]):
    """The sample town's 2022 catalogue (with 2021 for year-over-year), computed once per session."""
    from analysis.common import paths
    from analysis.common.config import load_config
    from analysis.indicators.catalogue import compute
    from analysis.processed import load

    config = load_config(paths.SAMPLE_CONFIG)
    return compute(
        load.processed(sample_processed[2022], 2022),
        config,
        2022,
        load.processed(sample_processed[2021], 2021),
    )
