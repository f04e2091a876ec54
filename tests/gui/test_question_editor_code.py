"""The question editor, continued: Ctrl+N, coding exercises, and new own topics
showing up everywhere without a restart (issue 16)."""

from __future__ import annotations

from desktop_quiz.core.bank import userbank
from desktop_quiz.gui.exercise_panel import ExercisePanel
from desktop_quiz.gui.qt import QApplication, Qt, QTimer
from desktop_quiz.gui.question_editor import QuestionEditor

SOLUTION = '''import numpy as np


def clip_norm(g: np.ndarray, max_norm: float) -> np.ndarray:
    """Scale g down so its L2 norm is at most max_norm."""
    n = float(np.linalg.norm(g))
    return g if n <= max_norm else g * (max_norm / n)
'''
STARTER = '''import numpy as np


def clip_norm(g: np.ndarray, max_norm: float) -> np.ndarray:
    """Scale g down so its L2 norm is at most max_norm."""
    raise NotImplementedError
'''
TESTS = '''import numpy as np


def test_long_vector_is_scaled():
    """[3, 4] clipped to norm 1 gives [0.6, 0.8]."""
    np.testing.assert_allclose(clip_norm(np.array([3.0, 4.0]), 1.0), [0.6, 0.8])


def test_short_vector_is_unchanged():
    """A vector already inside the ball is returned as is."""
    np.testing.assert_allclose(clip_norm(np.array([0.3, 0.4]), 1.0), [0.3, 0.4])
'''
# Scales every vector, even short ones: fails test_short_vector_is_unchanged.
WRONG = SOLUTION.replace("return g if n <= max_norm else g * (max_norm / n)",
                         "return g * (max_norm / n)")


def fill_code(ed: QuestionEditor, topic: str, solution: str) -> None:
    ed.id_edit.setText("my-clip-norm")
    ed.topic.setCurrentIndex(ed.topic.findData(topic))
    ed.kind.setCurrentIndex(ed.kind.findData("code"))
    ed.prompt.setPlainText("Implement `clip_norm(g, max_norm)`: gradient clipping by norm.")
    fields = ed.code_fields.editors
    fields["starter"].setPlainText(STARTER)
    fields["tests"].setPlainText(TESTS)
    fields["solution"].setPlainText(solution)
    ed.hint.setPlainText("- Compute the norm once.\n- Only scale when it is too long.")
    ed.answer.setPlainText("Scale by $c / \\lVert g \\rVert_2$ only when the norm exceeds "
                           "$c$; the direction is kept.")


def modal_seen_and_closed() -> list[object]:
    """The modal dialog open a moment from now, closed; what was found goes in the list."""
    seen: list[object] = []

    def close_editor() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        if dialog is not None:
            dialog.close()

    QTimer.singleShot(200, close_editor)
    return seen


def test_ctrl_n_opens_the_question_editor(window, qtbot):
    seen = modal_seen_and_closed()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen))
    assert isinstance(seen[0], QuestionEditor)
    assert seen[0].windowTitle() == "New question"


def test_write_check_save_and_run_a_coding_exercise(window, qtbot, ctx):
    topic = ctx.bank.topics()[0].slug
    ed = QuestionEditor(ctx, window.rich_env, parent=window)
    qtbot.addWidget(ed)
    ed.show()
    ed.kind.setCurrentIndex(ed.kind.findData("code"))
    assert ed.code_fields.isVisibleTo(ed) and not ed.choices_box.isVisibleTo(ed)
    assert "NotImplementedError" in ed.code_fields.text("starter")  # a skeleton to start

    # A Solution that fails a test: refused, with bank check's path:line message.
    fill_code(ed, topic, WRONG)
    ed.refresh()
    assert ed.problems == [], ed.problems  # the static checks pass
    assert "## Solution" in ed.markdown() and "```python" in ed.markdown()
    assert not ed.save()
    shown = f"my-questions/{topic}/my-clip-norm.md:"
    assert any(p.startswith(shown) and "test_short_vector_is_unchanged" in p
               for p in ed.problems), ed.problems
    assert ed.errors.text() and not ed.save_button.isEnabled()
    assert userbank.own_files(ctx.data_dir) == []

    # Fixed: the check passes, the preview lists the tests, Save writes it.
    ed.code_fields.editors["solution"].setPlainText(SOLUTION)
    ed.refresh()
    assert ed.check_code(), ed.problems
    assert "passes all 2 tests" in ed.code_fields.status.text()
    assert "test_long_vector_is_scaled" in ed.preview.bank_html()
    assert ed.save()
    q = ctx.bank.question("my-clip-norm")
    assert q.kind == "code" and q.exercise is not None
    assert [c.name for c in q.exercise.test_cases] == ["test_long_vector_is_scaled",
                                                       "test_short_vector_is_unchanged"]
    assert len(q.exercise.hints) == 2

    # Drill it: the exercise panel starts from the Starter and runs the tests.
    window.show_page("drill")
    window.drill.start_ordered(["my-clip-norm"])
    panel = window.drill.session_page.panel
    assert isinstance(panel, ExercisePanel)
    assert panel.code().strip() == STARTER.strip()
    panel.editor.setPlainText(SOLUTION)
    assert panel.run_tests()
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=20000)
    assert panel.last_result is not None and panel.last_result.passed == 2

    # Editing it again loads every field back.
    ed2 = QuestionEditor(ctx, window.rich_env, "my-clip-norm", parent=window)
    qtbot.addWidget(ed2)
    assert ed2.kind.currentData() == "code"
    assert ed2.code_fields.text("tests").strip() == TESTS.strip()
    assert ed2.code_fields.text("solution").strip() == SOLUTION.strip()


