"""Architecture rules, read from the source's import statements.

- The core never loads Qt; the GUI reaches Qt only through its shim.
- No import circle anywhere in ``desktop_quiz`` (lazy and type-only imports count too).
- Direction inside the core: ``bank`` imports neither ``progress`` nor ``study``
  (not even through a core-level module); ``progress`` does not import ``study``.
- The CLI reaches the bench and the GUI only through lazy imports.
"""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import desktop_quiz

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "desktop_quiz"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, modules: dict[str, Path], top_level_only: bool = False) -> set[str]:
    """Our modules that ``path`` imports (a ``from pkg import mod`` counts as ``pkg.mod``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.add(sub if sub in modules else base)
    return {m for m in found if m in modules and m != this}


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_core_has_its_three_parts() -> None:
    core = PACKAGE / "core"
    for part in ("bank", "progress", "study"):
        init = core / part / "__init__.py"
        assert init.is_file(), part
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "owns" in doc.lower() and "import" in doc.lower(), f"{part}: say what it owns"


def test_no_import_circle_anywhere() -> None:
    assert find_cycle(graph()) is None


def test_the_cycle_finder_finds_a_circle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(("part", "forbidden"), [
    ("desktop_quiz.core.bank", ("desktop_quiz.core.progress", "desktop_quiz.core.study")),
    ("desktop_quiz.core.progress", ("desktop_quiz.core.study",)),
    ("desktop_quiz.core", ("desktop_quiz.gui", "desktop_quiz.cli", "desktop_quiz.bench")),
])
def test_imports_follow_the_allowed_direction(part: str, forbidden: tuple[str, ...]) -> None:
    edges = graph()
    offenders = []
    for module in edges:
        if module != part and not module.startswith(part + "."):
            continue
        for target in reachable(edges, module):
            if target.startswith(forbidden):
                offenders.append(f"{module} -> {target}")
    assert offenders == []


def test_the_cli_imports_the_bench_and_the_gui_lazily() -> None:
    modules = all_modules()
    top = imports_of(PACKAGE / "cli.py", modules, top_level_only=True)
    assert not {m for m in top if m.startswith(("desktop_quiz.gui", "desktop_quiz.bench"))}
    code = ("import sys, desktop_quiz.cli\n"
            "print(sorted(m for m in sys.modules if m.startswith(('desktop_quiz.gui', "
            "'desktop_quiz.bench', 'PySide6'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_core_imports_no_qt_in_a_fresh_interpreter() -> None:
    core = [m.name for m in pkgutil.walk_packages([str(PACKAGE / "core")],
                                                  "desktop_quiz.core.")]
    assert {"desktop_quiz.core.bank.reader", "desktop_quiz.core.study.session",
            "desktop_quiz.core.study.grading", "desktop_quiz.core.progress.storage",
            "desktop_quiz.core.progress.scheduling"} <= set(core)
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}: importlib.import_module(name)\n"
        "import desktop_quiz.cli\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'matplotlib'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_gui_modules_import_qt_only_through_the_shim() -> None:
    offenders = []
    for path in sorted((PACKAGE / "gui").rglob("*.py")):
        if path.name == "qt.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(from|import)\s+(PySide6|shiboken6)\b", line):
                offenders.append(f"{path.name}:{n}")
    assert offenders == []


def test_no_module_over_500_lines_without_a_reason() -> None:
    """A long module states why on its first lines (``# long: ...``)."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > 500 and not any(line.startswith("# long: ") for line in lines[:3]):
            offenders.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
    assert offenders == []


def test_package_is_importable() -> None:
    assert desktop_quiz.__version__
