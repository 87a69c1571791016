"""One home each: personal-number patterns (personal_numbers.py), file signatures (guard.py), output file
names (paths.py) and the number formats of the report (formatting.py) are written nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

from analysis.common import paths

PACKAGE = paths.PACKAGE_DIR
OUTPUT_NAMES = {
    paths.INGEST_REPORT,
    paths.REJECTED_ROWS,
    paths.CATALOGUE_META,
    paths.INDICATORS_JSON,
    paths.INDICATORS_XLSX,
    paths.SUMMARY_DOCX,
    paths.MANIFEST,
    paths.BULLETIN_DOCX,
    paths.BULLETIN_PNG,
    paths.BULLETIN_XLSX,
}
# where the report's numbers are turned into text: charts, sentences, tables, the document, the messages
# of the completeness check (shown in the document and the workbook)
REPORT_TEXT = ["charts", "county", "indicators", "report", "processed/completeness.py", "bulletin"]


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


def _constants_outside(home: str, found) -> list[str]:
    """Where a string or bytes constant for which ``found`` is true stands outside the module ``home``."""
    return [_where(p, n) for p in _modules() if p.name != home for n, s in _strings(p) if found(s)]


def test_personal_number_patterns_only_in_personal_numbers():
    shapes = ("{17}", "{15}", "1[3-9][0-9]", "1[3-9]\\d")
    assert (
        _constants_outside(
            "personal_numbers.py", lambda s: isinstance(s, str) and any(x in s for x in shapes)
        )
        == []
    )


def test_file_signatures_only_in_guard():
    signatures = (b"\xd0\xcf\x11\xe0", b"PK\x03", b"PK\x05", b"PK\x07")
    assert _constants_outside("guard.py", lambda s: isinstance(s, bytes) and s.startswith(signatures)) == []


def test_output_file_names_only_in_paths():
    assert _constants_outside("paths.py", lambda s: s in OUTPUT_NAMES) == []


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
