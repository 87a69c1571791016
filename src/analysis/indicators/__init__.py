"""Indicators: one pure function per indicator family over the canonical tables.

Each function's docstring states its definition (the keys of docs/indicators.md, in the terms of docs/definitions.md); notebooks, the
workbook and the summary document only call these functions, so every number is defined once.
"""
