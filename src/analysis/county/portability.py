"""Keeping the roll-up SQL portable: which functions it may call, and their names on Spark SQL.

The queries in ``sql/*.sql`` use standard SQL (joins, GROUP BY, CTEs, window ROW_NUMBER, CASE,
CAST, EXTRACT, PERCENTILE_CONT … WITHIN GROUP) so that a cluster engine can run them on the same
partitioned parquet files unchanged — except for the few functions listed in ``MAPPING``, which
``translate`` renames. The engine-specific part (reading the files, memory settings) is in
``engine.py``, not in the queries. ``tests/test_county.py`` checks every query against these lists,
and docs/county-cluster.md explains the move to Spark SQL.
"""

from __future__ import annotations

import re

# Standard SQL functions and aggregates (SQL:2016), the same in DuckDB and Spark SQL (≥ 3.4).
STANDARD = frozenset(
    {
        "count",
        "sum",
        "min",
        "max",
        "coalesce",
        "cast",
        "extract",
        "floor",
        "row_number",
        "percentile_cont",
        "grouping",
        "dense_rank",
    }
)
# Not in the standard, but with the same name, arguments and meaning in DuckDB and Spark SQL.
SHARED = frozenset({"last_day"})  # last_day(date): the last day of the date's month
# DuckDB-only functions used by the queries → the Spark SQL function with the same meaning.
MAPPING: dict[str, str] = {
    "epoch_us": "unix_micros",  # timestamp → microseconds since 1970-01-01 00:00 (BIGINT)
    "make_timestamp": "timestamp_micros",  # microseconds since 1970 (BIGINT) → timestamp
}
# Constructs some engines accept that are not standard SQL: none may appear in a roll-up query.
FORBIDDEN = {
    "::": "PostgreSQL/DuckDB cast shorthand (use CAST(x AS t))",
    "GROUP BY ALL": "DuckDB GROUP BY ALL",
    "QUALIFY": "QUALIFY clause (use a subquery with ROW_NUMBER)",
    "EXCLUDE": "SELECT * EXCLUDE",
    "ILIKE": "ILIKE",
    "[": "list literal or index",
    "->": "lambda or JSON arrow",
    "read_parquet": "a file reader (files are the engine's business: engine.py)",
}

# Words followed by "(" that are not function calls.
_KEYWORDS = frozenset(
    {"as", "in", "over", "group", "from", "join", "on", "and", "or", "not", "exists", "values", "when",
     "then", "else", "select", "where", "by", "with", "union", "all", "sets"}
)  # fmt: skip
_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'(?:[^']|'')*'")


def code_only(sql: str) -> str:
    """The SQL without comments and string literals (so words inside them are not taken for code)."""
    return _STRING.sub("''", _COMMENT.sub("", sql))


def functions(sql: str) -> set[str]:
    """Names of the functions a query calls (lower case)."""
    return {m.group(1).lower() for m in _CALL.finditer(code_only(sql))} - _KEYWORDS


def problems(sql: str) -> list[str]:
    """Why a query would not run unchanged on another engine (empty when it is portable, given MAPPING)."""
    code = code_only(sql)
    found = [f"function {f}() is neither standard, shared nor mapped" for f in sorted(functions(sql))
             if f not in STANDARD | SHARED | set(MAPPING)]  # fmt: skip
    upper = code.upper()
    found += [f"{what}: {token}" for token, what in FORBIDDEN.items() if token.upper() in upper]
    return found


def translate(sql: str, dialect: str = "spark") -> str:
    """The query for another engine: DuckDB-only functions renamed (only Spark SQL is known)."""
    if dialect != "spark":
        raise ValueError(f"unknown dialect {dialect!r}")
    out = sql
    for duck, spark in MAPPING.items():
        out = re.sub(rf"\b{duck}\s*\(", f"{spark}(", out, flags=re.IGNORECASE)
    return out
