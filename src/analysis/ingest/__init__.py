"""Ingest: raw exports (any file names, xlsx/xls/csv/html) → canonical tables, with a report of every row."""
