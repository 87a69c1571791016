"""镇团委年度工作数据分析套件 (township League committee analytics suite)."""

import sys

__version__ = "0.1.0"

# pandera imports pandas-on-Spark (``pyspark.pandas``) whenever pyspark is installed (the ``[cluster]``
# extra): that import patches pandas, warns about pandas 3 on every command and costs a second. The
# suite never uses pandas-on-Spark (the Spark engine uses Spark SQL only), so it is blocked here, before
# anything imports pandera; an explicit ``None`` in sys.modules makes ``import pyspark.pandas`` fail fast.
sys.modules.setdefault("pyspark.pandas", None)  # type: ignore[assignment]
