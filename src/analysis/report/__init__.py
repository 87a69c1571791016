"""The yearly report: the notebooks' context, the indicator workbook, the summary document, the run."""
