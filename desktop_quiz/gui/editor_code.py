"""The question editor's coding-exercise fields: Starter, Tests, Solution (issue 16).

Each is a Python editor; :meth:`CodeFields.sections` writes them as the bank's
``## Starter`` / ``## Tests`` / ``## Solution`` sections, each one ```` ```python ````
block. Running them (the Solution must pass every test, the unchanged Starter must
fail one, as ``bank check`` requires) is :func:`run_checks`, called on demand and on
save: a subprocess per check is too slow for every keystroke.
"""

from __future__ import annotations

from desktop_quiz.core.bank.source import Problem
from desktop_quiz.core.model import Exercise, Question
from desktop_quiz.gui.code_editor import CodeEditor
from desktop_quiz.gui.qt import QVBoxLayout, QWidget
from desktop_quiz.gui.widgets import button, hbox, label

STARTER_TEMPLATE = '''import numpy as np


def solve(x: np.ndarray) -> np.ndarray:
    """Say what the function returns."""
    raise NotImplementedError
'''
TESTS_TEMPLATE = '''import numpy as np


def test_example():
    """One line the learner sees: what this test checks."""
    assert solve(np.array([1.0])).shape == (1,)
'''

FIELDS = (
    ("starter", "Starter (what the learner's editor starts with; must fail a test)"),
    ("tests", "Tests (top-level test_* functions, each with a one-line docstring)"),
    ("solution", "Solution (must pass every test)"),
)


def fenced(code: str) -> str:
    """A ```python block that survives backtick runs inside the code."""
    longest = max((len(run) for run in code.split("\n") if set(run.strip()) == {"`"}),
                  default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}python\n{code.strip(chr(10))}\n{fence}\n"


class CodeFields(QWidget):
    """Three Python editors, shown when the question's kind is "Coding exercise"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.editors: dict[str, CodeEditor] = {}
        for name, title in FIELDS:
            lay.addWidget(label(title, "muted", wrap=True))
            ed = CodeEditor(self)
            ed.setAccessibleName(name.capitalize())
            ed.fit_lines(9)
            lay.addWidget(ed)
            self.editors[name] = ed
        self.check_button = button("Check &code", accessible="Check code")
        self.check_button.setToolTip("Run the tests on the Solution and on the Starter, "
                                     "as bank check does (Save does it too)")
        self.status = label("", "muted", wrap=True)
        self.status.setAccessibleName("Code check")
        row = hbox(self.check_button)
        row.addWidget(self.status, 1)
        lay.addLayout(row)

    def text(self, name: str) -> str:
        return self.editors[name].toPlainText()

    def set_templates(self) -> None:
        """A working skeleton for a new exercise (only where a field is empty)."""
        for name, text in (("starter", STARTER_TEMPLATE), ("tests", TESTS_TEMPLATE)):
            if not self.text(name).strip():
                self.editors[name].setPlainText(text)

    def load(self, ex: Exercise) -> None:
        for name, text in (("starter", ex.starter), ("tests", ex.tests),
                           ("solution", ex.solution)):
            self.editors[name].setPlainText(text)

    def sections(self) -> list[str]:
        out: list[str] = []
        for name, _title in FIELDS:
            out += [f"## {name.capitalize()}\n", fenced(self.text(name))]
        return out


def run_checks(q: Question) -> list[Problem]:
    """Run the exercise the way ``bank check`` does; problems at the section's line."""
    from desktop_quiz.core.bank.build import code_problems
    from desktop_quiz.core.study.runner import ExerciseCheck, check_exercises

    return code_problems([q], lambda items: check_exercises(
        [ExerciseCheck(*item) for item in items], jobs=1, timeout=30.0))


def passed_text(q: Question) -> str:
    n = len(q.exercise.test_cases) if q.exercise else 0
    return (f"✓ Checked: the Solution passes all {n} test{'s' if n != 1 else ''} and the "
            "Starter fails at least one.")
