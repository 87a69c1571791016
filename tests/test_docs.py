"""docs/ is generated from the schemas, the indicator docstrings, the recognition rules and the dialect pool:
it must be up to date, and it stands alone (no reference to files outside the repository)."""

from __future__ import annotations

import pytest

from analysis import paths
from analysis.docs import DOCS
from analysis.indicators.keys import KEYS


@pytest.mark.parametrize("name", list(DOCS))
def test_doc_is_current(name):
    assert (paths.ROOT / "docs" / name).read_text(encoding="utf-8") == DOCS[name]().rstrip() + "\n"


def test_indicators_doc_names_every_key():
    text = (paths.ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert all(f"`{key}`" in text for key in KEYS)


def test_dialect_pool_is_listed():
    text = (paths.ROOT / "docs" / "dialects.md").read_text(encoding="utf-8")
    assert "递交入团申请书时间" in text and "| platform |" in text