def test_a_new_own_topic_shows_everywhere_without_restart(window, qtbot, ctx):
    window.show_page("browse")
    browse = window.browse
    window.show_page("drill")
    setup = window.drill.setup
    window.show_page("mock")
    assert browse.topic.findData("my-interviews") == -1
    ed = QuestionEditor(ctx, window.rich_env, parent=window)
    qtbot.addWidget(ed)
    ed.id_edit.setText("my-last-interview")
    ed.topic.setEditText("my-interviews")
    ed.kind.setCurrentIndex(ed.kind.findData("recall"))
    ed.prompt.setPlainText("Why does batch norm behave differently at inference?")
    points = [("It uses running averages of the mean and variance",
               "running mean | moving average | population statistics"),
              ("It no longer depends on the other examples in the batch",
               "independent of the batch | single example"),
              ("The running averages are collected during training",
               "updated during training | tracked while training")]
    for row, (point, accept) in zip(ed.point_rows, points, strict=False):
        row[0].setText(point)
        row[1].setText(accept)
    ed.answer.setPlainText("At inference it normalises with the running statistics.")
    ed.refresh()
    assert ed.problems == [], ed.problems
    assert ed.save()
    assert browse.topic.findData("my-interviews") >= 0
    assert browse.tag.count() >= 1
    assert "my-interviews" in setup.topics._topic_items
    setup.topics.set_selected(["my-interviews"])
    assert setup.topics.selected() == ["my-interviews"]
    assert "my-interviews" in window.mock.setup.topics._topic_items
    assert "my-interviews" in window.home.topic_items
    assert window.home.topic_items["my-interviews"].text(1) == "1"
    browse.topic.setCurrentIndex(browse.topic.findData("my-interviews"))
    assert browse.listed_ids() == ["my-last-interview"]


def test_edit_your_question_from_the_drill_with_ctrl_e(window, qtbot, ctx):
    from tests.gui.test_question_editor import fill_mcq

    ed = QuestionEditor(ctx, window.rich_env, parent=window)
    qtbot.addWidget(ed)
    fill_mcq(ed, qtbot, ctx.bank.topics()[0].slug)
    assert ed.save()
    bundled = next(i for i in ctx.bank.all_ids() if not userbank.is_own(i))
    window.show_page("drill")
    window.drill.start_ordered([bundled, "my-softmax-range"])
    page = window.drill.session_page
    assert not page.act_edit.isEnabled()  # a bundled question cannot be edited
    page.skip()
    assert page.panel is not None and page.panel.question.id == "my-softmax-range"
    assert page.act_edit.isEnabled()
    assert page.act_edit in window.question_menu.actions()
    seen = modal_seen_and_closed()
    page.focus_content()
    qtbot.keyClick(QApplication.focusWidget() or page, Qt.Key.Key_E,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen))
    assert isinstance(seen[0], QuestionEditor)
    assert seen[0].question_id() == "my-softmax-range"


def test_a_blank_form_is_quiet_the_id_follows_the_prompt_and_the_preview_is_live(window, qtbot,
                                                                                 ctx):
    ed = QuestionEditor(ctx, window.rich_env, parent=window)
    qtbot.addWidget(ed)
    ed.show()
    assert ed.problems and not ed.errors.isVisible()  # nothing typed: no red text yet
    assert not ed.save_button.isEnabled()
    ed.prompt.setPlainText("Why does L1 regularization give sparse weights $\\sqrt{w_j}$?")
    ed.refresh()
    assert ed.question_id() == "my-l1-regularization-give-sparse-weights"
    assert ed.errors.isVisible()  # now the missing parts are named
    html = ed.preview.bank_html()
    assert "sparse weights" in html and "math:" in html  # previewed before it is valid
    ed.id_edit.setFocus()
    ed.id_edit.selectAll()
    qtbot.keyClicks(ed.id_edit, "my-l1-sparsity")
    ed.prompt.setPlainText("Why does L1 regularization give sparse weights, unlike L2?")
    ed.refresh()
    assert ed.question_id() == "my-l1-sparsity"  # typed by the learner: kept


def test_suggested_ids_skip_filler_and_never_collide():
    assert userbank.suggest_id("What is the bias-variance trade-off?", set()) \
        == "my-bias-variance-trade-off"
    assert userbank.suggest_id("What is the bias-variance trade-off?",
                               {"my-bias-variance-trade-off"}) == "my-bias-variance-trade-off-2"
    assert userbank.suggest_id("", set()) == "my-"
    assert userbank.suggest_id("Compute $\\sigma(x)$ for `x`", set()) == "my-compute"
