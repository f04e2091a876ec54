"""The runnable sections of a coding exercise (``kind: code``): Starter, Tests, Solution.

Called by :mod:`desktop_quiz.core.bank.source` with the file's sections (objects with
``name``, ``line``, ``body`` as (line, text) pairs, ``text()`` and ``first_line()``)
and its ``problem(line, message)`` callback. Each of the three sections holds exactly
one ```` ```python ```` block; the Tests block defines top-level ``test_*`` functions
without parameters, each with a one-line docstring (shown to the learner). Running the
code is not done here: the builder gets a checker from its caller (see ``build``).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from desktop_quiz.core.model import Exercise, TestCase

CODE_SECTIONS = ("starter", "tests", "solution")
FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
PYTHON_BLOCK_RE = re.compile(r"^(`{3,})python[ \t]*$")


def _python_block(section: Any, problem: Any) -> tuple[str, int] | None:
    """The one ```python block a code section holds: (source, line of its first line)."""
    blocks: list[tuple[str, int]] = []
    fence: str | None = None
    start = 0
    body: list[str] = []
    stray = 0
    for n, line in section.body:
        if fence is None:
            m = PYTHON_BLOCK_RE.match(line.strip())
            if m:
                fence, start, body = m.group(1), n + 1, []
            elif FENCE_RE.match(line):
                problem(n, f"'## {section.name.capitalize()}' holds one ```python block "
                        "(this fence has no 'python' language)")
                return None
            elif line.strip():
                stray = stray or n
        elif line.strip().startswith(fence) and not line.strip().strip("`"):
            blocks.append(("\n".join(body), start))
            fence = None
        else:
            body.append(line)
    if fence is not None:
        problem(start - 1, "code block is not closed")
        return None
    if len(blocks) != 1 or stray:
        problem(stray or section.line, f"'## {section.name.capitalize()}' must hold exactly one "
                f"```python block and nothing else (found {len(blocks)} block(s)"
                + (", and text" if stray else "") + ")")
        return None
    return blocks[0]


def parse_exercise(sections: dict[str, Any], problem: Any) -> Exercise | None:
    """Starter, Tests, Solution and hints of a ``kind: code`` question."""
    code: dict[str, str] = {}
    trees: dict[str, ast.Module] = {}
    for name in CODE_SECTIONS:
        block = _python_block(sections[name], problem)
        if block is None:
            continue
        text, first = block
        try:
            trees[name] = ast.parse(text, filename=name)
        except SyntaxError as exc:
            problem(first + (exc.lineno or 1) - 1,
                    f"syntax error in '## {name.capitalize()}': {exc.msg}")
            continue
        code[name] = text
    cases: list[TestCase] = []
    if "tests" in trees:
        tests_line = sections["tests"].first_line() + 1
        for node in trees["tests"].body:
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
                continue
            line = tests_line + node.lineno - 1
            a = node.args
            if a.args or a.posonlyargs or a.kwonlyargs or a.vararg or a.kwarg:
                problem(line, f"{node.name} must take no arguments")
            doc = (ast.get_docstring(node) or "").strip()
            if not doc or "\n" in doc:
                problem(line, f"{node.name} needs a one-line docstring (shown to the learner)")
            if any(c.name == node.name for c in cases):
                problem(line, f"test {node.name} is defined twice")
            cases.append(TestCase(node.name, doc))
        if not cases:
            problem(sections["tests"].line, "'## Tests' defines no top-level test_* function")
    hints: tuple[str, ...] = ()
    if "hint" in sections:
        hints = _hint_items(sections["hint"])
    if len(code) != len(CODE_SECTIONS):
        return None
    return Exercise(starter=code["starter"], tests=code["tests"], solution=code["solution"],
                    test_cases=tuple(cases), hints=hints)


def _hint_items(section: Any) -> tuple[str, ...]:
    """A bullet list gives one hint per top-level item; any other text is one hint."""
    items: list[list[str]] = []
    for _, line in section.body:
        if line.startswith(("- ", "* ")):
            items.append([line[2:]])
        elif items and (line.startswith("  ") or not line.strip()):
            items[-1].append(line[2:] if line.startswith("  ") else "")
        elif line.strip():
            return (section.text(),)
    return tuple("\n".join(i).strip() for i in items) or (section.text(),)
