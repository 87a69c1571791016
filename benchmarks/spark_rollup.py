"""The county roll-up on Spark (local mode) beside DuckDB, on 10^7 study records (issue 23).

    python benchmarks/spark_rollup.py              # both engines; generates the data set first if needed
    python benchmarks/spark_rollup.py --steps      # also: Spark's time per step and the plans of two steps

The data set is the first 20 towns of the city of ``make bench ARGS=--city`` (``benchmarks/generate.py
--city``: the same towns, 500,000 study records each), written to benchmarks/data/city-1e7. Each engine
runs ``python -m analysis county`` end to end in a process of its own, measured from outside as
benchmarks/run.py measures (wall time; peak RSS of the process tree polled every 20 ms: the Python process
and, for Spark, its JVM). The two county.json files are compared key by key. ``--steps`` runs the steps
once more in this script's ``--worker`` mode (in-process, each step timed) and writes the plans (EXPLAIN
FORMATTED before the run, and adaptive execution's final plan after it) of ``credited`` and ``period_stats`` to
benchmarks/out/spark/. Prints the results and writes benchmarks/out/spark/results.json; the section of
benchmarks/RESULTS.md is written from them by hand.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import OUT, PY, YEAR, _county_command, _gib, measure  # noqa: E402

DATA = HERE / "data" / "city-1e7"
TOWNS, ROWS = 20, 10_000_000  # the city's first 20 towns (the city: 200 towns, 10^8 rows)
SPARK_OUT = OUT / "spark"
EXPLAINED = ("credited", "period_stats")


def ensure_data() -> dict:
    manifest = DATA / "generated.json"
    if not manifest.is_file():
        print(f"generating {TOWNS} towns, {ROWS:,} study rows into {DATA} …", flush=True)
        m = measure(
            "city-1e7-generate",
            [PY, str(HERE / "generate.py"), "--city", "--towns", str(TOWNS), "--study-rows", str(ROWS),
             "--out", str(DATA)],
        )  # fmt: skip
        if not m.ok:
            raise SystemExit(f"generation failed:\n{m.stderr[-3000:]}")
    return json.loads(manifest.read_text(encoding="utf-8"))


def differences(expected, got, where: str = "") -> list[str]:
    """Where two county.json values differ (decimals within 1e-9)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        if list(expected) != list(got):
            return [f"{where}: keys differ"]
        return [d for k in expected for d in differences(expected[k], got[k], f"{where}.{k}")]
    if isinstance(expected, float) and isinstance(got, float):
        return (
            []
            if math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-9)
            else [f"{where}: {expected} ≠ {got}"]
        )
    return [] if type(expected) is type(got) and expected == got else [f"{where}: {expected!r} ≠ {got!r}"]


def run_worker() -> None:
    """In-process: the steps on a local session, each timed; the plans of ``EXPLAINED``."""
    from analysis.county import engine, layout, spark_engine

    county = layout.discover(DATA, YEAR)
    started = time.perf_counter()
    times: dict[str, float] = {}
    with spark_engine.local_session() as spark:
        times["session start"] = time.perf_counter() - started
        t = time.perf_counter()
        with spark_engine.connect(county, spark) as on_spark:
            times["file checks and views"] = time.perf_counter() - t
            for step in engine.STEPS:
                t = time.perf_counter()
                if step in EXPLAINED:  # as SparkEngine.run does, keeping the query to show its plans
                    query = spark.sql(on_spark.sql(step))
                    before = query._jdf.queryExecution().explainString(_mode(spark, "formatted"))
                    frame = query.localCheckpoint(eager=True)  # runs the query's own (adaptive) plan
                    frame.createOrReplaceTempView(step)
                    on_spark.cached[step] = frame
                    after = query._jdf.queryExecution().explainString(_mode(spark, "formatted"))
                    (SPARK_OUT / f"explain-{step}.txt").write_text(
                        f"-- {step}: EXPLAIN FORMATTED before running\n{before}\n\n"
                        f"-- {step}: after running (adaptive execution's final plan)\n{after}\n",
                        encoding="utf-8",
                    )
                else:
                    on_spark.run([step])
                times[step] = time.perf_counter() - t
    print(json.dumps({k: round(v, 2) for k, v in times.items()}))


def _mode(spark, name: str):
    return spark.sparkContext._jvm.org.apache.spark.sql.execution.ExplainMode.fromString(name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", action="store_true", help="also time each Spark step and write two plans")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    SPARK_OUT.mkdir(parents=True, exist_ok=True)
    if args.worker:
        run_worker()
        return
    generated = ensure_data()
    results: dict = {"data": generated}
    for name, extra in (("duckdb", []), ("spark", ["--engine", "spark"])):
        reports = SPARK_OUT / f"reports-{name}"
        print(
            f"{name}: analysis county over {generated['towns']} towns, {generated['study_records']:,} rows …"
        )
        m = measure(f"city-1e7-{name}", [*_county_command(DATA, reports), *extra])
        if not m.ok:
            raise SystemExit(f"{name} failed (exit {m.returncode}):\n{m.stdout[-2000:]}\n{m.stderr[-3000:]}")
        results[name] = {
            "seconds": round(m.seconds, 1),
            "peak_tree_rss": m.peak_tree_rss,
            "processes": [(p, n) for p, n in m.processes if n > 50 * 2**20],
        }
        print(f"  {m.seconds:.1f} s, peak RSS {_gib(m.peak_tree_rss)}", flush=True)
    duck = json.loads((SPARK_OUT / "reports-duckdb" / "county.json").read_text(encoding="utf-8"))
    spark = json.loads((SPARK_OUT / "reports-spark" / "county.json").read_text(encoding="utf-8"))
    results["county_json_differences"] = differences(duck, spark)
    print(f"county.json: {len(results['county_json_differences'])} differences", flush=True)
    if args.steps:
        m = measure("city-1e7-spark-steps", [PY, str(Path(__file__).resolve()), "--worker"])
        if not m.ok:
            raise SystemExit(f"steps failed:\n{m.stderr[-3000:]}")
        results["spark_steps"] = json.loads(m.stdout.strip().splitlines()[-1])
        results["spark_steps_run"] = {"seconds": round(m.seconds, 1), "peak_tree_rss": m.peak_tree_rss}
        print("spark steps:", results["spark_steps"], flush=True)
    (SPARK_OUT / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
