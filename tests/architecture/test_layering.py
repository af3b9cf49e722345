"""The package's layering rule, checked from the source: imports only point down.

The rule is stated in ``kaartspel/__init__.py``; this test reads every module's imports
(top-level and inside functions alike) with :mod:`ast`, so it needs nothing installed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kaartspel

PACKAGE = Path(kaartspel.__file__).resolve().parent

LAYERS = {
    "cli": 7, "serve": 6.5, "build": 6, "kit": 5.5, "deck": 5, "poster": 5, "pdf": 4,
    "render": 3, "content": 2, "options": 1, "units": 0.5, "cache": 0.5, "files": 0.25,
    "errors": 0, "__init__": 0,
}
"""Rank of each top-level part: a module may import only parts of a lower rank, or its own."""


def part(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        found[".".join(["kaartspel", *relative.parts]).removesuffix(".__init__")] = path
    return found


def imports(path: Path, module: str) -> list[tuple[int, str]]:
    found = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base]) if base else ".".join(parent)
            found += [(node.lineno, base)]
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names
                      if f"{base}.{alias.name}" in modules()]
    return [(line, name) for line, name in found if name.split(".")[0] == "kaartspel"]


def test_every_part_has_a_rank() -> None:
    assert {part(m) for m in modules()} <= set(LAYERS)


def test_imports_only_point_down() -> None:
    wrong = []
    for module, path in modules().items():
        own = part(module)
        for line, name in imports(path, module):
            other = part(name) if name != "kaartspel" else "__init__"
            if other != own and LAYERS[other] >= LAYERS[own] and other != "__init__":
                wrong.append(f"{path.relative_to(PACKAGE)}:{line}: {own} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_deck_and_poster_do_not_import_each_other() -> None:
    wrong = [f"{module} imports {name}" for module, path in modules().items()
             for _, name in imports(path, module)
             if {part(module), part(name)} == {"deck", "poster"}]
    assert not wrong


def test_no_private_name_is_imported_from_another_module() -> None:
    wrong = []
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kaartspel"):
                wrong += [f"{module}: {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_") and a.name != "__version__"]
    assert not wrong, wrong


def test_no_import_cycle_between_modules() -> None:
    graph = {module: {name for _, name in imports(path, module) if name in modules()}
             for module, path in modules().items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    # A package's __init__ is imported by its own modules' import machinery, not a cycle.
    cycles = [c for c in cycles if ".__init__" not in c]
    assert not cycles, "\n".join(cycles)
