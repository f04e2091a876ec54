"""Drill setup, the question view (MCQ and recall) and the summary, by keyboard and mouse."""

from __future__ import annotations

from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.core.config import Settings
from desktop_quiz.gui.mainwindow import MainWindow
from desktop_quiz.gui.qt import QApplication, QCheckBox, QRadioButton, Qt
from desktop_quiz.gui.question_panels import McqPanel, RecallPanel
from tests.gui.conftest import click, first_id, key, open_message_box, press_button

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def single_mcq(q) -> bool:  # type: ignore[no-untyped-def]
    return q.kind == "mcq" and not q.multi and len(q.choices) >= 3


def start(window: MainWindow, ids: list[str]) -> None:
    window.show_page("drill")
    window.drill.start_ordered(ids)
    window.drill.session_page.focus_content()


# -- setup ------------------------------------------------------------------------------
def test_setup_counts_matching_questions_live_and_starts_a_drill(window, qtbot, ctx):
    window.show_page("drill")
    setup = window.drill.setup
    assert window.drill.currentWidget() is setup
    topic = next(t.slug for t in ctx.bank.topics() if ctx.bank.counts_by_topic().get(t.slug))
    setup.topics.set_selected([topic])
    expected = ctx.bank.count(Filter(topics=(topic,)))
    assert setup.match.text() == f"{expected} questions match"
    click(qtbot, setup.kind_buttons["recall"])
    recall = ctx.bank.count(Filter(topics=(topic,), kinds=("recall",)))
    assert setup.match.text().startswith(f"{recall} question")
    setup.count.setValue(3)
    assert setup.start_button.text().replace("&", "") == f"Start drill ({min(3, recall)})"
    click(qtbot, setup.start_button)
    page = window.drill.session_page
    assert window.drill.currentWidget() is page
    assert page.position.text() == f"Question 1 / {min(3, recall)}"
    assert isinstance(page.panel, RecallPanel)


def test_setup_needs_a_topic_and_is_remembered(window, qtbot, ctx, app):
    setup = window.drill.setup
    window.show_page("drill")
    click(qtbot, setup.none_button)
    assert setup.match.text() == "Pick at least one topic"
    assert not setup.start_button.isEnabled()
    topics = [t.slug for t in ctx.bank.topics() if ctx.bank.counts_by_topic().get(t.slug)][:2]
    setup.topics.set_selected(topics)
    click(qtbot, setup.kind_buttons["mcq"])
    click(qtbot, setup.difficulty_boxes[3])  # untick "Hard"
    setup.order.setCurrentIndex(setup.order.findData("weak-first"))
    click(qtbot, setup.start_button)
    assert Settings(ctx.data_dir)["last_drill"]["topics"] == topics
    again = MainWindow(ctx, remember_geometry=False)
    qtbot.addWidget(again)
    s2 = again.drill.setup
    assert s2.topics.selected() == topics
    assert s2.kind_buttons["mcq"].isChecked()
    assert not s2.difficulty_boxes[3].isChecked()
    assert s2.order.currentData() == "weak-first"


# -- multiple choice ------------------------------------------------------------------------
def test_mcq_keys_select_and_enter_submits_with_feedback(window, qtbot, ctx):
    qid = first_id(ctx.bank, single_mcq)
    q = ctx.bank.question(qid)
    start(window, [qid])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, McqPanel)
    assert all(isinstance(b, QRadioButton) for b in panel.choice_buttons)
    assert not page.primary_button.isEnabled()  # nothing chosen yet
    key(qtbot, page, K.Key_2)
    assert panel.choice_buttons[1].isChecked()
    key(qtbot, page, K.Key_1)
    assert panel.choice_buttons[0].isChecked() and not panel.choice_buttons[1].isChecked()
    assert page.primary_button.isEnabled()
    key(qtbot, page, K.Key_Return)
    first = panel.rows[0].source  # key 1 is the first choice shown (choices are shuffled)
    right = first in q.correct_indices
    assert panel.banner.isVisible()
    assert panel.banner.text().startswith("✓ Correct" if right else "✗ Not quite")
    for row in panel.rows:
        assert row.verdict.text().startswith("✓" if row.source in q.correct_indices else "✗")
        assert row.explanation.isVisible()
    assert panel.answer.isVisible()
    # Recorded before the feedback was shown, exactly as chosen, as the file's index.
    answers = ctx.progress.answers()
    assert [(a.question_id, a.response, a.correct) for a in answers] == [
        (qid, str(first), right)]
    assert page.primary_button.text().startswith("Finish")
    key(qtbot, page, K.Key_Enter)
    assert window.drill.currentWidget() is window.drill.summary


