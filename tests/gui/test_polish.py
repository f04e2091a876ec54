r"""Issue 15: rough edges a new user met (math in key points, counters, focus, empty answers,
wheel over charts, small windows, dark check boxes, dialog icons)."""

from __future__ import annotations

import re

from desktop_quiz.gui.qt import QApplication, Qt
from desktop_quiz.gui.question_panels import McqPanel, RecallPanel
from tests.gui.conftest import click, first_id, key

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
MATH_POINT = "rnn-vanishing-gradient-derivation"  # "… Jacobians $\mathrm{diag}(\tanh')\,W$"


def start(window, ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    window.show_page("drill")
    window.drill.start_ordered(ids)
    window.drill.session_page.focus_content()


def single_mcq(q) -> bool:  # type: ignore[no-untyped-def]
    return q.kind == "mcq" and not q.multi and len(q.choices) >= 3


# -- 1: key points with math ------------------------------------------------------------
def test_key_points_show_rendered_math_in_drill_feedback_and_reports(window, qtbot, ctx):
    from desktop_quiz.gui import theme
    from desktop_quiz.gui.compose import key_points_html, question_html

    q = ctx.bank.question(MATH_POINT)
    point = next(k for k in q.key_points if "$" in k.text)
    assert "math:" in point.text_html and "$" not in point.text_html
    assert "<p>" not in point.text_html  # inline: it sits after "✓ covered:"
    t = theme.current()
    for html in (key_points_html(q, t), question_html(q, "Sequence models", t)):
        assert "\\mathrm" not in re.sub(r'alt="[^"]*"', "", html)
        assert point.text_html in html
    start(window, [MATH_POINT])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, RecallPanel)
    qtbot.keyClicks(panel.editor, "products of Jacobians shrink")
    key(qtbot, page, K.Key_Return, CTRL)
    i = q.key_points.index(point)
    shown = re.sub(r'alt="[^"]*"', "", panel.point_labels[i].text())
    assert "$" not in shown and "\\mathrm" not in shown
    assert 'src="data:image/png;base64,' in shown  # a label cannot resolve math: itself


def test_browse_titles_read_math_as_plain_text(window, ctx):
    window.show_page("browse")
    browse = window.browse
    browse.search.setText("sigmoid")
    browse.refresh()
    titles = [browse.results.topLevelItem(i).text(0)
              for i in range(browse.results.topLevelItemCount())]
    assert titles
    for title in titles:
        assert "\\" not in title and "frac" not in title and "$" not in title


# -- 6: one counter ---------------------------------------------------------------------
def test_header_sidebar_and_bar_agree_and_the_bar_fills(window, qtbot, ctx):
    ids = [qid for qid in ctx.bank.all_ids() if single_mcq(ctx.bank.question(qid))][:2]
    start(window, ids)
    page = window.drill.session_page
    drill_item = next(window.nav.item(i) for i in range(window.nav.count())
                      if window.nav.item(i).text().startswith("Drill"))

    def counters() -> tuple[str, str]:
        return page.position.text().removeprefix("Question "), drill_item.text().split("·")[-1]

    assert [c.strip() for c in counters()] == ["1 / 2", "1 / 2"]
    assert page.bar.value() == 0
    key(qtbot, page, K.Key_1)
    key(qtbot, page, K.Key_Return)
    assert page.bar.value() == 1
    key(qtbot, page, K.Key_Return)  # continue to question 2
    assert [c.strip() for c in counters()] == ["2 / 2", "2 / 2"]
    key(qtbot, page, K.Key_1)
    key(qtbot, page, K.Key_Return)  # the last answer
    assert page.bar.value() == page.bar.maximum()


# -- 7: the focus follows the digit key -------------------------------------------------
def test_digit_key_moves_the_focus_ring_to_the_chosen_option(window, qtbot, ctx):
    start(window, [first_id(ctx.bank, single_mcq)])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, McqPanel)
    key(qtbot, page, K.Key_3)
    assert panel.choice_buttons[2].isChecked()
    looks_selected = [i for i, r in enumerate(panel.rows)
                      if r.property("focused") or r.property("selected")
                      or r.indicator.hasFocus()]
    assert looks_selected == [2]
    assert QApplication.focusWidget() is panel.choice_buttons[2]


