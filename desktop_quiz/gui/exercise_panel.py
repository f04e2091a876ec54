"""Coding exercises in the question view: a Python editor, test results, hints, review.

* :class:`CodeEditor`: a plain-text editor with line numbers, Python highlighting
  (:class:`PythonHighlighter`, a ``QSyntaxHighlighter``), auto-indent, and Tab
  inserting four spaces (Shift+Tab removes them; Ctrl+Tab leaves the editor).
* :class:`ExercisePanel`: the editor, the tests' names and docstrings, the results of
  the last run (✓/✗ with messages), hints one at a time, and after submitting the
  reference solution beside the learner's code and the explanation.
* :class:`AsyncRun`: runs the tests on a Python thread (the runner itself uses a
  separate process), delivering the result on the GUI thread, so the window stays
  responsive whatever the code does.

The session page owns the keys: Ctrl+Enter runs the tests, Ctrl+Shift+Enter submits.
"""

from __future__ import annotations

import atexit
import contextlib
import html
import threading
from collections.abc import Callable
from typing import Any

from desktop_quiz.core.model import Question
from desktop_quiz.core.study.drafts import Drafts
from desktop_quiz.core.study.runner import Runner, RunResult
from desktop_quiz.gui import theme
from desktop_quiz.gui.code_editor import CodeEditor
from desktop_quiz.gui.compose import BAD_MARK, OK_MARK
from desktop_quiz.gui.qt import (
    QHBoxLayout,
    QLabel,
    QObject,
    QPlainTextEdit,
    QSizePolicy,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.richtext import RichEnv, RichView
from desktop_quiz.gui.widgets import button, card, label, shortcut_text

RUN_KEYS = ("Ctrl+Return", "Ctrl+Enter")
SUBMIT_KEYS = ("Ctrl+Shift+Return", "Ctrl+Shift+Enter")
DRAFT_SAVE_MS = 600

_runner: Runner | None = None
_runner_lock = threading.Lock()


def shared_runner() -> Runner:
    """The app's one runner (its warm worker starts on first use, stops at exit)."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = Runner()
            atexit.register(_runner.close)
        return _runner


# -- running off the GUI thread ---------------------------------------------------------
class AsyncRun(QObject):
    """Runs the tests on a Python thread; :attr:`done` arrives on the GUI thread."""

    done = Signal(object)  # RunResult

    def __init__(self, runner: Callable[[], Runner] = shared_runner,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._runner = runner
        self.busy = False

    def start(self, q: Question, code: str) -> bool:
        ex = q.exercise
        if self.busy or ex is None:
            return False
        self.busy = True
        runner = self._runner()

        def work() -> None:
            try:
                result = runner.run_exercise(ex, code)
            except Exception as exc:
                result = RunResult("crash", f"The runner failed: {type(exc).__name__}: {exc}")
            # Queued to the GUI thread; RuntimeError when the panel closed meanwhile.
            with contextlib.suppress(RuntimeError):
                self.done.emit(result)

        threading.Thread(target=work, daemon=True, name="exercise-run").start()
        return True


# -- the panel --------------------------------------------------------------------------
class ExercisePanel(QWidget):
    """Editor, test list and results; after submitting, the reference solution."""

    ran = Signal(object)  # RunResult, shown

    def __init__(self, env: RichEnv, q: Question, drafts: Drafts | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.question = q
        self.env = env
        self.drafts = drafts
        self.last_result: RunResult | None = None
        self.last_run_code: str | None = None
        self.submit_after_run = False  # Ctrl+Shift+Enter on changed code: run, then submit
        self.submitted = False
        self.async_run = AsyncRun(parent=self)
        self.async_run.done.connect(self._on_done)
        ex = q.exercise
        assert ex is not None, "ExercisePanel needs a coding exercise"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.banner = label("", wrap=True)
        self.banner.hide()
        layout.addWidget(self.banner)

        # Your code (left) and, after submitting, the reference solution (right).
        self.code_row = QHBoxLayout()
        self.code_row.setSpacing(12)
        left = QVBoxLayout()
        left.setSpacing(6)
        head = QHBoxLayout()
        head.addWidget(label("Your code", "h2"))
        head.addStretch(1)
        self.reset_button = button("Reset to starter", accessible="Reset to starter code",
                                   tip="Replace your code with the starter (your draft is lost)")
        self.reset_button.clicked.connect(self.reset)
        head.addWidget(self.reset_button)
        left.addLayout(head)
        self.editor = CodeEditor(self)
        self.editor.setAccessibleName("Your code")
        draft = drafts.load(q.id) if drafts else None
        self.editor.setPlainText(draft if draft is not None else ex.starter)
        self.restored = draft is not None
        self.editor.fit_lines(max(10, min(18, self.editor.blockCount() + 3)))
        left.addWidget(self.editor, 1)
        self.code_row.addLayout(left, 1)
        self.solution_box = QWidget(self)
        sb = QVBoxLayout(self.solution_box)
        sb.setContentsMargins(0, 0, 0, 0)
        sb.setSpacing(6)
        sb.addWidget(label("Reference solution", "h2"))
        self.solution = CodeEditor(self.solution_box, read_only=True)
        self.solution.setAccessibleName("Reference solution")
        self.solution.setPlainText(ex.solution)
        sb.addWidget(self.solution, 1)
        self.solution_box.hide()
        self.code_row.addWidget(self.solution_box, 1)
        layout.addLayout(self.code_row)

        row = QHBoxLayout()
        self.run_button = button(f"Run tests ({shortcut_text('Ctrl+Return')})",
                                 accessible="Run tests")
        self.run_button.clicked.connect(self.run_tests)
        self.hint_button = button(f"Show &hint ({shortcut_text('Ctrl+H')})",
                                  accessible="Show hint")
        self.hint_button.clicked.connect(self.show_hint)
        self.hint_button.setVisible(bool(ex.hints_html))
        self.run_status = label("", "muted")
        row.addWidget(self.run_button)
        row.addWidget(self.hint_button)
        row.addWidget(self.run_status, 1)
        layout.addLayout(row)

        self.hint_views: list[QWidget] = []
        for i, h in enumerate(ex.hints_html):
            box = card(self)
            hb = QVBoxLayout(box)
            hb.setContentsMargins(14, 8, 14, 8)
            hb.setSpacing(2)
            hb.addWidget(label(f"Hint {i + 1} of {len(ex.hints_html)}", "muted"))
            view = RichView(env, box, auto_height=True)
            view.setAccessibleName(f"Hint {i + 1}")
            view.set_bank_html(h)
            hb.addWidget(view)
            box.hide()
            self.hint_views.append(box)
            layout.addWidget(box)
        self.hints_shown = 0

        layout.addWidget(label("Tests", "h2"))
        self.results_card = card(self)
        rl = QVBoxLayout(self.results_card)
        rl.setContentsMargins(14, 10, 14, 10)
        rl.setSpacing(6)
        self.test_labels: dict[str, QLabel] = {}
        for t in ex.test_cases:
            lab = QLabel(self.results_card)
            lab.setWordWrap(True)
            lab.setTextFormat(Qt.TextFormat.RichText)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lab.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
            self.test_labels[t.name] = lab
            rl.addWidget(lab)
        self.output = QLabel(self.results_card)
        self.output.setWordWrap(True)
        self.output.setTextFormat(Qt.TextFormat.RichText)
        self.output.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.output.hide()
        rl.addWidget(self.output)
        layout.addWidget(self.results_card)
        self._show_pending()

        self.feedback = QWidget(self)
        fb = QVBoxLayout(self.feedback)
        fb.setContentsMargins(0, 4, 0, 0)
        fb.addWidget(label("Explanation", "h2"))
        self.answer = RichView(env, self.feedback, auto_height=True)
        self.answer.setAccessibleName("Explanation")
        self.answer.set_bank_html(q.answer_html)
        fb.addWidget(self.answer)
        self.feedback.hide()
        layout.addWidget(self.feedback)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(DRAFT_SAVE_MS)
        self._save_timer.timeout.connect(self.save_draft)
        self.editor.textChanged.connect(self._save_timer.start)

    # -- drafts -------------------------------------------------------------------
    def code(self) -> str:
        return self.editor.toPlainText()

    def save_draft(self) -> None:
        if self.drafts is None or self.submitted:
            return
        ex = self.question.exercise
        code = self.code()
        try:
            if ex is not None and code == ex.starter:
                self.drafts.clear(self.question.id)
            else:
                self.drafts.save(self.question.id, code)
        except OSError:
            self.run_status.setText("Your draft could not be saved (disk full or read-only?)")

    def hideEvent(self, event: Any) -> None:
        if self._save_timer.isActive():
            self._save_timer.stop()
            self.save_draft()
        super().hideEvent(event)

    def reset(self) -> None:
        ex = self.question.exercise
        if ex is not None and not self.submitted:
            self.editor.setPlainText(ex.starter)
            self.save_draft()

    # -- running -------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.async_run.busy

    def run_tests(self) -> bool:
        if self.submitted or self.running:
            return False
        self.save_draft()
        code = self.code()
        if not self.async_run.start(self.question, code):
            return False
        self.last_run_code = code
        self.run_button.setEnabled(False)
        self.run_status.setText("Running the tests…")
        return True

    def _on_done(self, result: RunResult) -> None:
        self.async_run.busy = False
        self.run_button.setEnabled(not self.submitted)
        from desktop_quiz.gui.qt import QApplication

        focus = QApplication.focusWidget()
        if not self.submitted and (focus is None or focus is self.run_button):
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)  # keep typing
        self.show_result(result)
        self.ran.emit(result)

    def result_is_current(self) -> bool:
        """True when the last run tested exactly the code in the editor."""
        return self.last_result is not None and self.last_run_code == self.code()

    def show_result(self, result: RunResult) -> None:
        self.last_result = result
        t = theme.current()
        ex = self.question.exercise
        assert ex is not None
        by_name = {r.name: r for r in result.tests}
        for case in ex.test_cases:
            r = by_name.get(case.name)
            lab = self.test_labels[case.name]
            head = (f"<b>{html.escape(case.name)}</b> — {html.escape(case.doc)}")
            if r is None:
                lab.setText(f"<span style='color:{t.muted}'>○</span> {head}")
                continue
            mark, colour = (OK_MARK, t.ok) if r.passed else (BAD_MARK, t.bad)
            detail = ""
            if not r.passed:
                body = html.escape(r.message) + (
                    "<br>" + html.escape(r.traceback).replace("\n", "<br>") if r.traceback else "")
                detail = (f"<br><span style='font-family:monospace; color:{t.bad}'>"
                          f"{body.replace(chr(10), '<br>')}</span>")
            lab.setText(f"<span style='color:{colour}; font-weight:bold'>{mark}</span> {head}"
                        f" <span style='color:{t.muted}'>({r.seconds * 1000:.0f} ms)</span>"
                        f"{detail}")
            lab.setAccessibleName(f"{'passed' if r.passed else 'failed'}: {case.name}")
        out = ""
        if result.stdout.strip():
            out += (f"<b>Printed output</b><br><span style='font-family:monospace'>"
                    f"{html.escape(result.stdout[:2000]).replace(chr(10), '<br>')}</span>")
        self.output.setText(out)
        self.output.setVisible(bool(out))
        summary = f"{result.passed} of {result.total} tests passed in {result.seconds:.2f} s"
        if result.status != "ok" or result.message:
            summary = f"{result.message}  ({result.passed} of {result.total} passed)"
        good = result.all_passed
        from desktop_quiz.gui.question_panels import set_role

        set_role(self.banner, "banner-ok" if good else "banner-bad",
                 f"{OK_MARK if good else BAD_MARK} {summary}"
                 + ("" if self.submitted else
                    f" — {shortcut_text('Ctrl+Shift+Return')} submits."))
        self.banner.show()
        self.run_status.setText(f"Last run: {result.passed}/{result.total} passed")

    def _show_pending(self) -> None:
        t = theme.current()
        ex = self.question.exercise
        assert ex is not None
        for case in ex.test_cases:
            self.test_labels[case.name].setText(
                f"<span style='color:{t.muted}'>○</span> <b>{html.escape(case.name)}</b> — "
                f"{html.escape(case.doc)}")

    # -- hints and review ------------------------------------------------------------
    def show_hint(self) -> None:
        if self.hints_shown < len(self.hint_views):
            self.hint_views[self.hints_shown].show()
            self.hints_shown += 1
        ex = self.question.exercise
        left = len(ex.hints_html) - self.hints_shown if ex else 0
        self.hint_button.setVisible(left > 0 and not self.submitted)
        self.hint_button.setText(f"Next &hint ({shortcut_text('Ctrl+H')})")

    def _fit_review(self) -> None:
        """Both code views tall enough for their wrapped lines (up to 40)."""
        lines = 0
        for view in (self.editor, self.solution):
            block, n = view.document().firstBlock(), 0
            while block.isValid():
                n += max(1, block.layout().lineCount() if block.layout() else 1)
                block = block.next()
            lines = max(lines, n)
        for view in (self.editor, self.solution):
            view.fit_lines(min(40, lines + 1))

    def show_review(self, suggested: int) -> None:
        """After submitting: solution beside the code, the explanation, the suggestion."""
        from desktop_quiz.core.model import Rating

        self.submitted = True
        self._save_timer.stop()
        if self.drafts is not None:
            self.drafts.clear(self.question.id)
        self.editor.setReadOnly(True)
        self.run_button.setEnabled(False)
        self.reset_button.hide()
        self.hint_button.hide()
        self.solution_box.show()
        for view in (self.editor, self.solution):  # half the width: wrap, don't scroll
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        QTimer.singleShot(0, self._fit_review)
        self.feedback.show()
        r = self.last_result
        passed, total = (r.passed, r.total) if r else (0, len(self.test_labels))
        good = bool(r and r.all_passed)
        from desktop_quiz.gui.question_panels import set_role

        set_role(self.banner, "banner-ok" if good else "banner-bad",
                 f"{OK_MARK if good else BAD_MARK} Submitted: {passed} of {total} tests passed. "
                 f"Suggested rating: {Rating(suggested).label} — Enter accepts it, "
                 "1–4 picks another.")
        self.banner.show()
