"""docs/ is generated from the schemas, the indicator docstrings, the recognition rules and the dialect pool:
it must be up to date, and it stands alone (no reference to files outside the repository)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.common import paths
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


# the files the documentation stands on: everything the code, tests and docs cite lives in the repository
CITING = ["src", "tests", "docs", "benchmarks", "notebooks", "config", "README.md", "Makefile"]
OUTSIDE = re.compile(r"contracts\.md|domain\.md|stack-notes\.md|style\.md|shared/|/work/")


def _texts():
    generated = ("data", "out")  # benchmarks/data and benchmarks/out: made by `make bench`, git-ignored
    for entry in CITING:
        root = paths.ROOT / entry
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if entry == "benchmarks" and path.relative_to(root).parts[:1] in [(g,) for g in generated]:
                continue
            if path.suffix in (".py", ".md", ".ipynb", ".yml", ".txt", ".sql", "") and path.is_file():
                if "__pycache__" in path.parts or path.name == Path(__file__).name:
                    continue
                yield path, path.read_text(encoding="utf-8", errors="replace")


def test_no_reference_to_files_outside_the_repository():
    found = [
        f"{path.relative_to(paths.ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}"
        for path, text in _texts()
        for m in OUTSIDE.finditer(text)
    ]
    assert found == []


def test_every_cited_doc_and_definitions_section_exists():
    definitions = (paths.ROOT / "docs" / "definitions.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^## (\d+)\. ", definitions, flags=re.MULTILINE))
    cited_docs, cited_sections = set(), set()
    for _, text in _texts():
        cited_docs |= set(re.findall(r"docs/([\w-]+\.md)", text))
        cited_sections |= set(re.findall(r"docs/definitions\.md, section (\d+)", text))
    assert {"definitions.md", "indicators.md", "tables.md"} <= cited_docs
    assert sorted(d for d in cited_docs if not (paths.ROOT / "docs" / d).is_file()) == []
    assert cited_sections and sorted(cited_sections - sections) == []


def test_links_between_docs_resolve():
    for path in [*sorted((paths.ROOT / "docs").glob("*.md")), paths.ROOT / "README.md"]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            assert (path.parent / target).exists(), f"{path.name}: {target}"


def test_indicator_definitions_follow_the_documented_terms():
    """Every key has a Chinese definition in docs/indicators.md, in the words of docs/definitions.md."""
    text = (paths.ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert all(ki.definition and ki.definition in text for ki in KEYS.values())
    assert "(definitions.md)" in text
