"""Timing of ``python -m analysis bulletin`` when one more period's export is dropped into the raw folder
(issue 24), on the sample town and, when ``make bench`` has generated it, on the county data set.

For each data set: a copy of its 2022 raw folder without the December 青年大学习 export; a first bulletin
(``--period latest``, full ingest); the same again (nothing changed); the December export added and the
bulletin again (the case of a weekly bulletin); each as a whole process, median of ``--repeat`` runs
where repeatable. Then, in this process, ``ensure_processed`` after the file is added, counting the
files it reads (does it read only the new one?).

    python benchmarks/bulletin_timing.py [--repeat 3] [--only sample|county]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_SETS = {
    "sample": (ROOT / "data" / "sample" / "2022", ROOT / "data" / "sample" / "town.yml"),
    "county": (
        ROOT / "benchmarks" / "data" / "county" / "2022",
        ROOT / "benchmarks" / "data" / "county" / "town.yml",
    ),
}
LAST_MONTH = "青年大学习_2022年12月.xlsx"


CPU: list[float] = []  # CPU seconds (user + system) of each bulletin process, beside its wall time


def _cpu() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _bulletin(raw: Path, work: Path, config: Path) -> float:
    command = [
        sys.executable, "-m", "analysis", "bulletin", "--year", "2022", "--raw", str(raw),
        "--processed", str(work / "processed"), "--reports", str(work / "reports"),
        "--config", str(config), "--period", "latest",
    ]  # fmt: skip
    started, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    CPU.append(_cpu() - cpu)
    if done.returncode != 0:
        raise SystemExit(f"bulletin failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def _files_read(raw: Path, work: Path, config_path: Path) -> tuple[int, int, float]:
    """ensure_processed after one file changed: (files read, files in the folder, seconds)."""
    from analysis.common import paths
    from analysis.common.config import load_config
    from analysis.ingest.pipeline import raw_files
    from analysis.processed.workspace import ensure_processed

    yp = paths.YearPaths(2022, raw, work / "processed", work / "reports", config_path)
    config = load_config(config_path)
    read: list[str] = []
    started = time.perf_counter()
    ensure_processed(yp, config, progress=read.append)
    return len(read), len(raw_files(raw)), time.perf_counter() - started


def measure(name: str, repeat: int) -> dict[str, object]:
    source, config = DATA_SETS[name]
    if not source.is_dir():
        return {"data set": name, "skipped": f"{source} does not exist (make bench generates it)"}
    results: dict[str, object] = {"data set": name}
    adds, warms, colds = [], [], []
    cpu: dict[str, list[float]] = {"cold": [], "warm": [], "added": []}
    for i in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bulletin-") as tmp:
            work = Path(tmp)
            raw = work / "raw" / "2022"
            shutil.copytree(source, raw)
            held = work / LAST_MONTH
            shutil.move(raw / LAST_MONTH, held)
            colds.append(_bulletin(raw, work, config))
            cpu["cold"].append(CPU[-1])
            warms.append(_bulletin(raw, work, config))
            cpu["warm"].append(CPU[-1])
            shutil.copy(held, raw / LAST_MONTH)
            adds.append(_bulletin(raw, work, config))
            cpu["added"].append(CPU[-1])
            if i == 0:  # once more without the month, then count what adding it reads
                (raw / LAST_MONTH).unlink()
                _bulletin(raw, work, config)
                shutil.copy(held, raw / LAST_MONTH)
                results["files read after adding one"] = _files_read(raw, work, config)
    results["first bulletin (full ingest)"] = statistics.median(colds)
    results["nothing changed"] = statistics.median(warms)
    results["one more month's export added"] = statistics.median(adds)
    results["runs"] = {"cold": colds, "warm": warms, "added": adds}
    results["cpu seconds (median)"] = {k: statistics.median(v) for k, v in cpu.items()}
    results["load average"] = os.getloadavg()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=sorted(DATA_SETS))
    args = parser.parse_args()
    for name in [args.only] if args.only else list(DATA_SETS):
        print(measure(name, args.repeat), flush=True)


if __name__ == "__main__":
    main()
