"""The yearly report.

- run.py: the yearly run (ingest when needed, the catalogue, every notebook, workbook, document, manifest);
- notebook_runner.py: finds and executes the parameterised notebooks (papermill);
- notebook.py: what a notebook calls in its kernel (`start`); context.py: the year a notebook opens;
- section.py: a notebook's sentences, figures and tables for the document;
- workbook.py: indicators.xlsx; summary_doc.py: summary.docx.
"""