def test_mcq_by_mouse_clicking_a_row_and_submit(window, qtbot, ctx):
    qid = first_id(ctx.bank, single_mcq)
    q = ctx.bank.question(qid)
    right = min(q.correct_indices)
    start(window, [qid])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, McqPanel)
    click(qtbot, panel.row_for(right))
    assert panel.chosen() == [right]
    click(qtbot, page.primary_button)
    assert panel.banner.text().startswith("✓ Correct")
    assert ctx.progress.answers()[0].correct


def test_multi_answer_uses_checkboxes_and_toggles(window, qtbot, ctx):
    qid = first_id(ctx.bank, lambda q: q.kind == "mcq" and q.multi)
    q = ctx.bank.question(qid)
    start(window, [qid])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, McqPanel)
    assert "Select all that apply" in panel.instruction.text()
    assert all(isinstance(b, QCheckBox) for b in panel.choice_buttons)
    keys = [K.Key_1, K.Key_2, K.Key_3, K.Key_4, K.Key_5, K.Key_6]
    key(qtbot, page, keys[0])
    key(qtbot, page, keys[0])  # toggles off again
    assert not panel.choice_buttons[0].isChecked()
    for i in sorted(q.correct_indices):
        key(qtbot, page, keys[panel.rows.index(panel.row_for(i))])
    assert panel.chosen() == sorted(q.correct_indices)
    key(qtbot, page, K.Key_Return)
    assert panel.banner.text().startswith("✓ Correct")
    assert ctx.progress.answers()[0].correct


# -- free recall ---------------------------------------------------------------------------
def recall_with_hint(q) -> bool:  # type: ignore[no-untyped-def]
    return q.kind == "recall" and bool(q.hint_html)


def test_recall_ctrl_enter_checks_and_number_key_rates(window, qtbot, ctx):
    qid = first_id(ctx.bank, recall_with_hint)
    q = ctx.bank.question(qid)
    other = first_id(ctx.bank, single_mcq)
    start(window, [qid, other])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, RecallPanel)
    assert QApplication.focusWidget() is panel.editor
    key(qtbot, page, K.Key_1)  # digits are typed, not shortcuts, before checking
    assert panel.editor.toPlainText() == "1"
    panel.editor.clear()
    alt = q.key_points[0].alternatives[0] if q.key_points[0].alternatives else q.key_points[0].text
    qtbot.keyClicks(panel.editor, f"My answer: {alt}.")
    key(qtbot, page, K.Key_H, CTRL)
    assert panel.hint_box.isVisible()
    key(qtbot, page, K.Key_Return, CTRL)
    assert panel.feedback.isVisible()
    assert panel.point_labels[0].accessibleName().startswith("covered")
    texts = [lab.text() for lab in panel.point_labels]
    assert all(("✓ covered" in t) or ("✗ missed" in t) for t in texts)
    recorded = ctx.progress.answers()[0]
    assert recorded.response == f"My answer: {alt}."
    suggested = recorded.rating
    assert page.rating_buttons[suggested].isChecked()  # the suggestion is preselected
    assert page.rating_box.isVisible()
    key(qtbot, page, K.Key_4)
    assert ctx.progress.answers()[0].rating == 4  # the learner's choice is recorded
    assert isinstance(page.panel, McqPanel)
    assert page.position.text() == "Question 2 / 2"


