"""The embedded SQL engine of the roll-up: DuckDB over the towns' parquet files, out of core.

Everything engine-specific lives here: the connection settings (memory limit, threads, a private spill
folder), the views that read each canonical table from the towns' parquet files (hive partitions
``town=…/year=…`` become columns), and how a step's SELECT is materialised. The roll-up queries
themselves are the ``sql/*.sql`` files: portable SQL (see ``analysis.county.portability``), run in
the order of ``STEPS``, each one becoming a table that later steps read.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

import pandas as pd

from analysis.common.errors import AnalysisError
from analysis.common.schemas import TABLE_LABELS
from analysis.county.layout import COUNTY_SCOPE, County

DEFAULT_MEMORY_LIMIT = "4GB"
DEFAULT_THREADS = 2

# The columns the steps read: (parquet column, name in SQL, SQL type). Names that are keywords in some
# SQL dialect (date, match) are renamed; types are the same in every town whatever pandas wrote.
COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "members": (
        ("member_id", "member_id", "VARCHAR"),
        ("branch", "branch", "VARCHAR"),
        ("is_cadre", "is_cadre", "BOOLEAN"),
        ("birth_date", "birth_date", "TIMESTAMP"),
        ("join_date", "join_date", "TIMESTAMP"),
        ("leave_date", "leave_date", "TIMESTAMP"),
        ("status", "status", "VARCHAR"),
        ("status_pending", "status_pending", "BOOLEAN"),
    ),
    "transfers": (
        ("member_id", "member_id", "VARCHAR"),
        ("from_branch", "from_branch", "VARCHAR"),
        ("to_branch", "to_branch", "VARCHAR"),
        ("date", "moved_on", "TIMESTAMP"),
        ("source_file", "source_file", "VARCHAR"),
        ("source_sheet", "source_sheet", "VARCHAR"),
        ("source_row", "source_row", "BIGINT"),
    ),
    "study_records": (
        ("period", "period", "VARCHAR"),
        ("recorded_at", "recorded_at", "TIMESTAMP"),
        ("member_id", "member_id", "VARCHAR"),
        ("match", "match_kind", "VARCHAR"),
        ("person_key", "person_key", "VARCHAR"),
    ),
    "cadre_checkins": (
        ("month", "month", "TIMESTAMP"),
        ("member_id", "member_id", "VARCHAR"),
        ("match", "match_kind", "VARCHAR"),
        ("checked_in", "checked_in", "BOOLEAN"),
    ),
    "activities": (
        ("activity_id", "activity_id", "VARCHAR"),
        ("date", "held_on", "TIMESTAMP"),
        ("section", "section", "VARCHAR"),
        ("participants", "participants", "BIGINT"),
        ("volunteer_hours", "volunteer_hours", "DOUBLE"),
    ),
    "recruitment": (
        ("applied_date", "applied_date", "TIMESTAMP"),
        ("activist_date", "activist_date", "TIMESTAMP"),
        ("target_date", "target_date", "TIMESTAMP"),
        ("joined_date", "joined_date", "TIMESTAMP"),
    ),
    "aid": (
        ("recipient_key", "recipient_key", "VARCHAR"),
        ("amount", "amount", "DOUBLE"),
        ("date", "paid_on", "TIMESTAMP"),
    ),
}

# Families: the towns a county total of a family's keys covers are the towns having its table.
FAMILIES = {
    "org": "members",
    "study": "study_records",
    "cadre": "cadre_checkins",
    "activities": "activities",
    "recruitment": "recruitment",
    "aid": "aid",
}

# The roll-up steps in order; each is sql/<step>.sql and becomes a table of that name.
STUDY_STEPS = (
    "towns",
    "branches",
    "roster",
    "spells",
    "period_labels",
    "credited",
    "period_stats",
    "periods",
    "period_days",
    "day_branch",
    "study_days",
    "study_cells",
)
STEPS = (
    *STUDY_STEPS,
    "study_totals",
    "org_totals",
    "cadre_cells",
    "activity_totals",
    "recruitment_totals",
    "aid_totals",
)


# Result tables of the steps read back into pandas (``rollup.assemble`` turns them into keys), with the
# order they are read in; the other steps' tables are intermediate.
RESULTS = {
    "periods": "scope, period",
    "study_cells": "scope, branch, period, period_day, town",
    "study_totals": "scope",
    "org_totals": "scope",
    "cadre_cells": "scope, month",
    "activity_totals": "scope",
    "recruitment_totals": "scope",
    "aid_totals": "scope",
}


def sql_text(step: str) -> str:
    """The SQL of one step, as shipped (with ``${…}`` parameters)."""
    return resources.files("analysis.county").joinpath("sql", f"{step}.sql").read_text(encoding="utf-8")


def parameters(year: int) -> dict[str, str]:
    """Values of the ``${…}`` parameters of the SQL files (literals, so any engine accepts them)."""
    return {
        "year": str(int(year)),
        "year_start": f"TIMESTAMP '{year:04d}-01-01 00:00:00'",
        "year_end": f"TIMESTAMP '{year:04d}-12-31 00:00:00'",
        "county": f"'{COUNTY_SCOPE}'",
    }


def render(step: str, year: int) -> str:
    return Template(sql_text(step)).substitute(parameters(year))


SCOPE_COLUMNS = ("family", "scope", "town")


def scope_rows(county: County) -> list[tuple[str, str, str]]:
    """(family, scope, town): every town is its own scope and part of the county scope, for each family
    whose table it has."""
    rows = []
    for family, table in FAMILIES.items():
        for town in county.having(table):
            rows.append((family, town.name, town.name))
            rows.append((family, COUNTY_SCOPE, town.name))
    return rows


def scopes_frame(county: County) -> pd.DataFrame:
    """``scope_rows`` as a frame (the ``scopes`` table)."""
    return pd.DataFrame(scope_rows(county), columns=list(SCOPE_COLUMNS), dtype="str")


@dataclass
class Engine:
    """A DuckDB connection with the towns' tables as views; ``run`` materialises roll-up steps."""

    con: object  # duckdb.DuckDBPyConnection
    county: County

    def run(self, steps: Iterable[str]) -> None:
        import duckdb

        for step in steps:
            try:
                self.con.execute(f"CREATE OR REPLACE TABLE {step} AS {render(step, self.county.year)}")
            except duckdb.ConversionException as exc:  # check_files names the cell; this is the last net
                raise AnalysisError(
                    f"汇总时有数据无法转换（{str(exc).splitlines()[0]}）",
                    hint="各镇的数据文件可能被手工修改过：请有问题的镇重新运行 python -m analysis ingest，"
                    "再把导入结果复制过来。",
                ) from None

    def drop(self, tables: Iterable[str]) -> None:
        for table in tables:
            self.con.execute(f"DROP TABLE IF EXISTS {table}")

    def frame(self, table: str, order: str) -> pd.DataFrame:
        """A (small) result table as pandas, in a stated order."""
        return self.con.sql(f"SELECT * FROM {table} ORDER BY {order}").df()


