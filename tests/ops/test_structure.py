"""The ops wing's shape (issue 13): three rooms, small modules and classes, no import cycle, and the core
never imports its I/O modules."""

from __future__ import annotations

import ast
from pathlib import Path

OPS = Path(__file__).parents[2] / "src" / "colossim" / "ops"
IO_MODULES = {"colossim.ops.exports.perfetto", "colossim.ops.exports.plots", "colossim.ops.seeds",
              "colossim.ops.workloads.tracefile"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in OPS.rglob("*.py"):
        rel = path.relative_to(OPS.parent.parent).with_suffix("")
        name = ".".join(rel.parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(path: Path, modules: set[str]) -> set[str]:
    """colossim.ops modules imported (`from colossim.ops import defaults` counts as the submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("colossim.ops"):
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            found |= subs or {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("colossim.ops")}
    return found


def test_three_rooms_and_small_modules_and_classes():
    assert {p.name for p in OPS.iterdir() if p.is_dir() and (p / "__init__.py").exists()} >= {
        "workloads", "sim", "exports"}
    for name, path in _modules().items():
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 400, f"{name}: {lines} lines"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno - node.lineno + 1 <= 200, f"{name}.{node.name} is over 200 lines"


def test_no_import_cycle_and_the_core_imports_no_io():
    modules = _modules()
    names = set(modules)
    graph = {m: {i for i in _imports(p, names) if i in modules and i != m} for m, p in modules.items()}
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for dep in graph[m]:
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack, m, dep]))
            if dep not in state:
                visit(dep, [*stack, m])
        state[m] = 2

    for m in graph:
        if m not in state and m != "colossim.ops":  # the package itself re-exports everything
            visit(m, [])
    core = [m for m in graph if m.startswith("colossim.ops.sim") or m.startswith("colossim.ops.workloads.")]
    for m in core:
        assert not (graph[m] & IO_MODULES), f"{m} imports an I/O module"
