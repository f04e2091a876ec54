"""Browse: full-text search, filters, instant preview, flags, drilling the selection."""

from __future__ import annotations

from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.gui.compose import snippet
from desktop_quiz.gui.qt import QItemSelectionModel, Qt
from tests.gui.conftest import click, key


def listed(browse) -> list[str]:  # type: ignore[no-untyped-def]
    return browse.listed_ids()


def test_search_lists_matches_with_instant_preview(window, qtbot, ctx):
    key(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    browse = window.browse
    assert window.current_page() == "browse"
    assert browse.search.hasFocus()
    qtbot.keyClicks(browse.search, "regularization")
    expected = ctx.bank.query(Filter(text="regularization"))
    assert expected
    qtbot.waitUntil(lambda: listed(browse) == expected)
    assert browse.count_label.text() == f"{len(expected)} questions"
    browse.results.setFocus()
    qtbot.keyClick(browse.results, Qt.Key.Key_Down)
    shown = ctx.bank.question(browse.shown_id())
    assert shown.id == expected[1]
    preview = browse.preview.toPlainText()
    assert snippet(shown.prompt, 40).rstrip("…")[:30] in " ".join(preview.split())
    assert "Answer" in preview


def test_filters_narrow_the_list(window, qtbot, ctx):
    window.show_page("browse")
    browse = window.browse
    total = len(ctx.bank.all_ids())
    assert len(listed(browse)) == total
    browse.kind.setCurrentIndex(browse.kind.findData("mcq"))
    assert all(ctx.bank.question(q).kind == "mcq" for q in listed(browse))
    browse.difficulty.setCurrentIndex(browse.difficulty.findData(3))
    topic = ctx.bank.question(listed(browse)[0]).topic
    browse.topic.setCurrentIndex(browse.topic.findData(topic))
    assert listed(browse) == ctx.bank.query(Filter(topics=(topic,), kinds=("mcq",),
                                                   difficulties=(3,)))
    tag = browse.tag.itemData(1)
    browse.kind.setCurrentIndex(0)
    browse.difficulty.setCurrentIndex(0)
    browse.topic.setCurrentIndex(0)
    browse.tag.setCurrentIndex(1)
    assert listed(browse) == ctx.bank.query(Filter(tags=(tag,)))
    qtbot.keyClicks(browse.search, "zzzxqv")
    qtbot.waitUntil(lambda: browse.empty.isVisible())
    assert browse.empty.text().startswith("No questions match")
    assert not browse.drill_button.isEnabled()


def test_flag_from_the_preview_and_flagged_filter(window, qtbot, ctx):
    window.show_page("browse")
    browse = window.browse
    target = listed(browse)[2]
    browse.results.setCurrentItem(browse.results.topLevelItem(2))
    click(qtbot, browse.flag_button)
    assert ctx.progress.flagged_ids() == {target}
    assert browse.flag_button.text() == "⚑ Flagged"
    assert browse.results.topLevelItem(2).text(0).startswith("⚑")
    click(qtbot, browse.flagged)
    assert listed(browse) == [target]


def test_drill_the_selection(window, qtbot, ctx):
    window.show_page("browse")
    browse = window.browse
    browse.kind.setCurrentIndex(browse.kind.findData("recall"))
    ids = listed(browse)
    assert browse.drill_button.text().replace("&", "") == f"Drill all {len(ids)} listed"
    model = browse.results.selectionModel()
    for row in (0, 3):
        index = browse.results.model().index(row, 0)
        model.select(index, QItemSelectionModel.SelectionFlag.Select
                     | QItemSelectionModel.SelectionFlag.Rows)
    assert browse.drill_button.text().replace("&", "") == "Drill the 2 selected"
    click(qtbot, browse.drill_button)
    page = window.drill.session_page
    assert window.current_page() == "drill" and window.drill.currentWidget() is page
    assert page.position.text() == "Question 1 / 2"
    assert set(page.session.ids) == {ids[0], ids[3]}