def run_steps(engine: Engine) -> dict[str, pd.DataFrame]:
    """Run every step on ``engine`` (DuckDB's ``Engine`` or ``spark_engine.SparkEngine``); the result tables
    as pandas frames (intermediate tables are dropped first, so their memory is free when the results are
    fetched)."""
    engine.run(STEPS)
    engine.drop([step for step in STEPS if step not in RESULTS])
    return {name: engine.frame(name, order) for name, order in RESULTS.items()}


@contextmanager
def connect(
    county: County, memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int = DEFAULT_THREADS
) -> Iterator[Engine]:
    """An engine over ``county``'s parquet files. Memory is bounded (``memory_limit``; larger
    intermediates spill to a private temporary folder, removed afterwards, as spill files hold member
    keys) and ``threads`` worker threads are used."""
    import duckdb

    check_files(county)
    spill = Path(tempfile.mkdtemp(prefix="tuanwei-county-"))
    try:
        con = duckdb.connect(":memory:")
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"SET threads = {int(threads)}")
        con.execute(f"SET temp_directory = '{_quote(str(spill / 'spill'))}'")
        con.execute("SET preserve_insertion_order = false")
        for table, columns in COLUMNS.items():
            con.execute(f"CREATE VIEW {table} AS {_reader(county, table, columns)}")
        con.register("scopes_input", scopes_frame(county))
        con.execute("CREATE TABLE scopes AS SELECT * FROM scopes_input")
        con.unregister("scopes_input")
        try:
            yield Engine(con, county)
        finally:
            con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def check_files(county: County) -> None:
    """Every parquet file the roll-up reads is readable, has the columns it needs and values of the
    types the SQL casts them to (else a Chinese error naming the town, the file and the column, before
    any query runs)."""
    import pyarrow.parquet as pq

    for table, columns in COLUMNS.items():
        for town in county.having(table):
            path = town.parquet(table)
            try:
                schema = pq.read_schema(path)
            except (OSError, ValueError) as exc:
                raise AnalysisError(
                    f"{path} 无法读取（{exc}）", hint="请该镇重新导入，再把导入结果复制过来。"
                ) from None
            missing = [c for c, _, _ in columns if c not in schema.names]
            if missing:
                raise AnalysisError(
                    f"{path} 缺少列 {'、'.join(missing)}",
                    hint="该文件可能来自旧版本的导入：请该镇用当前版本重新运行 python -m analysis ingest。",
                )
            for column, _, sql_type in columns:
                _check_type(town.name, table, path, column, schema.field(column).type, sql_type)


