"""The package's own import graph, read from its source: which modules a step runs (directly or through
the modules it imports), so that what a step's output depends on is computed rather than listed by hand.

- `code_fingerprint(INGEST)` stamps processed data: any change to a module the ingest imports — or to a
  resource file one of them names — re-ingests; a change anywhere else (charts, the sample generator)
  does not.
- `cycles()` finds import cycles (a test keeps the package free of them).

Edges are every ``import`` of a package module, module-level or inside a function (a lazy import still
runs when the step runs); imports under ``if TYPE_CHECKING:`` are ignored. Importing ``a.b.c`` also runs
the packages ``a`` and ``a.b``, so a fingerprint includes their ``__init__`` modules.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from analysis.common.paths import PACKAGE_DIR, cache_dir

RESOURCES = "resources"
# The steps whose output is cached, by their entry modules.
INGEST = (
    "analysis.processed.workspace",
)  # raw exports → processed tables (pipeline, readers, cleaning, checks)
CATALOGUE = ("analysis.indicators.catalogue",)  # processed tables → indicators and report tables
REPORT = ("analysis.report.run",)  # everything a yearly run executes (with the notebooks' own imports)


def package_modules(package_dir: Path | None = None) -> dict[str, Path]:
    """Dotted module name → source file, for every module of the package (``__init__`` → the package)."""
    package_dir = package_dir or PACKAGE_DIR
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


Imports = tuple[tuple[str, tuple[str, ...], int], ...]  # (module, names, relative level) per statement


def _scan(source: str | bytes, filename: str) -> tuple[Imports, frozenset[str]]:
    """The import statements of a source and its (short) string constants."""
    tree = ast.parse(source, filename=filename)
    imports: list[tuple[str, tuple[str, ...], int]] = []
    strings: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                imports.extend((alias.name, (), 0) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                imports.append((child.module or "", tuple(a.name for a in child.names), child.level))
            elif isinstance(child, ast.Constant) and isinstance(child.value, str) and len(child.value) < 80:
                strings.add(child.value)
            visit(child)

    visit(tree)
    return tuple(imports), frozenset(strings)


@cache
def _parsed(path: Path, stamp: tuple[int, int]) -> tuple[Imports, frozenset[str]]:
    """`_scan` of a file, cached per file version (modification time and size)."""
    return _scan(path.read_bytes(), str(path))


def _read(path: Path) -> tuple[Imports, frozenset[str]]:
    st = path.stat()
    return _parsed(path, (st.st_mtime_ns, st.st_size))


def _resolve(imports: Imports, package: str, modules: dict[str, Path]) -> set[str]:
    """The package modules named by import statements made inside ``package``."""
    out: set[str] = set()
    for module, names, level in imports:
        if level:
            base = package.rsplit(".", level - 1)[0] if level > 1 else package
            module = f"{base}.{module}" if module else base
        if not names:  # import a.b.c
            if module in modules:
                out.add(module)
            continue
        for item in names:
            if f"{module}.{item}" in modules:
                out.add(f"{module}.{item}")  # from a.b import c (a submodule)
            elif module in modules:
                out.add(module)  # from a.b import name
    return out


def module_imports(name: str, modules: dict[str, Path]) -> set[str]:
    """The package modules ``name`` imports explicitly (not counting the parent packages that run too)."""
    path = modules[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return _resolve(_read(path)[0], package, modules) - {name}


def notebook_imports(notebook: Path, package_dir: Path | None = None) -> set[str]:
    """The package modules a notebook's code cells import (IPython magics and shell lines skipped)."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    lines = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else source
            lines += [line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))]
    imports, _ = _scan("\n".join(lines), str(notebook))
    return _resolve(imports, "", package_modules(package_dir))


def import_graph(package_dir: Path | None = None) -> dict[str, set[str]]:
    """Every module of the package → the package modules it imports."""
    modules = package_modules(package_dir)
    return {name: module_imports(name, modules) for name in modules}


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def closure(roots: Iterable[str], package_dir: Path | None = None) -> set[str]:
    """The modules that run when ``roots`` are imported and used: their imports, transitively, and the
    parent packages of each."""
    modules = package_modules(package_dir)
    seen: set[str] = set()
    todo = [r for r in roots]
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        todo.extend(module_imports(name, modules))
        todo.extend(_parents(name))
    return seen


def resources_named(modules: Iterable[str], package_dir: Path | None = None) -> list[Path]:
    """The package's resource files whose names appear as a string in one of ``modules``."""
    package_dir = package_dir or PACKAGE_DIR
    sources = package_modules(package_dir)
    names: set[str] = set()
    for name in modules:
        names |= _read(sources[name])[1]
    folder = package_dir / RESOURCES
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name in names) if folder.is_dir() else []


def code_fingerprint(roots: Iterable[str], package_dir: Path | None = None) -> str:
    """Hash of the source of every module ``roots`` run and of the resource files those modules name.

    Reading the import graph parses every module (about 0.1 s): the result is kept in the user cache under
    a key made of the package files' paths, sizes and modification times, as Python keeps bytecode."""
    package_dir = package_dir or PACKAGE_DIR
    roots = tuple(sorted(roots))
    stamps = [
        (p.relative_to(package_dir).as_posix(), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(package_dir.rglob("*"))
        if p.suffix in (".py", ".yml", ".yaml") and "__pycache__" not in p.parts
    ]
    key = hashlib.sha256(json.dumps([roots, str(package_dir), stamps]).encode()).hexdigest()
    stored = cache_dir() / "codegraph" / f"{key}.txt"
    try:
        return stored.read_text(encoding="ascii").strip()
    except OSError:
        pass
    fingerprint = _fingerprint(roots, package_dir)
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        tmp = stored.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(fingerprint, encoding="ascii")
        os.replace(tmp, stored)
    except OSError:  # a read-only cache folder only costs the parse next time
        pass
    return fingerprint


def _fingerprint(roots: tuple[str, ...], package_dir: Path) -> str:
    sources = package_modules(package_dir)
    modules = sorted(closure(roots, package_dir))
    digest = hashlib.sha256()
    for path in [sources[m] for m in modules] + resources_named(modules, package_dir):
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (each holds an import cycle), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # Tarjan's algorithm, iterative
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)
