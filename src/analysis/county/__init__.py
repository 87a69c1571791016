"""County roll-up: many towns' processed data in one comparison (``python -m analysis county``).

The town-level pipeline stays on pandas; the roll-up runs portable SQL on an embedded engine (DuckDB)
over the towns' parquet files, partitioned by town and year, out of core with bounded memory:

- ``layout``: where the towns' data sits (``<towns>/town=<镇名>/year=<Y>/`` + ``town.yml``);
- ``engine`` and ``sql/*.sql``: the DuckDB set-up and the roll-up queries; ``spark_engine``: the same
  steps on Spark SQL (``--engine spark``), translated by ``portability`` (sqlglot and its overrides);
- ``rollup``: every indicators.json key per town and for the county, from the queries' results;
- ``outputs``: county.xlsx, county.json, the charts and the Word section; ``query``: cross-town answers.

No output of the roll-up holds a member key or a name: only counts, rates and branch names.
"""