# -- 10: an empty recall answer ---------------------------------------------------------
def test_an_empty_recall_answer_counts_as_i_dont_know(window, qtbot, ctx):
    qid = first_id(ctx.bank, lambda q: q.kind == "recall")
    start(window, [qid])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, RecallPanel)
    qtbot.keyClicks(panel.editor, "   ")
    click(qtbot, page.primary_button)  # "Check answer" with nothing written
    assert "recorded as Again" in panel.banner.text()
    answers = ctx.progress.answers()
    assert [a.rating for a in answers] == [1]
    assert "Type your answer" not in panel.editor.toPlainText()
    assert panel.editor.toPlainText() == "(I don't know)"


def test_only_the_chosen_option_is_outlined_even_under_the_mouse(window, qtbot, ctx):
    """The pointer resting on option 1 (where the start button was) must not look like
    a second selection once 3 is pressed."""
    from desktop_quiz.gui import theme
    from desktop_quiz.gui.qt import QColor, QPoint

    start(window, [first_id(ctx.bank, single_mcq)])
    page = window.drill.session_page
    panel = page.panel
    assert isinstance(panel, McqPanel)
    first = panel.rows[0]
    qtbot.mouseMove(first, QPoint(first.width() // 2, first.height() // 2))
    qtbot.wait(50)
    key(qtbot, page, K.Key_3)
    qtbot.wait(20)
    t = theme.current()

    def edge(row) -> str:  # type: ignore[no-untyped-def]
        img = row.grab().toImage()
        return img.pixelColor(img.width() // 2, 0).name()

    accent = QColor(t.accent).name()
    print(edge(first), edge(panel.rows[1]), edge(panel.rows[2]), first.underMouse())
    assert edge(panel.rows[2]) == accent
    assert edge(first) != accent


# -- 8: check boxes in the dark theme ---------------------------------------------------
def _luminance(c) -> float:  # type: ignore[no-untyped-def]
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(a, b) -> float:  # type: ignore[no-untyped-def]
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_unchecked_check_boxes_and_radios_have_a_visible_border_in_both_themes(app, qtbot):
    from desktop_quiz.gui import theme
    from desktop_quiz.gui.qt import (
        QCheckBox,
        QColor,
        QRadioButton,
        QStyle,
        QStyleOptionButton,
        QVBoxLayout,
        QWidget,
    )

    try:
        for name in ("dark", "light"):
            t = theme.apply(app, name)
            host = QWidget()
            qtbot.addWidget(host)
            lay = QVBoxLayout(host)
            boxes = [QCheckBox("Flagged only"), QRadioButton("An answer")]
            for b in boxes:
                lay.addWidget(b)
            host.show()
            qtbot.waitExposed(host)
            image = host.grab().toImage()
            window = QColor(t.window)
            for b in boxes:
                opt = QStyleOptionButton()
                opt.initFrom(b)
                element = (QStyle.SubElement.SE_CheckBoxIndicator if isinstance(b, QCheckBox)
                           else QStyle.SubElement.SE_RadioButtonIndicator)
                rect = b.style().subElementRect(element, opt, b).translated(b.pos())
                best = max(contrast(image.pixelColor(x, y), window)
                           for x in range(rect.left(), rect.right() + 1)
                           for y in range(rect.top(), rect.bottom() + 1))
                assert best >= 3.0, f"{name}: {type(b).__name__} border contrast {best:.2f}"
    finally:
        theme.apply(app, "light")


# -- 11: dated details ------------------------------------------------------------------
def test_dialog_buttons_carry_no_icons(window, qtbot):
    from desktop_quiz.gui.dialogs import notify
    from desktop_quiz.gui.qt import QAbstractButton

    box = notify(window, "Saved", "Your file was written.")
    qtbot.waitExposed(box)
    buttons = box.findChildren(QAbstractButton)
    assert buttons and all(b.icon().isNull() for b in buttons)
    box.close()


def test_already_running_is_information_not_an_error(tmp_path):
    import pytest

    from desktop_quiz.gui.app import StartupError, acquire_lock

    lock = acquire_lock(tmp_path)
    try:
        with pytest.raises(StartupError) as info:
            acquire_lock(tmp_path)
        assert not info.value.error
    finally:
        lock.release()


# -- 4: nothing cut at the minimum window size ------------------------------------------
def test_every_screen_at_the_minimum_size_cuts_no_button_or_label(real_bank, app, tmp_path):
    from desktop_quiz.gui.mainwindow import MIN_SIZE
    from desktop_quiz.gui.screenshots import clipped_texts, take

    found: dict[str, list[str]] = {}
    sizes: set[tuple[int, int]] = set()

    def check(name: str, win) -> None:  # type: ignore[no-untyped-def]
        sizes.add((win.width(), win.height()))
        problems = clipped_texts(win)
        if problems:
            found[name] = problems

    assert take(tmp_path / "shots", "light", size=(MIN_SIZE.width(), MIN_SIZE.height()),
                on_shot=check) == 0
    assert sizes == {(MIN_SIZE.width(), MIN_SIZE.height())}
    assert found == {}
    assert len(list((tmp_path / "shots").glob("*.png"))) >= 12


def test_the_clipping_check_sees_a_cut_label_and_button(app, qtbot):
    from desktop_quiz.gui.qt import QHBoxLayout, QLabel, QPushButton, QWidget
    from desktop_quiz.gui.screenshots import clipped_texts

    host = QWidget()
    qtbot.addWidget(host)
    lay = QHBoxLayout(host)
    cut = QLabel("a label far too long for the room it was given")
    cut.setMinimumWidth(10)
    cut.setMaximumWidth(60)
    press = QPushButton("Review due (12)")
    press.setMaximumWidth(50)
    fine = QLabel("ok")
    for w in (cut, press, fine):
        lay.addWidget(w)
    host.show()
    qtbot.waitExposed(host)
    problems = clipped_texts(host)
    assert len(problems) == 2
    assert any("far too long" in p for p in problems) and any("Review" in p for p in problems)


# -- 9: Browse ----------------------------------------------------------------------------
def test_browse_gives_the_question_column_room_and_keeps_its_layout_when_empty(window, qtbot):
    window.show_page("browse")
    browse = window.browse
    browse.search.setText("regularization")
    browse.refresh()
    qtbot.wait(20)
    header = browse.results.header()
    assert header.sectionSize(0) >= 0.5 * browse.results.viewport().width()
    count_y = browse.count_label.mapTo(browse, browse.count_label.rect().topLeft()).y()
    buttons_y = browse.drill_button.mapTo(browse, browse.drill_button.rect().topLeft()).y()
    browse.search.setText("zzzxqv")
    browse.refresh()
    qtbot.wait(20)
    assert browse.empty.isVisible() and browse.count_label.text() == "0 questions"
    assert browse.count_label.mapTo(browse, browse.count_label.rect().topLeft()).y() == count_y
    assert browse.drill_button.mapTo(browse, browse.drill_button.rect().topLeft()).y() == buttons_y
    # The message sits at the top of where the list was, not in the middle of the page.
    empty_y = browse.empty.mapTo(browse, browse.empty.rect().topLeft()).y()
    assert empty_y - count_y < 60


def test_screenshots_size_option_parses_w_by_h():
    import argparse

    import pytest

    from desktop_quiz.cli import _size, build_parser

    assert _size("960x600") == (960, 600)
    for bad in ("960", "axb", "10x10"):
        with pytest.raises(argparse.ArgumentTypeError):
            _size(bad)
    args = build_parser().parse_args(["screenshots", "out", "--size", "1024x640"])
    assert args.size == (1024, 640)
