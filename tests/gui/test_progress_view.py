"""The Progress screen: real widgets and real matplotlib figures, offscreen."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from desktop_quiz.core.progress import engine
from desktop_quiz.core.progress.demo import fill_demo
from desktop_quiz.core.progress.storage import Answer, parse_time, utcnow
from desktop_quiz.gui import theme
from desktop_quiz.gui.progress_view import by_shown_mastery
from desktop_quiz.gui.qt import QApplication, QColor, QImage
from tests.conftest import ROOT
from tests.gui.conftest import click


@pytest.fixture
def view(app: QApplication, study_ctx, qtbot):  # type: ignore[no-untyped-def]
    from desktop_quiz.gui.progress_view import ProgressView

    def make():  # type: ignore[no-untyped-def]
        v = ProgressView(study_ctx)
        qtbot.addWidget(v)
        v.resize(1280, 800)
        v.show()
        qtbot.waitExposed(v)
        return v

    return make


def texts(chart) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.get_text() for ax in chart.figure.axes for t in ax.texts]


def hex_of(colour) -> str:  # type: ignore[no-untyped-def]
    from matplotlib.colors import to_hex

    return str(to_hex(colour))


def test_a_new_learner_sees_helpful_empty_states(view, study_ctx, tmp_path):
    v = view()
    assert v.welcome.isVisible() and "quick drill" in v.welcome.text()
    assert not v.drill_button.isEnabled()
    assert "No answers yet" in texts(v.now_chart)[0]
    for chart in (v.time_chart, v.heat_chart, v.activity_chart):
        assert len(texts(chart)) == 1 and chart.canvas.height() == 150
    assert not v.toggles.isVisible()
    out = tmp_path / "empty.png"
    assert v.save_png(out)
    image = QImage(str(out))
    assert image.width() == v.column.width() and image.height() == v.column.height()


def test_demo_history_shows_the_weak_topics_first(view, study_ctx, qtbot):
    fill_demo(study_ctx, days=60, seed=3, weak_topics=("graphs", "sorting"))
    v = view()
    assert not v.welcome.isVisible()
    assert "streak" in v.summary.text()
    ax = v.now_chart.figure.axes[0]
    labels = [t.get_text() for t in ax.texts if not t.get_text().endswith(("seen", "started"))]
    assert set(labels[:2]) == {"Graphs topic", "Sorting topic"}
    widths = [round(p.get_width(), 6) for p in ax.patches]
    assert len(widths) == 5
    # A moment later: a little more forgotten.
    ranked = by_shown_mastery(engine.topic_mastery(study_ctx))
    assert widths == pytest.approx([m.mastery * 100 for m in ranked], abs=0.1)
    assert widths == sorted(widths)  # sorted by what the bar shows (issue 15)
    # The weakest (the drill's targets) are in the theme's "weak" colour, others in the accent.
    colours = [hex_of(p.get_facecolor()[:3]) for p in ax.patches]
    targets = {m.topic for m in v.weakest}
    assert colours == [theme.LIGHT.bad if m.topic in targets else theme.LIGHT.accent
                       for m in v.mastery]
    # One click starts a weak-first drill of exactly those topics.
    with qtbot.waitSignal(v.drillRequested) as signal:
        click(qtbot, v.drill_button)
    assert signal.args[0] == [m.topic for m in ranked if m.attempts][:5]
    assert signal.args[0][:2] in (["graphs", "sorting"], ["sorting", "graphs"])


def test_mastery_over_time_highlights_the_weakest_and_toggles_others(view, study_ctx):
    fill_demo(study_ctx, days=40, seed=5, weak_topics=("trees",))
    v = view()
    ax = v.time_chart.figure.axes[0]
    weak = [m.topic for m in v.weakest]
    drawn = [line.get_label() for line in ax.get_lines()]
    assert len(drawn) == len(weak) == 5
    assert drawn[0] == "Trees topic"
    assert ax.get_lines()[0].get_linewidth() > 2
    # All 5 study topics are weakest-5 here: untick one, and it disappears.
    v.topic_boxes["hashing"].setChecked(False)
    ax = v.time_chart.figure.axes[0]
    assert "Hashing topic" not in [line.get_label() for line in ax.get_lines()]
    v.topic_boxes["hashing"].setChecked(True)
    assert "Hashing topic" in [line.get_label() for line in v.time_chart.figure.axes[0].get_lines()]


def test_the_range_selector_changes_the_time_charts(view, study_ctx, qtbot):
    fill_demo(study_ctx, days=120, seed=2)
    v = view()
    assert v.days == 90 and len(v.history.days) == 90
    click(qtbot, v.range_buttons[30])
    assert v.days == 30 and len(v.history.days) == 30 and len(v.activity.days) == 30
    left, right = v.activity_chart.figure.axes[0].get_xlim()
    assert 31 <= right - left <= 33  # 30 days, a day of margin each side
    click(qtbot, v.range_buttons[None])
    first = study_ctx.progress.db.execute("SELECT min(answered_at) FROM answers").fetchone()[0]
    assert v.days is None
    assert v.history.days[0] == parse_time(first).astimezone().date()
    assert len(v.history.days) >= 115
    assert v.range_buttons[None].isChecked() and not v.range_buttons[30].isChecked()


def test_charts_follow_the_theme(view, study_ctx, app, qtbot):
    fill_demo(study_ctx, days=20, seed=1)
    study_ctx.settings.set("theme", "light")
    v = view()
    assert hex_of(v.now_chart.figure.get_facecolor()) == theme.LIGHT.base
    study_ctx.set_setting("theme", "dark")
    qtbot.waitUntil(lambda: hex_of(v.now_chart.figure.get_facecolor()) == theme.DARK.base)
    ax = v.now_chart.figure.axes[0]
    label = next(t for t in ax.texts if t.get_text() == v._title(v.mastery[0].topic))
    assert hex_of(label.get_color()) == theme.DARK.text
    # "system" follows the palette actually in use (here still the light one).
    study_ctx.set_setting("theme", "system")
    qtbot.waitUntil(lambda: hex_of(v.now_chart.figure.get_facecolor()) == theme.LIGHT.base)
    app.setPalette(theme.palette(theme.DARK))
    qtbot.waitUntil(lambda: hex_of(v.now_chart.figure.get_facecolor()) == theme.DARK.base)
    app.setPalette(theme.palette(theme.LIGHT))
    qtbot.waitUntil(lambda: hex_of(v.now_chart.figure.get_facecolor()) == theme.LIGHT.base)


def test_new_answers_refresh_the_view_when_shown(view, study_ctx, qtbot):
    v = view()
    assert v.summary.text() == "No answers yet."
    v.hide()
    study_ctx.progress.record(Answer("arrays-1", "mcq", utcnow() - timedelta(minutes=1), True,
                                     1.0, 3, 9000))
    study_ctx.hooks.progress_changed.fire()
    assert v.stale and v.summary.text() == "No answers yet."  # hidden: no work yet
    v.show()
    qtbot.waitUntil(lambda: v.summary.text().startswith("1 answers"))
    assert not v.stale and v.drill_button.isEnabled()
    study_ctx.progress.record(Answer("arrays-2", "mcq", utcnow(), False, 0.0, 1, 9000))
    study_ctx.hooks.progress_changed.fire()
    qtbot.waitUntil(lambda: v.summary.text().startswith("2 answers"))


def test_saving_png_renders_every_chart(view, study_ctx, app, tmp_path):
    fill_demo(study_ctx, days=30, seed=4)
    study_ctx.settings.set("theme", "dark")
    theme.apply(app, "dark")
    v = view()
    out = tmp_path / "progress.png"
    assert v.save_png(out)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (v.column.width(), v.column.height())
    # The image is the dark background with charts on it, not a blank page.
    assert QColor(image.pixel(2, image.height() - 2)).name() == theme.DARK.window
    for chart in (v.now_chart, v.time_chart, v.heat_chart, v.activity_chart):
        box = chart.canvas.geometry().translated(chart.mapTo(v.column, chart.rect().topLeft()))
        colours = {QColor(image.pixel(x, y)).name()
                   for x in range(box.left(), box.right(), 5)
                   for y in range(box.top(), box.bottom(), 5)}
        assert theme.DARK.base in colours and len(colours) > 8, chart.title
    single = tmp_path / "now.png"
    v.now_chart.save(single)
    assert QImage(str(single)).width() > 0


def test_matplotlib_loads_only_with_the_view() -> None:
    code = ("import sys\n"
            "import desktop_quiz.gui.progress_view\n"
            "print('matplotlib' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60, env={"QT_QPA_PLATFORM": "offscreen",
                                                       "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_first_day_of_answers_shows_a_week_not_an_empty_quarter(view, study_ctx):
    now = utcnow()
    for n in range(1, 4):
        study_ctx.progress.record(Answer(f"graphs-{n}", "mcq", now - timedelta(minutes=n),
                                         n != 2, float(n != 2), 3 if n != 2 else 1, 9000))
    v = view()
    assert v.days == 90 and len(v.history.days) == 90
    for chart in (v.time_chart, v.activity_chart):
        left, right = chart.figure.axes[0].get_xlim()
        assert 6 <= right - left <= 9, chart.title
    [line] = v.time_chart.figure.axes[0].get_lines()
    assert line.get_marker() == "o"  # a single point must be visible
    assert line.get_label() == "Graphs topic"
    assert v.heat_chart.figure.axes[0].get_images()[0].get_array().shape == (5, 1)


def test_the_topic_check_boxes_never_widen_the_page(app, gui_bank, data_dir, qtbot):
    # With all 31 real topics, four columns of check boxes were wider than the page at
    # 1280 px: every card was clipped on the right, captions cut mid-word.
    from desktop_quiz.core.context import AppContext
    from desktop_quiz.gui.progress_view import ProgressView

    ctx = AppContext.open(data_dir, gui_bank)
    try:
        fill_demo(ctx, days=30, seed=5)
        v = ProgressView(ctx)
        qtbot.addWidget(v)
        v.show()
        for width in (1800, 1072, 816):  # the page beside the sidebar, 4K down to 1024 px
            v.resize(width, 700)
            qtbot.wait(20)
            assert v.column.width() <= v.scroller.viewport().width(), width
            boxes = list(v.topic_boxes.values())
            assert len(boxes) == len(ctx.bank.topics()) >= 31
            assert all(b.isVisible() for b in boxes)
            assert max(b.geometry().right() for b in boxes) <= v.toggles.width(), width
    finally:
        ctx.close()


def test_the_mouse_wheel_over_a_chart_scrolls_the_page(view, study_ctx, qtbot):
    """Issue 15: the charts cover most of the page; a wheel over them moved it 0 px."""
    from desktop_quiz.gui.qt import QPoint, qtest

    fill_demo(study_ctx, days=30, seed=3)
    v = view()
    v.resize(1280, 600)
    qtbot.wait(20)
    bar = v.scroller.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(0)
    viewport = v.scroller.viewport()
    spots = [viewport.mapTo(v.window(), QPoint(viewport.width() // 2, y))
             for y in range(10, viewport.height(), 10)]
    # The pointer rests on a chart (the charts cover most of the page).
    at = next(p for p in spots if type(v.window().childAt(p)).__name__ == "LazyCanvas")
    for _ in range(3):  # through the window system, as a real mouse's notches arrive
        qtest().wheelEvent(v.window().windowHandle(), at, QPoint(0, -120))
        QApplication.processEvents()
    assert bar.value() > 0


def test_the_heatmap_is_colour_blind_safe_and_its_scale_is_not_clipped(view, study_ctx):
    fill_demo(study_ctx, days=30, seed=3)
    v = view()
    chart = v.heat_chart
    chart.draw_now()
    images = [im for ax in chart.figure.axes for im in ax.images]
    assert images and all(im.get_cmap().name.startswith("cividis") for im in images)
    renderer = chart.canvas.get_renderer()
    width = chart.figure.bbox.width
    labels = [t for t in chart.cax.get_yticklabels() if t.get_text()]
    assert any("100" in t.get_text() for t in labels)
    for t in labels:
        assert t.get_window_extent(renderer).x1 <= width, t.get_text()


def test_weak_topics_sort_by_the_bar_and_equal_bars_share_a_colour(view, study_ctx):
    """Issue 15: ranked by the top of the 90% range, a 77% bar was red and a 73% blue,
    and two equal 33% bars had different colours."""
    from desktop_quiz.core.progress.mastery import TopicMastery

    def tm(topic: str, value: float, high: float, attempts: int = 5) -> TopicMastery:
        return TopicMastery(topic, value, value - 0.1, high, attempts, 3, 10, 0)

    core_order = [tm("a", 0.33, 0.50), tm("b", 0.77, 0.80), tm("c", 0.20, 0.85),
                  tm("d", 0.73, 0.95), tm("e", 0.40, 0.96), tm("f", 0.33, 0.97),
                  tm("g", 0.90, 0.98), tm("h", 0.0, 1.0, attempts=0)]
    rows = by_shown_mastery(core_order)
    assert [m.topic for m in rows] == ["c", "a", "f", "e", "d", "b", "g", "h"]
    v = view()
    v.mastery = rows
    assert [m.topic for m in v.weakest] == ["c", "a", "f", "e", "d"]
    core_order[3] = tm("d", 0.33, 0.95)  # a tie with the fifth joins the weak ones
    v.mastery = by_shown_mastery(core_order)
    assert {m.topic for m in v.weakest} == {"a", "c", "d", "e", "f"}
    core_order[1] = tm("b", 0.40, 0.80)
    v.mastery = by_shown_mastery(core_order)
    assert len(v.weakest) == 6 and {"b", "e"} <= {m.topic for m in v.weakest}
    assert "lowest" in v.now_chart.caption.text()  # the rule is stated on the chart


def test_home_lists_exactly_the_topics_progress_marks_weakest(app, ctx, qtbot):
    """Both screens name the same weakest topics (the lowest values shown, ties in)."""
    from desktop_quiz.gui.home import HomePage
    from desktop_quiz.gui.progress_view import ProgressView

    fill_demo(ctx, days=30, seed=5)
    home = HomePage(ctx)
    qtbot.addWidget(home)
    view = ProgressView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    from desktop_quiz.gui.home import weakest_topics

    listed = [slug for slug, _ in weakest_topics(ctx, 5)]
    assert len(listed) >= 5
    assert listed == [m.topic for m in view.weakest]
    shown = {m.topic: round(100 * m.mastery) for m in view.mastery}
    assert [shown[t] for t in listed] == sorted(shown[t] for t in listed)
    assert max(shown[t] for t in listed) <= min(
        v for t, v in shown.items() if t not in listed
        and next(m for m in view.mastery if m.topic == t).attempts)
