"""The question editor: write a question, see the preview, save it, drill it."""

from __future__ import annotations

from desktop_quiz.core.bank import userbank
from desktop_quiz.gui.question_editor import QuestionEditor
from desktop_quiz.gui.question_panels import McqPanel
from tests.gui.conftest import click


def fill_mcq(ed: QuestionEditor, qtbot, topic: str) -> None:  # type: ignore[no-untyped-def]
    ed.id_edit.setText("my-softmax-range")
    ed.topic.setCurrentIndex(ed.topic.findData(topic))
    ed.kind.setCurrentIndex(ed.kind.findData("mcq"))
    ed.tags.setText("softmax mine")
    ed.prompt.setPlainText("What is the range of $\\sigma(z)_i = e^{z_i} / \\sum_j e^{z_j}$?")
    rows = [(True, "Between 0 and 1", "Each output is positive and they sum to 1."),
            (False, "Any real number", "That is the logits, not the probabilities."),
            (False, "Between -1 and 1", "That is tanh.")]
    for (correct, text, why), row in zip(rows, ed.choice_rows, strict=False):
        row[0].setChecked(correct)
        row[1].setText(text)
        row[2].setText(why)
    ed.answer.setPlainText("Softmax maps logits to a probability vector:\n\n"
                           "```python\nimport numpy as np\np = np.exp(z) / np.exp(z).sum()\n```")


def test_write_preview_save_and_drill(window, qtbot, ctx):
    topic = ctx.bank.topics()[0]
    ed = QuestionEditor(ctx, window.rich_env, parent=window)
    qtbot.addWidget(ed)
    ed.show()
    ed.refresh()
    assert ed.problems  # an empty form is not a question yet
    assert not ed.save_button.isEnabled()
    fill_mcq(ed, qtbot, topic.slug)
    ed.refresh()
    assert ed.problems == [], ed.problems
    html = ed.preview.bank_html()
    assert "Between 0 and 1" in html and "math:" in html  # rendered like a drill
    assert ed.save_button.isEnabled()
    # An error shows inline with bank check's message.
    ed.choice_rows[0][0].setChecked(False)
    ed.refresh()
    assert any("correct" in p for p in ed.problems), ed.problems
    assert ed.errors.isVisible() or ed.errors.text()
    ed.choice_rows[0][0].setChecked(True)
    assert ed.save()
    path = ctx.data_dir / "my-questions" / topic.slug / "my-softmax-range.md"
    assert path.is_file()
    assert ctx.bank.has("my-softmax-range")
    # Drill it.
    window.show_page("drill")
    window.drill.start_ordered(["my-softmax-range"])
    page = window.drill.session_page
    page.focus_content()
    panel = page.panel
    assert isinstance(panel, McqPanel)
    q = ctx.bank.question("my-softmax-range")
    click(qtbot, panel.row_for(min(q.correct_indices)))
    click(qtbot, page.primary_button)
    assert panel.banner.text().startswith("✓ Correct")
    assert [a.question_id for a in ctx.progress.answers()] == ["my-softmax-range"]

    # Edit it again, then delete it.
    ed2 = QuestionEditor(ctx, window.rich_env, "my-softmax-range", parent=window)
    qtbot.addWidget(ed2)
    assert ed2.prompt.toPlainText().startswith("What is the range")
    assert ed2.choice_rows[0][0].isChecked()
    ed2.prompt.setPlainText("Range of softmax outputs?")
    assert ed2.save()
    assert ctx.bank.question("my-softmax-range").prompt == "Range of softmax outputs?"
    ed3 = QuestionEditor(ctx, window.rich_env, "my-softmax-range", parent=window)
    qtbot.addWidget(ed3)
    assert ed3.delete(confirm=False)
    assert not ctx.bank.has("my-softmax-range")
    assert userbank.own_files(ctx.data_dir) == []


def test_browse_mine_filter_edit_button_and_anki_dialog(window, qtbot, ctx, tmp_path):
    from desktop_quiz.gui.anki_export import AnkiExportDialog

    topic = ctx.bank.topics()[0]
    ed = QuestionEditor(ctx, window.rich_env, parent=window)
    qtbot.addWidget(ed)
    fill_mcq(ed, qtbot, topic.slug)
    assert ed.save()
    window.show_page("browse")
    browse = window.browse
    browse.mine.setChecked(True)
    browse.refresh()
    assert browse.listed_ids() == ["my-softmax-range"]
    assert browse.edit_button.isVisibleTo(browse)
    dialog = AnkiExportDialog(ctx, window)
    qtbot.addWidget(dialog)
    dialog.mine.setChecked(True)
    assert dialog.ids() == ["my-softmax-range"]
    report = dialog.export_to(tmp_path / "mine.apkg")
    assert report.notes == 1 and (tmp_path / "mine.apkg").is_file()
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString() for a in window.actions()}
    assert shortcuts["New question…"] == "Ctrl+N"
