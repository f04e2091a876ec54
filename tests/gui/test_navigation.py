"""Main window: sidebar, menus with shortcuts, home, geometry, progress slot."""

from __future__ import annotations

from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.gui.mainwindow import PAGES, MainWindow, window_settings
from desktop_quiz.gui.qt import QApplication, QPoint, Qt
from tests.gui.conftest import click, key


def test_sidebar_by_mouse_and_ctrl_number(window, qtbot):
    nav = window.nav
    for row, page in enumerate(PAGES):
        rect = nav.visualItemRect(nav.item(row))
        qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.current_page() == page
        assert window.stack.currentWidget().isVisible()
    key(qtbot, window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "home"
    key(qtbot, window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "browse"
    assert window.windowTitle() == "Browse — Desktop Quiz"


def test_menus_show_their_shortcuts(window):
    menus = {m.title().replace("&", ""): m for m in
             (a.menu() for a in window.menuBar().actions()) if m is not None}
    assert list(menus) == ["File", "Go", "Question", "Help"]
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString()
                 for m in menus.values() for a in m.actions() if not a.isSeparator()}
    assert shortcuts["New drill…"] == "Ctrl+Shift+D"
    assert shortcuts["New question…"] == "Ctrl+N"
    assert shortcuts["Quit"] == "Ctrl+Q"
    assert shortcuts["Browse"] == "Ctrl+4"
    assert shortcuts["Check answer"] == "Ctrl+Return"
    assert shortcuts["Skip question"] == "Ctrl+Shift+S"
    assert shortcuts["Flag for later"] == "Ctrl+D"
    assert shortcuts["End drill…"] == "Esc"
    assert not menus["Question"].isEnabled()  # no drill running


def test_home_lists_topics_with_counts_and_starts_drills(window, qtbot, ctx):
    home = window.home
    counts = ctx.bank.counts_by_topic()
    topic = next(t for t in ctx.bank.topics() if counts.get(t.slug))
    item = home.topic_items[topic.slug]
    assert item.text(0) == topic.title and item.text(1) == str(counts[topic.slug])
    assert f"{sum(counts.values())} questions" in home.subtitle.text()
    assert not home.review_button.isEnabled()  # nothing answered, nothing due
    assert "Nothing is due" in home.due_label.text()
    qtbot.waitUntil(lambda: any("Answer a few drills" in w.text()
                                for w in home.weak_card.findChildren(type(home.title))))
    click(qtbot, home.quick_button)
    page = window.drill.session_page
    assert window.current_page() == "drill" and window.drill.currentWidget() is page
    assert page.session.total == min(ctx.settings["drill_size"], ctx.bank.count(Filter()))
    assert window.nav.currentItem().text().startswith("Drill  ·  1 / ")
    assert window.question_menu.isEnabled()


def test_home_topic_opens_setup_for_that_topic(window, qtbot, ctx):
    counts = ctx.bank.counts_by_topic()
    topic = next(t for t in ctx.bank.topics() if counts.get(t.slug))
    home = window.home
    home.topics.setCurrentItem(home.topic_items[topic.slug])
    home.topics.setFocus()
    qtbot.keyClick(home.topics, Qt.Key.Key_Return)
    assert window.current_page() == "drill"
    assert window.drill.setup.topics.selected() == [topic.slug]


def test_review_due_after_failing_questions(window, qtbot, ctx):
    from datetime import timedelta

    from desktop_quiz.core.progress.storage import Answer, utcnow

    ids = ctx.bank.all_ids()[:3]
    old = utcnow() - timedelta(days=3)
    ctx.progress.import_answers([Answer(q, ctx.bank.question(q).kind, old, False, 0.0, 1, 5000)
                                 for q in ids])
    ctx.hooks.progress_changed.fire()
    home = window.home
    assert home.review_button.isEnabled()
    assert home.review_button.text().replace("&", "") == "Review due (3)"
    click(qtbot, home.review_button)
    page = window.drill.session_page
    assert sorted(page.session.ids) == sorted(ids)
    assert page.session.mode == "review"


def test_geometry_is_remembered(app, ctx, qtbot):
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show()
    first.resize(1111, 700)
    first.move(QPoint(40, 30))
    first.close()
    assert window_settings().value("window/geometry") is not None
    second = MainWindow(ctx)
    qtbot.addWidget(second)
    second.show()
    # The offscreen screen is 800 px wide, so Qt fits the width back on screen; the
    # height (not the 800 px default) shows the saved geometry was used.
    assert second.height() == 700
    second.close()


def test_progress_page_is_loaded_on_first_show(window, qtbot):
    assert window.progress.view is None
    window.show_page("progress")
    # At once: a placeholder that says the charts are coming (issue 15: ~1.6 s of nothing).
    assert window.progress.placeholder is not None and window.progress.placeholder.isVisible()
    qtbot.waitUntil(lambda: window.progress.view is not None)
    assert window.progress.view.isVisible()
    assert window.progress.placeholder is None


def test_shortcut_help_dialog(window, qtbot):
    key(qtbot, window, Qt.Key.Key_F1)
    boxes = [w for w in QApplication.topLevelWidgets()
             if w.isVisible() and w.windowTitle() == "Keyboard shortcuts"]
    assert boxes and "Ctrl+Enter" in boxes[0].text()
    boxes[0].close()


def test_widgets_have_accessible_names(window):
    from desktop_quiz.gui.qt import QAbstractButton

    for page in window.pages.values():
        for b in page.findChildren(QAbstractButton):
            if b.isVisibleTo(window) and b.text():
                assert b.accessibleName(), b.text()
