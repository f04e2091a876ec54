"""Coding exercises in the app: type code, run the tests (Ctrl+Enter), see results,
submit (Ctrl+Shift+Enter), confirm the rating; drafts come back; Browse and drill setup."""

from __future__ import annotations

from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.gui.exercise_panel import CodeEditor, ExercisePanel
from desktop_quiz.gui.mainwindow import MainWindow
from desktop_quiz.gui.qt import QApplication, Qt
from tests.gui.conftest import click, key

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
EXERCISE = "ex-stable-softmax"
SOLUTION = """import numpy as np

def softmax(x, axis=-1):
    x = np.asarray(x, dtype=float)
    z = x - x.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)

def unused():
    pass
"""


def start(window: MainWindow, ids: list[str]) -> ExercisePanel:
    window.show_page("drill")
    window.drill.start_ordered(ids)
    page = window.drill.session_page
    page.focus_content()
    assert isinstance(page.panel, ExercisePanel)
    return page.panel


def refocus(window: MainWindow, qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    """The offscreen platform drops window activation while the event loop waits
    (it does so for any drill page); give it back, as a learner clicking would."""
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
    widget.setFocus(Qt.FocusReason.MouseFocusReason)


def type_code(qtbot, editor: CodeEditor, code: str) -> None:  # type: ignore[no-untyped-def]
    """Type like a person: Return auto-indents, Backspace removes one indent level."""
    editor.selectAll()
    qtbot.keyClick(editor, K.Key_Delete)
    for i, line in enumerate(code.splitlines()):
        if i:
            qtbot.keyClick(editor, K.Key_Return)
        want = len(line) - len(line.lstrip(" "))
        block = editor.textCursor().block().text()
        have = len(block) - len(block.lstrip(" "))
        while have > want:
            qtbot.keyClick(editor, K.Key_Backspace)  # one soft tab (4 spaces) at a time
            block = editor.textCursor().block().text()
            have = len(block)
        while have < want:
            qtbot.keyClick(editor, K.Key_Tab)
            have += 4
        qtbot.keyClicks(editor, line.strip())


def test_type_run_submit_and_the_answer_is_recorded(window, qtbot, ctx):
    panel = start(window, [EXERCISE])
    page = window.drill.session_page
    ex = panel.question.exercise
    assert ex is not None
    assert panel.editor.toPlainText() == ex.starter
    assert QApplication.focusWidget() is panel.editor
    type_code(qtbot, panel.editor, SOLUTION)
    assert panel.editor.toPlainText() == SOLUTION.rstrip("\n")

    key(qtbot, panel, K.Key_Return, CTRL)  # run the tests
    assert panel.running
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=30_000)
    result = panel.last_result
    assert result is not None and result.all_passed, result
    assert panel.banner.isVisible() and "passed" in panel.banner.text()
    for case in ex.test_cases:
        text = panel.test_labels[case.name].text()
        assert "✓" in text and case.name in text and case.doc.replace("'", "&#x27;")[:10] in text
    assert not window.ctx.progress.seen_ids()  # running is not answering

    refocus(window, qtbot, panel.editor)
    key(qtbot, panel, K.Key_Return, CTRL | SHIFT)  # submit
    assert page.state == "answered"
    assert panel.solution_box.isVisible() and panel.feedback.isVisible()
    assert panel.solution.toPlainText() == ex.solution
    assert panel.editor.isReadOnly()
    assert page.rating_box.isVisible() and page.selected_rating() == 3  # Good suggested
    assert "Suggested rating: Good" in panel.banner.text()
    refocus(window, qtbot, page.rating_buttons[3])
    key(qtbot, page, K.Key_4)  # the learner says Easy
    answers = ctx.progress.answers()
    assert len(answers) == 1
    a = answers[0]
    assert (a.question_id, a.kind, a.response, a.rating, a.correct) == (
        EXERCISE, "code", SOLUTION.rstrip("\n"), 4, True)


def test_submit_without_a_run_runs_first_and_failures_suggest_again(window, qtbot, ctx):
    panel = start(window, [EXERCISE])
    page = window.drill.session_page
    click(qtbot, page.primary_button)  # "Submit code" with the unchanged starter
    qtbot.waitUntil(lambda: page.state == "answered", timeout=30_000)
    assert panel.last_result is not None and panel.last_result.passed == 0
    assert "✗" in panel.test_labels["test_worked_example"].text()
    assert "NotImplementedError" in panel.test_labels["test_worked_example"].text()
    assert page.selected_rating() == 1
    refocus(window, qtbot, page.rating_buttons[1])
    key(qtbot, page, K.Key_Return)  # accept Again
    [a] = ctx.progress.answers()
    assert (a.kind, a.rating, a.correct) == ("code", 1, False)


