"""One home each: personal-number patterns (personal_numbers.py), file signatures (guard.py), output file
names (paths.py) and the number formats of the report (formatting.py) are written nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

from analysis import paths

PACKAGE = paths.PACKAGE_DIR
OUTPUT_NAMES = {
    paths.INGEST_REPORT,
    paths.REJECTED_ROWS,
    paths.CATALOGUE_META,
    paths.INDICATORS_JSON,
    paths.INDICATORS_XLSX,
    paths.SUMMARY_DOCX,
    paths.MANIFEST,
}
# where the report's numbers are turned into text: charts, sentences, tables, the document, the messages
# of the completeness check (shown in the document and the workbook)
REPORT_TEXT = ["charts", "indicators", "report", "narrative.py", "completeness.py"]


def _modules(*parts: str) -> list[Path]:
    out = []
    for part in parts or (".",):
        target = PACKAGE / part
        out += [target] if target.is_file() else sorted(target.rglob("*.py"))
    return out


def _strings(path: Path) -> list[tuple[int, str | bytes]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)
    ]


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PACKAGE)}:{line}"


def test_personal_number_patterns_only_in_personal_numbers():
    found = [
        _where(p, n)
        for p in _modules()
        if p.name != "personal_numbers.py"
        for n, s in _strings(p)
        if isinstance(s, str) and any(shape in s for shape in ("{17}", "{15}", "1[3-9][0-9]", "1[3-9]\\d"))
    ]
    assert found == []


def test_file_signatures_only_in_guard():
    found = [
        _where(p, n)
        for p in _modules()
        if p.name != "guard.py"
        for n, s in _strings(p)
        if isinstance(s, bytes) and (s.startswith((b"\xd0\xcf\x11\xe0", b"PK\x03", b"PK\x05", b"PK\x07")))
    ]
    assert found == []


def test_output_file_names_only_in_paths():
    found = [
        _where(p, n) for p in _modules() if p.name != "paths.py" for n, s in _strings(p) if s in OUTPUT_NAMES
    ]
    assert found == []


def test_report_numbers_are_formatted_by_formatting():
    """No format spec with a percent sign, a thousands separator or fixed decimals in the report's text:
    formatting.count / percent / number / money / change decide how a number looks."""
    found = []
    for path in _modules(*REPORT_TEXT):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
                spec = "".join(str(v.value) for v in node.format_spec.values if isinstance(v, ast.Constant))
                if any(mark in spec for mark in ("%", ",", "f")):
                    found.append(f"{_where(path, node.lineno)} {spec}")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "format":
                base = node.func.value
                if isinstance(base, ast.Constant) and isinstance(base.value, str) and ":" in base.value:
                    found.append(f"{_where(path, node.lineno)} {base.value}")
    assert found == []
