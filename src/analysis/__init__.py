"""镇团委年度工作数据分析套件 (township League committee analytics suite)."""

__version__ = "0.1.0"
