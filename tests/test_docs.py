"""docs/ is generated from the schemas and the indicator docstrings: it must be up to date."""

from __future__ import annotations

from analysis import paths, schemas
from analysis.docs import indicators_markdown
from analysis.indicators.keys import KEYS


def test_tables_doc_is_current():
    assert (paths.ROOT / "docs" / "tables.md").read_text(
        encoding="utf-8"
    ) == schemas.markdown().rstrip() + "\n"


def test_indicators_doc_is_current():
    text = (paths.ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert text == indicators_markdown().rstrip() + "\n"
    assert all(f"`{key}`" in text for key in KEYS)
