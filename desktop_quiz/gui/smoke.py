"""``desktop-quiz --smoke-test``: a drill answered through the real widgets.

MCQs: click the first choice row, click Submit, click Continue. Recall: type into
the editor, click Check, click the (preselected) rating button. One line
``answered <n> <question-id>`` per question on stdout, flushed, then exit 0.
The answers land in the progress database exactly as a person's would.
"""

from __future__ import annotations

import sys
from typing import Any

from desktop_quiz.core.study.session import DrillSpec
from desktop_quiz.gui.exercise_panel import ExercisePanel
from desktop_quiz.gui.qt import QObject, QPoint, Qt, QTimer, QWidget, Signal, qtest
from desktop_quiz.gui.question_panels import McqPanel, RecallPanel

RECALL_TEXT = "I would explain the definition first, then give an example and a trade-off."


def click(widget: QWidget) -> None:
    """A real mouse click in the middle of ``widget`` (press and release)."""
    QTest = qtest()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(widget.width() // 2,
                                                            widget.height() // 2))


class SmokeDriver(QObject):
    done = Signal(int)  # exit status

    def __init__(self, window: Any, count: int, delay_ms: int = 0,
                 ids: list[str] | None = None):
        super().__init__()
        self.window = window
        self.count = count
        self.ids = ids  # a fixed drill (the benchmark's); default: a random one
        self.delay_ms = delay_ms
        self.answered = 0
        self.answers_before = 0

    def fail(self, message: str) -> None:
        print(f"desktop-quiz: smoke test failed: {message}", file=sys.stderr, flush=True)
        self.done.emit(1)

    def start(self) -> None:
        ctx = self.window.ctx
        available = ctx.bank.count()
        if self.count < 1:
            self.fail("--count must be at least 1")
            return
        if self.ids is not None and len(self.ids) < self.count:
            self.fail(f"only {len(self.ids)} of the questions asked for exist")
            return
        if available < self.count:
            self.fail(f"the bank has only {available} questions, fewer than {self.count}")
            return
        self.answers_before = ctx.progress.answer_count()
        if self.ids is not None:
            self.window.show_page("drill")
            self.window.drill.start_ordered(self.ids[:self.count])
        else:
            self.window.start_spec(DrillSpec(count=self.count, order="random"))
        page = self.window.drill.session_page
        if not page.active:
            self.fail("the drill did not start")
            return
        QTimer.singleShot(self.delay_ms, self.step)

    def step(self) -> None:
        page = self.window.drill.session_page
        if not page.active or page.session is None:
            self.finish()
            return
        qid = page.session.question.id
        panel = page.panel
        try:
            if isinstance(panel, McqPanel):
                self._answer_mcq(page, panel)
            elif isinstance(panel, RecallPanel):
                self._answer_recall(page, panel)
            elif isinstance(panel, ExercisePanel):
                self._answer_code(page, panel)
                return  # continues when the tests have run
            else:
                raise RuntimeError("no question is shown")
        except RuntimeError as exc:
            self.fail(f"question {qid}: {exc}")
            return
        self._answered(qid)

    def _answered(self, qid: str) -> None:
        self.answered += 1
        print(f"answered {self.answered} {qid}", flush=True)
        if self.answered >= self.count:
            QTimer.singleShot(0, self.finish)
        else:
            QTimer.singleShot(self.delay_ms, self.step)

    def _answer_mcq(self, page: Any, panel: McqPanel) -> None:
        row = panel.rows[0]
        click(row)
        if not panel.chosen():
            raise RuntimeError("clicking a choice did not select it")
        click(page.primary_button)
        if not panel.banner.isVisible():
            raise RuntimeError("no feedback after submitting")
        click(page.primary_button)  # Continue / Finish

    def _answer_code(self, page: Any, panel: ExercisePanel) -> None:
        """Type the reference solution, submit (the tests run first), accept the rating."""
        ex = panel.question.exercise
        panel.editor.setPlainText(ex.solution if ex else "")
        click(page.primary_button)  # Submit code: runs the tests, then records
        waited = [0]

        def poll() -> None:
            if page.state == "answered":
                if not panel.solution_box.isVisible():
                    self.fail(f"question {panel.question.id}: no review after submitting")
                    return
                click(page.rating_buttons[page.selected_rating()])
                self._answered(panel.question.id)
                return
            waited[0] += 1
            if waited[0] > 600:  # 30 s
                self.fail(f"question {panel.question.id}: the tests never finished")
                return
            QTimer.singleShot(50, poll)

        QTimer.singleShot(50, poll)

    def _answer_recall(self, page: Any, panel: RecallPanel) -> None:
        panel.editor.setFocus()
        qtest().keyClicks(panel.editor, RECALL_TEXT)
        click(page.primary_button)  # Check answer
        if not panel.feedback.isVisible():
            raise RuntimeError("no feedback after checking")
        click(page.rating_buttons[page.selected_rating()])

    def finish(self) -> None:
        ctx = self.window.ctx
        recorded = ctx.progress.answer_count() - self.answers_before
        if self.answered != self.count or recorded != self.count:
            self.fail(f"answered {self.answered} of {self.count}; {recorded} recorded")
            return
        if self.window.drill.currentWidget() is not self.window.drill.summary:
            self.fail("the summary was not shown at the end of the drill")
            return
        self.window.close()
        self.done.emit(0)
