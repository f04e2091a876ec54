"""Mock interview: countdown, no feedback until the end, then a report."""

from __future__ import annotations

from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.gui import mock
from desktop_quiz.gui.qt import Qt
from tests.gui.conftest import click, key, open_message_box, press_button

CTRL = Qt.KeyboardModifier.ControlModifier


def open_mock(window, qtbot, ctx, count: int, seconds: int = 30):  # type: ignore[no-untyped-def]
    click(qtbot, window.home.mock_button)
    setup = window.mock.setup
    assert window.current_page() == "mock" and window.mock.currentWidget() is setup
    assert setup.count.value() == ctx.settings["mock_size"]
    assert setup.seconds.value() == ctx.settings["mock_seconds"]
    recall = ctx.bank.count(Filter(kinds=("recall",)))
    assert setup.match.text().startswith(f"{recall} recall questions")
    setup.count.setValue(count)
    setup.seconds.setValue(seconds)
    click(qtbot, setup.start_button)
    run = window.mock.run
    assert window.mock.currentWidget() is run
    return run


def test_countdown_runs_out_and_moves_on_then_reports(window, qtbot, ctx, monkeypatch):
    monkeypatch.setattr(mock, "SECOND_MS", 10)  # a 30 s countdown in 0.3 s
    run = open_mock(window, qtbot, ctx, count=2, seconds=30)
    assert run.position.text() == "Question 1 / 2"
    assert run.countdown.text() in ("0:30", "0:29")
    qtbot.keyClicks(run.editor, "bias and variance")
    qtbot.waitUntil(lambda: run.position.text() == "Question 2 / 2", timeout=5000)
    assert run.notice.isVisible()
    assert "Time ran out on question 1" in run.notice.text()
    assert run.editor.toPlainText() == ""  # fresh editor, no feedback shown
    qtbot.waitUntil(lambda: window.mock.currentWidget() is window.mock.report, timeout=5000)
    report = window.mock.report
    answers = ctx.progress.answers()
    assert [a.mode for a in answers] == ["mock", "mock"]
    assert answers[0].response == "bias and variance"
    assert all(a.duration_ms >= 250 for a in answers)  # the whole (shrunk) countdown
    text = report.view.toPlainText()
    assert "time ran out" in text
    assert text.count("Model answer") == 2
    assert "Your answer" in text and "bias and variance" in text
    assert report.headline.text().startswith("You covered ")


def test_no_feedback_until_the_end(window, qtbot, ctx):
    run = open_mock(window, qtbot, ctx, count=2, seconds=180)
    assert run.countdown.text() in ("3:00", "2:59")
    qtbot.keyClicks(run.editor, "first answer")
    key(qtbot, run, Qt.Key.Key_Return, CTRL)
    assert run.position.text() == "Question 2 / 2"
    assert not run.notice.isVisible()
    assert run.next_button.text().startswith("Finish interview")
    assert ctx.progress.answer_count() == 1  # recorded, but nothing shown
    click(qtbot, run.next_button)
    report = window.mock.report
    assert window.mock.currentWidget() is report
    text = report.view.toPlainText()
    assert "Key points" in text and "Time used" in text
    click(qtbot, report.again_button)
    assert window.mock.currentWidget() is window.mock.setup


def test_escape_ends_the_interview_after_asking(window, qtbot, ctx):
    run = open_mock(window, qtbot, ctx, count=3, seconds=180)
    qtbot.keyClicks(run.editor, "half an answer")
    key(qtbot, run, Qt.Key.Key_Escape)
    box = open_message_box(qtbot)
    press_button(qtbot, box, "End interview")
    qtbot.waitUntil(lambda: window.mock.currentWidget() is window.mock.report)
    assert ctx.progress.answer_count() == 1
    assert "across 1 question" in window.mock.report.headline.text()