def test_recall_evidence_is_highlighted_and_flipping_points_moves_the_rating(
        window, qtbot, ctx):
    from desktop_quiz.core.study.grading import grade_recall, suggest_rating

    def usable(q) -> bool:  # type: ignore[no-untyped-def]
        if q.kind != "recall" or len(q.key_points) < 3 or not q.key_points[0].alternatives:
            return False
        text = f"My answer: {q.key_points[0].alternatives[0]}."
        r = grade_recall(q, text)
        return r.points[0].hit and r.hits < len(r.points) - 1 and not r.reasons

    qid = first_id(ctx.bank, usable)
    q = ctx.bank.question(qid)
    text = f"My answer: {q.key_points[0].alternatives[0]}."
    start(window, [qid])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, RecallPanel)
    qtbot.keyClicks(panel.editor, text)
    key(qtbot, page, K.Key_Return, CTRL)
    first = panel.point_labels[0]
    assert "you wrote" in first.text()
    # The matched words are highlighted where the learner wrote them.
    marked = panel.highlighted()
    assert marked and all(m and m in text for m in marked)
    assert any(m.lower() in q.key_points[0].alternatives[0].lower() for m in marked)
    n = len(q.key_points)
    hits = sum(p.hit for p in panel.result.points)
    assert page.rating_buttons[int(suggest_rating(hits / n))].isChecked()
    # Alt+N flips point N: a missed point becomes covered and the suggestion follows.
    missed = [i for i, p in enumerate(panel.result.points) if not p.hit]
    key(qtbot, page, getattr(K, f"Key_{missed[0] + 1}"), Qt.KeyboardModifier.AltModifier)
    assert panel.point_labels[missed[0]].accessibleName().startswith("covered (marked by you)")
    assert page.rating_buttons[int(suggest_rating((hits + 1) / n))].isChecked()
    # A click flips too; flipping the first point back to missed removes its highlight.
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    assert first.accessibleName().startswith("missed (marked by you)")
    expected = int(suggest_rating(hits / n))
    assert page.rating_buttons[expected].isChecked()
    assert len(panel.highlighted()) < len(marked) or not panel.highlighted()
    assert page.session is not None and page.session.outcome.recall is panel.result
    # Enter confirms the (moved) suggestion, and that is what is recorded.
    key(qtbot, page, K.Key_Return)
    assert ctx.progress.answers()[0].rating == expected


def test_i_dont_know_reveals_the_answer_as_again(window, qtbot, ctx):
    qid = first_id(ctx.bank, lambda q: q.kind == "recall")
    start(window, [qid])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, RecallPanel)
    click(qtbot, page.dont_know_button)
    assert "recorded as Again" in panel.banner.text()
    assert panel.answer.isVisible()
    assert page.rating_buttons[1].isChecked()
    assert ctx.progress.answers()[0].rating == 1
    key(qtbot, page, K.Key_Return)  # accepts Again
    assert ctx.progress.answers()[0].rating == 1
    assert window.drill.currentWidget() is window.drill.summary


def test_skip_and_flag_by_keyboard(window, qtbot, ctx):
    first = first_id(ctx.bank, single_mcq)
    second = first_id(ctx.bank, lambda q: q.kind == "recall")
    start(window, [first, second])
    page = window.drill.session_page
    key(qtbot, page, K.Key_D, CTRL)
    assert page.flag_button.isChecked() and page.flag_button.text() == "⚑ Flagged"
    assert ctx.progress.flagged_ids() == {first}
    key(qtbot, page, K.Key_S, CTRL | SHIFT)
    assert page.position.text() == "Question 2 / 2"
    assert not page.flag_button.isChecked()
    assert ctx.progress.answer_count() == 0  # a skip records nothing
    click(qtbot, page.skip_button)
    summary = window.drill.summary
    assert window.drill.currentWidget() is summary
    assert summary.score.text() == "No questions answered"
    assert "2 skipped" in summary.detail.text()