SQL_TYPE_NAMES = {"BIGINT": "整数", "DOUBLE": "数字", "BOOLEAN": "是/否", "TIMESTAMP": "日期时间"}


def _fits(arrow_type: object, sql_type: str) -> bool | None:
    """True: the SQL cast always works; False: never; None: text, it depends on each value."""
    import pyarrow as pa

    t = arrow_type.value_type if pa.types.is_dictionary(arrow_type) else arrow_type
    if sql_type == "VARCHAR" or pa.types.is_null(t):
        return True
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return None
    numeric = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
    if sql_type in ("BIGINT", "DOUBLE"):
        return numeric or pa.types.is_boolean(t)
    if sql_type == "BOOLEAN":
        return pa.types.is_boolean(t) or pa.types.is_integer(t)
    if sql_type == "TIMESTAMP":
        return pa.types.is_timestamp(t) or pa.types.is_date(t)
    return True


def _check_type(town: str, table: str, path: Path, column: str, arrow_type: object, sql_type: str) -> None:
    """A column the SQL casts to ``sql_type``: of a type that converts, or text whose every value does
    (the first that does not is named with its row)."""
    import duckdb
    import pyarrow.parquet as pq

    fits = _fits(arrow_type, sql_type)
    if fits:
        return
    where = f"镇“{town}”的 {table}.parquet（{TABLE_LABELS.get(table, table)}）“{column}”列"
    hint = (
        "该文件不是本程序导入时写出的原样（被手工修改过，或来自其他程序）：请该镇重新运行 "
        "python -m analysis ingest，再把 data/processed/<年份>/ 中的全部文件复制过来。"
    )
    wanted = SQL_TYPE_NAMES.get(sql_type, sql_type)
    if fits is False:
        raise AnalysisError(f"{where}应为{wanted}，实际是 {arrow_type} 类型", hint=hint)
    cells = pq.read_table(path, columns=[column]).rename_columns(["v"])  # noqa: F841  (the SQL reads it)
    con = duckdb.connect(":memory:")
    try:
        bad = con.execute(
            f"SELECT r, v FROM (SELECT row_number() OVER () AS r, v FROM cells) "
            f"WHERE v IS NOT NULL AND TRY_CAST(v AS {sql_type}) IS NULL ORDER BY r LIMIT 1"
        ).fetchall()
    finally:
        con.close()
    if bad:
        row, value = bad[0]
        shown = value if len(value) <= 30 else value[:29] + "…"
        raise AnalysisError(f"{where}第 {row} 个值“{shown}”不是{wanted}，无法汇总", hint=hint)


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _reader(county: County, table: str, columns: tuple[tuple[str, str, str], ...]) -> str:
    """SELECT of a table's columns over its parquet files (an empty typed relation when no town has it)."""
    files = [str(t.parquet(table)) for t in county.having(table)]
    if not files:
        nulls = ", ".join(
            ["CAST(NULL AS VARCHAR) AS town", *(f"CAST(NULL AS {t}) AS {a}" for _, a, t in columns)]
        )
        return f"SELECT {nulls} WHERE 1 = 0"
    select = ", ".join(
        ["CAST(town AS VARCHAR) AS town", *(f'CAST("{c}" AS {t}) AS {a}' for c, a, t in columns)]
    )
    listing = ", ".join(f"'{_quote(f)}'" for f in files)
    return (
        f"SELECT {select} FROM read_parquet([{listing}], hive_partitioning = true, union_by_name = true, "
        "hive_types = {'town': VARCHAR, 'year': INTEGER})"
    )
