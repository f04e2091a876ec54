"""The study plan in the app: Home's "Today's plan" card, the readiness chart on Progress,
the plan's settings, and the empty state. Real widgets, offscreen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop_quiz.core.progress.demo import fill_demo
from desktop_quiz.core.study import planner
from desktop_quiz.gui import theme
from desktop_quiz.gui.charts import READINESS_DARK, READINESS_LIGHT
from desktop_quiz.gui.mainwindow import MainWindow
from desktop_quiz.gui.qt import QApplication, Qt
from tests.gui.conftest import click


@pytest.fixture
def win(app: QApplication, study_ctx, qtbot):  # type: ignore[no-untyped-def]
    def make() -> MainWindow:
        w = MainWindow(study_ctx, remember_geometry=False)
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow)
        return w

    return make


def with_history_and_date(ctx, days: int = 21, minutes: int = 45) -> None:  # type: ignore[no-untyped-def]
    fill_demo(ctx, days=40, seed=4, weak_topics=("graphs", "sorting"))
    ctx.set_setting("interview_date", (date.today() + timedelta(days=days)).isoformat())
    ctx.set_setting("plan_minutes", minutes)


def wait_plan(qtbot, w: MainWindow):  # type: ignore[no-untyped-def]
    card = w.home.plan_card
    qtbot.waitUntil(lambda: not card.pending and card.plan is not None, timeout=30_000)
    return card


def test_without_a_date_home_works_as_before_and_offers_to_set_one(win, study_ctx, qtbot):
    w = win()
    card = w.home.plan_card
    assert card.plan is None and not card.pending
    assert card.date_button.isVisible() and not card.start_button.isVisible()
    assert "Set its date" in card.summary.text()
    assert w.home.quick_button.isVisible() and w.home.quick_button.isEnabled()
    # Ctrl+T without a plan keeps the learner on Home; the button opens the plan settings.
    qtbot.keyClick(w, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert w.current_page() == "home" and not w.drill.active
    click(qtbot, card.date_button)
    assert w.current_page() == "settings"
    plan = w.settings.plan
    click(qtbot, plan.has_date)
    assert study_ctx.settings["interview_date"] == plan.date.date().toString("yyyy-MM-dd")
    w.show_page("home")
    wait_plan(qtbot, w)
    assert card.start_button.isVisible() and not card.date_button.isVisible()


def test_the_card_shows_todays_blocks_and_a_click_starts_the_next(win, study_ctx, qtbot):
    with_history_and_date(study_ctx)
    w = win()
    card = wait_plan(qtbot, w)
    expected = planner.plan_for(study_ctx.bank, study_ctx.progress, study_ctx.settings,
                                with_verdict=False)
    assert expected is not None and expected.today is not None
    blocks = planner.day_blocks(expected.today)
    def shape(bs):  # type: ignore[no-untyped-def]
        return [(b.kind, b.topics, b.count, b.order) for b in bs]

    # Review minutes depend on recall "now", a few milliseconds apart: compare closely.
    assert shape(card.blocks) == shape(blocks) and blocks
    assert [b.minutes for b in card.blocks] == pytest.approx([b.minutes for b in blocks],
                                                             rel=1e-3)
    assert card.rows.count() == len(blocks)
    total = expected.done_today + sum(b.minutes for b in blocks)
    assert any(f"of {round(total) + d} minutes done today" in card.summary.text()
               for d in (-1, 0, 1))
    first = blocks[0]
    click(qtbot, card.start_button)
    if first.kind == "mock":
        assert w.current_page() == "mock" and w.mock.active
        return
    assert w.current_page() == "drill" and w.drill.active
    session = w.drill.session_page.session
    assert session is not None
    assert 0 < session.total <= first.count
    assert session.spec.order == first.order
    if first.kind != "review":
        assert {o.topic for o in session.outcomes} <= set(first.topics)


def test_ctrl_t_starts_the_next_block_and_the_plan_is_rebuilt_after_the_session(
        win, study_ctx, qtbot):
    with_history_and_date(study_ctx)
    w = win()
    card = wait_plan(qtbot, w)
    before = card.plan
    qtbot.keyClick(w, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert w.drill.active or w.mock.active
    if w.mock.active:  # the first block was a mock interview: answer two questions
        for _ in range(2):
            w.mock.run.editor.setPlainText("apples and pears")
            w.mock.run.submit()
        w.mock.run.stop()
    else:
        page = w.drill.session_page
        session = page.session
        assert session is not None
        for _ in range(min(3, session.total)):  # a few answers, then end the drill
            if session.outcome.kind == "recall":
                session.give_up()
            else:
                session.answer_mcq([0])
            session.next()
        page.abandoned.emit(session)
    study_ctx.hooks.progress_changed.fire()
    w.show_page("home")
    qtbot.waitUntil(lambda: not card.pending and card.plan is not before, timeout=30_000)
    assert card.plan is not None
    # Re-planned from the new answers: today's plan (or the forecast) is not the same.
    assert card.plan.to_json() != before.to_json()  # type: ignore[union-attr]


def test_progress_shows_readiness_per_topic_with_the_verdict(win, study_ctx, qtbot):
    with_history_and_date(study_ctx, minutes=10)
    w = win()
    w.show_page("progress")
    view = w.progress.view
    assert view is not None
    chart = view.readiness_chart
    plan = view.plan
    assert isinstance(plan, planner.Plan) and plan.verdict is not None
    caption = chart.caption.text()
    assert caption.startswith("On track" if plan.verdict.on_track else "Behind")
    assert plan.verdict.words(10) in caption
    ax = chart.figure.axes[0]
    bars = [p for p in ax.patches]
    assert len(bars) == len(study_ctx.bank.topics())
    widths = sorted(round(b.get_width(), 6) for b in bars)
    assert widths == sorted(round(f.plan * 100, 6) for f in plan.forecast)
    from matplotlib.colors import to_hex

    assert {to_hex(b.get_facecolor()) for b in bars} == {READINESS_LIGHT[0]}
    stops = ax.collections[-1].get_offsets()
    assert sorted(round(float(x), 6) for x, _y in stops) == sorted(
        round(f.stop * 100, 6) for f in plan.forecast)
    study_ctx.set_setting("theme", "dark")
    theme.apply(QApplication.instance(), "dark")  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: {to_hex(b.get_facecolor()) for b in chart.figure.axes[0].patches}
                    == {READINESS_DARK[0]}, timeout=30_000)


def test_progress_without_a_date_explains_the_forecast(win, study_ctx, qtbot):
    w = win()
    w.show_page("progress")
    view = w.progress.view
    assert view is not None
    texts = [t.get_text() for ax in view.readiness_chart.figure.axes for t in ax.texts]
    assert any("Set an interview date" in t for t in texts)
    study_ctx.set_setting("interview_date", (date.today() + timedelta(days=9)).isoformat())
    qtbot.waitUntil(lambda: view.plan is not None, timeout=30_000)
    assert len(view.readiness_chart.figure.axes[0].patches) == len(study_ctx.bank.topics())


def test_plan_settings_are_edited_and_validated(win, study_ctx, qtbot):
    w = win()
    w.show_page("settings")
    plan = w.settings.plan
    click(qtbot, plan.has_date)
    assert study_ctx.settings["interview_date"]
    click(qtbot, plan.day_boxes[6])  # Sunday
    click(qtbot, plan.day_boxes[0])  # Monday
    assert study_ctx.settings["days_off"] == ["mon", "sun"]
    plan.minutes.setValue(60)
    plan.minutes.editingFinished.emit()
    assert study_ctx.settings["plan_minutes"] == 60
    plan.focus.set_selected(["graphs"])
    assert study_ctx.settings["focus_topics"] == ["graphs"]
    with pytest.raises(ValueError):
        study_ctx.set_setting("interview_date", "next friday")
    with pytest.raises(ValueError):
        study_ctx.set_setting("days_off", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    click(qtbot, plan.clear_button)
    assert study_ctx.settings["interview_date"] == ""
    w.show_page("home")
    assert w.home.plan_card.date_button.isVisible()