def test_escape_asks_before_abandoning(window, qtbot, ctx):
    a = first_id(ctx.bank, single_mcq)
    b = first_id(ctx.bank, lambda q: q.kind == "recall")
    start(window, [a, b])
    page = window.drill.session_page
    key(qtbot, page, K.Key_1)
    key(qtbot, page, K.Key_Return)
    key(qtbot, page, K.Key_Return)  # continue to question 2
    key(qtbot, page, K.Key_Escape)
    box = open_message_box(qtbot)
    assert "End this drill now?" in box.text()
    press_button(qtbot, box, "Keep going")
    qtbot.waitUntil(lambda: not box.isVisible())
    assert window.drill.currentWidget() is page
    assert page.position.text() == "Question 2 / 2"
    page.focus_content()
    key(qtbot, page, K.Key_Escape)
    box = open_message_box(qtbot)
    press_button(qtbot, box, "End drill")
    qtbot.waitUntil(lambda: window.drill.currentWidget() is window.drill.summary)
    summary = window.drill.summary
    assert summary.title.text() == "Drill ended early"
    assert ctx.progress.answer_count() == 1  # the answer given is kept


# -- summary -------------------------------------------------------------------------------
def test_summary_shows_score_topics_missed_and_drills_them_again(window, qtbot, ctx):
    ids = [qid for qid in ctx.bank.all_ids() if single_mcq(ctx.bank.question(qid))][:3]
    start(window, ids)
    page = window.drill.session_page
    wrong_ids = []
    for n, qid in enumerate(ids):
        q = ctx.bank.question(qid)
        panel = page.panel
        assert isinstance(panel, McqPanel)
        pick = min(q.correct_indices) if n == 0 else next(
            i for i in range(len(q.choices)) if i not in q.correct_indices)
        if n:
            wrong_ids.append(qid)
        click(qtbot, panel.row_for(pick))
        click(qtbot, page.primary_button)
        click(qtbot, page.primary_button)
    summary = window.drill.summary
    assert window.drill.currentWidget() is summary
    assert summary.score.text() == "1 / 3 correct  (33%)"
    topics = {summary.topics.topLevelItem(i).text(0)
              for i in range(summary.topics.topLevelItemCount())}
    assert topics == {ctx.bank.topic(ctx.bank.question(q).topic).title for q in ids}
    assert summary.missed_list.count() == 2
    assert all(summary.missed_list.item(i).text().startswith("✗") for i in range(2))
    summary.missed_list.setCurrentRow(0)
    summary.missed_list.setFocus()
    qtbot.keyClick(summary.missed_list, K.Key_Return)
    dialogs = [w for w in QApplication.topLevelWidgets()
               if w.isVisible() and type(w).__name__ == "ReaderDialog"]
    assert len(dialogs) == 1
    assert "Answer" in dialogs[0].view.toPlainText()
    dialogs[0].close()
    assert summary.retry_button.text().replace("&", "") == "Drill the missed ones again (2)"
    click(qtbot, summary.retry_button)
    assert window.drill.currentWidget() is page
    assert page.position.text() == "Question 1 / 2"
    assert set(page.session.ids) == set(wrong_ids)


def test_answers_refresh_home(window, qtbot, ctx):
    before = window.home.subtitle.text()
    assert "given 0 answers" in before
    qid = first_id(ctx.bank, single_mcq)
    start(window, [qid])
    page = window.drill.session_page
    key(qtbot, page, K.Key_1)
    key(qtbot, page, K.Key_Return)
    window.show_page("home")
    assert "given 1 answers" in window.home.subtitle.text()
    assert window.nav.currentItem().text() == "Home"


