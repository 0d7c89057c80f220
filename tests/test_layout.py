"""The package layout as a checked rule: which stage may import which, and no import cycles.

Every ``import`` in ``chargecheck/`` (top level and inside functions) is an edge from its module
to the chargecheck module it names.  Forbidden edges fail the test with file and line, so the
pipeline's direction (importers → match → flag → report, beside config, discover, cli) cannot
erode unnoticed.  Cycles are checked on module-level imports (what runs at import time).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "chargecheck"

# (importing stage, imported stage): never.
FORBIDDEN = {
    "importers": {"match", "flag", "report", "cli", "discover", "config", "pipeline", "workspace", "dedupe"},
    "match": {"importers", "flag", "report", "cli", "discover", "config", "pipeline", "workspace", "dedupe"},
    "flag": {"importers", "report", "cli", "discover", "config", "pipeline", "workspace"},
    "discover": {"importers", "flag", "report", "cli", "config", "pipeline", "workspace"},
    "report": {"importers", "match", "cli", "discover", "config", "pipeline", "workspace"},
    "config": {"match", "flag", "report", "cli", "discover", "pipeline", "workspace"},
    "model": {"importers", "match", "flag", "report", "cli", "discover", "config", "pipeline", "workspace"},
    "schema": {"importers", "match", "flag", "report", "cli", "discover", "config", "pipeline", "workspace"},
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _edges() -> list[tuple[str, str, str, int, bool]]:
    """``(importer, imported, file, line, at_module_level)`` for every chargecheck import."""
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Module level, and inside a module-level ``if`` other than ``if TYPE_CHECKING:`` (annotations only).
        top = {id(node) for node in tree.body} | {
            id(inner) for node in tree.body
            if isinstance(node, ast.If) and not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            for inner in node.body}
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [f"{target}.{a.name}" for a in node.names] if not node.module else [target]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("chargecheck"):
                    edges.append((module, name, str(path.relative_to(PACKAGE.parent)), node.lineno, id(node) in top))
    return edges


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


# Leaf modules of one stage that others may use: how people and banks write amounts, dates and
# periods (a credit's "05/2026" in flag, "--amount 10,99" in config).  They import nothing of
# their stage but the month names of ``importers.values``.
SHARED_LEAVES = {"chargecheck.importers.typed"}


def test_no_forbidden_import() -> None:
    bad = [f"{file}:{line}: {src} imports {dst}" for src, dst, file, line, _ in _edges()
           if dst not in SHARED_LEAVES and _stage(dst) in FORBIDDEN.get(_stage(src), set())
           or (_stage(dst) == "cli" and _stage(src) not in ("cli", "__main__"))]
    assert bad == []


def _known(name: str, modules: set[str]) -> str | None:
    while name and name not in modules:
        name = name.rsplit(".", 1)[0] if "." in name else ""
    return name or None


def test_no_import_cycle_at_module_level() -> None:
    modules = {_module(p) for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for src, dst, _, _, top in _edges():
        target = _known(dst, modules)
        if top and target and target != src and not src.startswith(target + "."):
            graph[src].add(target)
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            if nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for module in sorted(graph):
        if module not in seen:
            visit(module)


def test_every_package_says_its_input_output_and_imports() -> None:
    for init in sorted(PACKAGE.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        if init.parent.name in ("cli", "chargecheck") or init.parent.parent.name == "importers":
            continue  # the CLI and the top level say what they are; format packages are covered by importers
        assert "Input" in doc and "Output" in doc and "import" in doc, init
