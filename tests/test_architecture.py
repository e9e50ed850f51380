"""The package's structure: imports point one way (core ← methods ← orchestration ← adapters), no circles.

Read from the source with ``ast``, imports inside functions included, so a circle can't hide in a
function body.  See docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "salesanalytics"
LAYERS = ("core", "methods", "orchestration", "adapters")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            # the deepest known module the import names
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("salesanalytics"):
                out.add(target)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_sits_in_a_layer():
    loose = [n for n in _modules() if _layer(n) is None and n not in ("salesanalytics", "salesanalytics.__main__")]
    assert loose == [], "modules outside core/methods/orchestration/adapters"


def test_imports_only_point_downward(graph):
    upward = []
    for name, targets in graph.items():
        own = _layer(name)
        if own is None:
            continue
        for target in targets:
            other = _layer(target)
            if target == "salesanalytics":  # the package root: only __version__ (stdlib-light)
                continue
            if other is None or other > own:
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_no_import_circle(graph):
    # Tarjan-free: a DFS that reports the first back edge with its path
    state: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt.endswith("__init__") or nxt not in graph:
                continue
            if state.get(nxt) == 1 and not node.startswith(nxt + ".") and nxt != "salesanalytics" and not _is_package(nxt):
                circles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert circles == []


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / Path(*name.split(".")) / "__init__.py").exists()


def test_core_depends_on_nothing_of_ours_but_core(graph):
    bad = [f"{n} -> {t}" for n, ts in graph.items() if _layer(n) == 0 for t in ts if _layer(t) not in (0,)]
    assert bad == []


def test_methods_never_read_files_print_or_read_the_clock():
    offenders = []
    for path in (PACKAGE / "methods").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
                if name in ("print", "open", "read_csv", "read_excel", "read_parquet", "to_csv", "to_excel") or \
                        (name in ("now", "today") and owner in ("pd", "Timestamp", "datetime", "date")):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {owner + '.' if owner else ''}{name}()")
    assert offenders == []


def test_no_class_over_400_lines():
    big = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 400:
                big.append(f"{path.relative_to(PACKAGE)}:{node.name} {node.end_lineno - node.lineno + 1} lines")
    assert big == []