def test_each_mcq_starts_fresh_though_its_rows_are_reused(window, qtbot, ctx):
    # The MCQ view keeps its choice rows between questions; nothing of the previous
    # answer (check marks, verdicts, explanations, colours) may show on the next one.
    ids = ctx.bank.query(Filter(kinds=("mcq",)))
    singles = [i for i in ids if single_mcq(ctx.bank.question(i))]
    multis = [i for i in ids if ctx.bank.question(i).multi]
    order = [singles[0], multis[0], singles[1], multis[1]]
    start(window, order)
    page = window.drill.session_page
    for qid in order:
        q = ctx.bank.question(qid)
        panel = page.panel
        assert isinstance(panel, McqPanel) and panel.question.id == qid
        kind = QCheckBox if q.multi else QRadioButton
        visible = [r for r in panel.findChildren(type(panel.rows[0])) if r.isVisible()]
        assert visible == panel.rows and len(visible) == len(q.choices)
        assert sorted(row.source for row in panel.rows) == list(range(len(q.choices)))
        for row in panel.rows:
            choice = q.choices[row.source]
            assert isinstance(row.indicator, kind)
            assert row.indicator.isEnabled() and not row.indicator.isChecked()
            assert not row.verdict.isVisible() and not row.explanation.isVisible()
            assert not row.property("state")
            assert row.indicator.accessibleName().startswith(f"Choice {row.index + 1}:")
            assert row.explanation.bank_html() == (choice.explanation_html
                                                   or choice.explanation)
        assert not panel.banner.isVisible() and not panel.answer.isVisible()
        assert panel.instruction.isVisible()
        assert ("Select all that apply" in panel.instruction.text()) == q.multi
        click(qtbot, panel.rows[0])
        assert panel.chosen() == [panel.rows[0].source]
        key(qtbot, page, K.Key_Return)
        assert panel.rows[0].verdict.isVisible() and panel.answer.isVisible()
        key(qtbot, page, K.Key_Return)


def test_submitting_keeps_the_reader_where_they_were(window, qtbot, ctx):
    # Long feedback must not jump the view back to the top when it appears.
    window.resize(1024, 640)
    page = window.drill.session_page
    bar = page.scroll_area.verticalScrollBar()
    mcqs = sorted(ctx.bank.query(Filter(kinds=("mcq",))), key=lambda i: -sum(
        len(c.text_html) for c in ctx.bank.question(i).choices))
    for qid in mcqs[:20]:  # the first that needs scrolling before any feedback
        start(window, [qid])
        try:  # layout can take longer than a fixed wait on a busy machine
            qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=1000)
            break
        except qtbot.TimeoutError:
            continue
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    before = bar.value()
    click(qtbot, page.panel.rows[-1])
    key(qtbot, page, K.Key_Return)
    qtbot.wait(50)
    assert page.panel.banner.isVisible()
    assert bar.value() == before


def test_keys_follow_the_shuffled_order_and_history_keeps_the_file_index(window, qtbot, ctx):
    qid = first_id(ctx.bank, single_mcq)
    q = ctx.bank.question(qid)
    keys = [K.Key_1, K.Key_2, K.Key_3, K.Key_4, K.Key_5, K.Key_6]
    seen_orders = set()
    for _ in range(8):
        start(window, [qid])
        page = window.drill.session_page
        panel = page.panel
        assert isinstance(panel, McqPanel)
        order = tuple(r.source for r in panel.rows)
        assert order == page.session.choice_order
        seen_orders.add(order)
        right = min(q.correct_indices)
        key(qtbot, page, keys[order.index(right)])
        key(qtbot, page, K.Key_Return)
        assert panel.banner.text().startswith("✓ Correct")
    assert len(seen_orders) > 1
    assert {a.response for a in ctx.progress.answers()} == {str(min(q.correct_indices))}
    assert all(a.correct for a in ctx.progress.answers())
