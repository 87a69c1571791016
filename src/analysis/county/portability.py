"""The roll-up SQL on another engine: the queries of ``sql/*.sql`` (DuckDB's dialect) translated to Spark
SQL by sqlglot, with a short list of corrections.

The queries are written for DuckDB and use standard SQL almost everywhere (joins, GROUP BY, GROUPING SETS,
CTEs, window ROW_NUMBER, CASE, CAST, EXTRACT, PERCENTILE_CONT … WITHIN GROUP). ``translate`` parses a
query with sqlglot (``read="duckdb"``), applies ``OVERRIDES`` and writes it for Spark SQL: sqlglot does
the rest (``make_timestamp(us)`` → ``TIMESTAMP_MICROS``, DuckDB's ``TIMESTAMP`` → ``TIMESTAMP_NTZ``,
``NULLS LAST`` made explicit in window orders, where Spark's default differs, …).

``OVERRIDES`` lists what sqlglot leaves untranslated or translates to something of another meaning; each
is applied to the parsed query (never to the text). ``problems`` reports what would keep a query from
running on Spark (a parse error, a DuckDB function sqlglot does not know and no override covers, a file
read inside a query: files are the engine's business). docs/county-cluster.md shows the table;
tests/test_county.py checks every step with ``problems`` and tests/test_county_spark.py runs every
translated step on Spark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

SOURCE = "duckdb"  # the dialect sql/*.sql are written in
TARGETS = ("spark",)  # dialects ``translate`` writes


@dataclass(frozen=True)
class Override:
    """A construct sqlglot does not translate to Spark SQL with the same meaning, and its replacement."""

    duckdb: str
    spark: str
    why: str
    rewrite: Callable[[exp.Expr], exp.Expr | None]  # the replacement of a node, or None: not this node


def _epoch_us(node: exp.Expr) -> exp.Expr | None:
    if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch_us" and len(node.expressions) == 1:
        # Spark before 4.1 takes only TIMESTAMP_LTZ here; with the session in UTC the cast keeps the value
        local = exp.Cast(
            this=node.expressions[0].copy().transform(_override), to=exp.DataType.build("TIMESTAMPLTZ")
        )
        return exp.UnixMicros(this=local)
    return None


def _percentile_cont(node: exp.Expr) -> exp.Expr | None:
    if not (isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.PercentileCont)):
        return None
    order = node.expression
    if (
        not isinstance(order, exp.Order)
        or len(order.expressions) != 1
        or order.expressions[0].args.get("desc")
    ):
        raise ValueError("PERCENTILE_CONT … WITHIN GROUP: only one ascending ORDER BY term is translated")
    # An anonymous function keeps its name: the Spark generator's rewrite of PercentileCont does not apply.
    # Replaced nodes are not visited again by ``transform``: the ORDER BY term is corrected here.
    function = exp.Anonymous(this="PERCENTILE_CONT", expressions=[node.this.this.copy()])
    return exp.WithinGroup(this=function, expression=order.copy().transform(_override))


OVERRIDES: tuple[Override, ...] = (
    Override(
        "epoch_us(ts)",
        "unix_micros(CAST(ts AS TIMESTAMP_LTZ))",
        "sqlglot 不认识 DuckDB 的 epoch_us，会原样保留，Spark 没有这个函数；Spark 4.0 的 unix_micros 只接受带时区的时间",
        _epoch_us,
    ),
    Override(
        "PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY x)",
        "PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY x)",
        "sqlglot 写成 PERCENTILE_APPROX(x, p)，那是近似值；Spark 3.4 起支持标准写法，结果精确",
        _percentile_cont,
    ),
)


def parse(sql: str, dialect: str = SOURCE) -> exp.Expr:
    """The one statement of ``sql`` parsed in ``dialect`` (sqlglot.errors.ParseError when it does not parse)."""
    statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    if len(statements) != 1:
        raise ValueError(f"expected one SQL statement, found {len(statements)}")
    return statements[0]


def _override(node: exp.Expr) -> exp.Expr:
    for override in OVERRIDES:
        replaced = override.rewrite(node)
        if replaced is not None:
            return replaced
    return node


def translate(sql: str, dialect: str = "spark", pretty: bool = False) -> str:
    """The DuckDB query ``sql`` for another engine: parsed, corrected by ``OVERRIDES``, written by sqlglot."""
    if dialect not in TARGETS:
        raise ValueError(f"unknown dialect {dialect!r}")
    return parse(sql).transform(_override).sql(dialect=dialect, pretty=pretty)


def untranslated(sql: str) -> list[str]:
    """Functions of the DuckDB query that sqlglot does not know (so would write unchanged) and no override
    covers: sorted, lower case."""
    tree = parse(sql).transform(_override)
    return sorted({f.name.lower() for f in tree.find_all(exp.Anonymous)} - {"percentile_cont"})


def tables_read(sql: str) -> set[str]:
    """Names of the tables and views the query reads (its own CTEs left out; lower case)."""
    tree = parse(sql)
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    return {t.name.lower() for t in tree.find_all(exp.Table)} - ctes


def problems(sql: str) -> list[str]:
    """Why the DuckDB query would not run on Spark SQL after ``translate`` (empty when it would)."""
    try:
        tree = parse(sql)
    except (sqlglot.errors.ParseError, ValueError) as exc:
        return [f"does not parse as DuckDB SQL: {str(exc).splitlines()[0]}"]
    found = [f"function {f}() is unknown to sqlglot and has no override" for f in untranslated(sql)]
    readers = [t for t in tree.find_all(exp.Table) if not isinstance(t.this, exp.Identifier)]
    readers += [r for r in tree.find_all(exp.ReadParquet, exp.ReadCSV) if not isinstance(r.parent, exp.Table)]
    found += [
        f"reads files inside the query ({r.sql(SOURCE)}): files are the engine's business" for r in readers
    ]
    try:
        parse(translate(sql), "spark")
    except (sqlglot.errors.ParseError, ValueError) as exc:
        found.append(f"the Spark SQL does not parse: {str(exc).splitlines()[0]}")
    return found