def test_drafts_come_back_when_the_learner_returns(window, qtbot, ctx):
    panel = start(window, [EXERCISE])
    panel.editor.moveCursor(panel.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.editor, "  # my draft")
    draft = panel.editor.toPlainText()
    qtbot.waitUntil(lambda: (ctx.data_dir / "drafts" / f"{EXERCISE}.py").is_file())
    window.drill.session_page.skip()  # leave the exercise (the drill ends)
    again = start(window, [EXERCISE])
    assert again is not panel
    assert again.editor.toPlainText() == draft


def test_hints_one_at_a_time_and_misbehaving_code_keeps_the_app_responsive(window, qtbot):
    panel = start(window, [EXERCISE])
    page = window.drill.session_page
    n = len(panel.hint_views)
    assert n >= 2 and not any(v.isVisible() for v in panel.hint_views)
    key(qtbot, panel, K.Key_H, CTRL)
    assert [v.isVisible() for v in panel.hint_views] == [True] + [False] * (n - 1)
    key(qtbot, panel, K.Key_H, CTRL)
    assert panel.hint_views[1].isVisible()
    panel.editor.setPlainText("import os\nos._exit(3)\n")
    refocus(window, qtbot, panel.editor)
    key(qtbot, panel, K.Key_Return, CTRL)
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=30_000)
    assert panel.last_result is not None and panel.last_result.status == "exit"
    assert "os._exit" in panel.banner.text()
    assert page.state == "asking"


def test_editor_tab_inserts_four_spaces_and_enter_indents(qtbot, app):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    qtbot.keyClick(editor, K.Key_Tab)
    assert editor.toPlainText() == "    "
    editor.clear()
    qtbot.keyClicks(editor, "def f(x):")
    qtbot.keyClick(editor, K.Key_Return)
    qtbot.keyClicks(editor, "return x")
    qtbot.keyClick(editor, K.Key_Return)
    assert editor.toPlainText() == "def f(x):\n    return x\n"
    assert editor.gutter_width() > 0


def test_drill_setup_kind_filter_and_browse_show_exercises(window, qtbot, ctx):
    window.show_page("drill")
    setup = window.drill.setup
    setup.topics.select_all(True)
    click(qtbot, setup.kind_buttons["code"])
    n = ctx.bank.count(Filter(kinds=("code",)))
    assert n >= 60
    assert setup.match.text().startswith(f"{n} question")
    window.show_page("browse")
    browse = window.browse
    browse.kind.setCurrentIndex(browse.kind.findData("code"))
    browse.refresh()
    assert len(browse.listed_ids()) == n
    browse.results.setCurrentItem(browse.results.topLevelItem(0))
    browse._show(EXERCISE)
    shown = browse.preview.toPlainText()
    assert "Tests (" in shown and "test_worked_example" in shown


def test_a_mock_interview_may_end_with_a_coding_exercise(window, qtbot, ctx):
    window.mock_interview()
    setup = window.mock.setup
    assert not setup.exercise.isChecked()  # the setting's default
    setup.count.setValue(2)
    click(qtbot, setup.exercise)
    click(qtbot, setup.start_button)
    assert ctx.settings["mock_exercise"] is True  # remembered
    run = window.mock.run
    assert run.position.text() == "Question 1 / 2"
    assert run.editor.isVisible() and not run.code_editor.isVisible()
    qtbot.keyClicks(run.editor, "bias and variance")
    click(qtbot, run.next_button)
    q = run.session.question
    assert q.kind == "code" and run.code_editor.isVisible()
    assert run.code_editor.toPlainText() == q.exercise.starter
    run.code_editor.setPlainText(q.exercise.solution)
    click(qtbot, run.next_button)
    qtbot.waitUntil(lambda: window.mock.currentWidget() is window.mock.report, timeout=30_000)
    kinds = [(a.kind, a.mode) for a in ctx.progress.answers()]
    assert kinds == [("recall", "mock"), ("code", "mock")]
    report = window.mock.report
    total = len(q.exercise.test_cases)
    assert f"coding exercise: {total} of {total} tests passed" in report.detail.text()
    assert "Reference solution" in report.view.toPlainText()
