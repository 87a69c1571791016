"""Write a county-scale synthetic data set (deterministic) for the benchmarks.

    python benchmarks/generate.py --members 20000 --branches 200 --years 2 --out benchmarks/data/county

Writes, under --out: town.yml (all branches), <year>/ with the same export shapes as the bundled sample
(one roster, monthly 青年大学习 exports of ~80k rows each at county scale, yearly ledgers, …), and
reader/ with one study xlsx of exactly --reader-rows rows (layout of the monthly exports: 期数 / 姓名 /
归属组织 / 报名时间) for the reader benchmark, plus generated.json (parameters, counts, timings).
Same arguments, same files.

    python benchmarks/generate.py --city --towns 200 --study-rows 100000000 --out benchmarks/data/city

writes a city instead (``tuanwei_sample.city``): the county roll-up's layout town=<镇名>/year=2022/ of
parquet files written directly (no xlsx, no ingest), ``study_rows`` 青年大学习 records in all, plus
generated.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tuanwei_sample import build_town  # noqa: E402
from tuanwei_sample.model import ExportFile, ExportSheet, SampleTown  # noqa: E402
from tuanwei_sample.writer import write_town, write_xlsx  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "data" / "county"
CITY_OUT = ROOT / "benchmarks" / "data" / "city"
READER_DIR = "reader"
MANIFEST = "generated.json"


def reader_file_name(rows: int) -> str:
    return f"青年大学习_{rows}行.xlsx"


def reader_export(town: SampleTown, rows: int) -> ExportFile:
    """The first ``rows`` records (by time) of the last year's monthly layout-(a) exports, as one file."""
    year = town.years[-1]
    records = [
        r
        for r in town.study + town.study_duplicates
        if r.year == year
        and r.raw_branch is not None
        and r.file.endswith(".xlsx")
        and "/青年大学习_" in r.file
    ]
    records.sort(key=lambda r: (r.recorded_at, r.person))
    if len(records) < rows:
        raise SystemExit(f"only {len(records)} study records available for a {rows}-row reader file")
    body = [
        (r.raw_period, r.raw_identity, r.raw_branch, f"{r.recorded_at:%Y-%m-%d %H:%M:%S}")
        for r in records[:rows]
    ]
    sheet = ExportSheet("Sheet1", (("期数", "姓名", "归属组织", "报名时间"), *body))
    return ExportFile(f"{READER_DIR}/{reader_file_name(rows)}", "xlsx", (sheet,))


def largest_branch(town: SampleTown) -> str:
    end = date(town.years[-1], 12, 31)
    sizes = Counter(p.branch_on(end) for p in town.members_active_on(end))
    return max(sorted(sizes), key=lambda b: sizes[b])


def generate(
    out: Path, members: int, branches: int, years: int, seed: int = 2022, reader_rows: int = 200_000
) -> dict:
    started = time.perf_counter()
    town = build_town(seed, members=members, branches=branches, years=years)
    built = time.perf_counter() - started
    if out.exists():
        shutil.rmtree(out)
    written = write_town(town, out)
    if reader_rows:
        export = reader_export(town, reader_rows)
        write_xlsx(export, out / export.path)
        written.append(out / export.path)
    end = {y: date(y, 12, 31) for y in town.years}
    manifest = {
        "parameters": {
            "members": members,
            "branches": branches,
            "years": years,
            "seed": seed,
            "reader_rows": reader_rows,
        },
        "years": list(town.years),
        "members_active_year_end": {str(y): len(town.members_active_on(d)) for y, d in end.items()},
        "study_records": {
            str(y): sum(r.year == y for r in town.study) + sum(r.year == y for r in town.study_duplicates)
            for y in town.years
        },
        "branches": len(town.branches),
        "files": len(written),
        "bytes": sum(p.stat().st_size for p in written),
        "query_branch": largest_branch(town),
        "reader_file": f"{READER_DIR}/{reader_file_name(reader_rows)}" if reader_rows else None,
        "seconds_build": round(built, 1),
        "seconds_total": round(time.perf_counter() - started, 1),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def generate_city(out: Path, towns: int, study_rows: int, seed: int = 2022) -> dict:
    """The city data set (see ``tuanwei_sample.city``) with its generated.json."""
    from tuanwei_sample.city import write_city

    started = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    written = write_city(out, towns=towns, study_rows=study_rows, seed=seed)
    files = [p for p in out.rglob("*") if p.is_file()]
    manifest = {
        "parameters": {"city": True, "towns": towns, "study_rows": study_rows, "seed": seed},
        "years": [2022],
        "towns": len(written),
        "members": sum(t.members for t in written),
        "study_records": sum(t.study_rows for t in written),
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "seconds_total": round(time.perf_counter() - started, 1),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=20_000, help="members active on the last year's 12-31")
    parser.add_argument("--branches", type=int, default=200, help="branches in total (at least 12)")
    parser.add_argument("--years", type=int, default=2, choices=(1, 2), help="2: 2021 and 2022; 1: 2022")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument(
        "--reader-rows", type=int, default=200_000, help="rows of the reader benchmark file (0: none)"
    )
    parser.add_argument("--out", type=Path, help=f"default {DEFAULT_OUT} (--city: {CITY_OUT})")
    parser.add_argument("--city", action="store_true", help="a city of towns as partitioned parquet instead")
    parser.add_argument("--towns", type=int, default=200, help="--city: number of towns")
    parser.add_argument("--study-rows", type=int, default=100_000_000, help="--city: study records in all")
    args = parser.parse_args(argv)
    if args.city:
        manifest = generate_city(args.out or CITY_OUT, args.towns, args.study_rows, args.seed)
    else:
        manifest = generate(
            args.out or DEFAULT_OUT, args.members, args.branches, args.years, args.seed, args.reader_rows
        )
    print(json.dumps(manifest, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
