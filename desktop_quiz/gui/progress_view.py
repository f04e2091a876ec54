# long: the four charts of one page share their figure state and look; each draw method is short.
"""The Progress screen: where the learner's next hour should go.

Four charts (matplotlib, imported when this view is first built): weak topics
now with their uncertainty and coverage, mastery over time, a topics × weeks
heatmap, and daily activity with the streak. The figures are built once and
redrawn in place; the numbers come from :mod:`desktop_quiz.core.progress.mastery`.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

from desktop_quiz.core.config import PLAN_OPTIONS
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.progress import engine, mastery
from desktop_quiz.core.progress.storage import parse_time
from desktop_quiz.gui import theme
from desktop_quiz.gui.charts import (
    DEFAULT_RANGE,
    HIGHLIGHT_DARK,
    HIGHLIGHT_LIGHT,
    HIGHLIGHTED,
    OTHER_DARK,
    OTHER_LIGHT,
    RANGES,
    Chart,
    ChartLook,
    draw_readiness,
    first_shown_day,
    label_width,
    matplotlib_names,
    short_title,
)
from desktop_quiz.gui.qt import (
    QButtonGroup,
    QCheckBox,
    QColor,
    QEvent,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QMessageBox,
    QPalette,
    QPixmap,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.widgets import MARGIN, SPACING, button, label

FULL_TITLES_PX = 285


by_shown_mastery = mastery.by_shown_mastery


class ProgressView(QWidget):
    """Weak topics, mastery over time, heatmap and activity, with a range selector."""

    drillRequested = Signal(list)  # topic slugs: start a weak-first drill of these

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.mpl = matplotlib_names()
        self.days: int | None = DEFAULT_RANGE
        self.stale = True
        self.needs_retheme = False
        self.shown_topics: set[str] | None = None  # None: the weakest few
        self.mastery: list[mastery.TopicMastery] = []
        self.history: engine.MasteryHistory | None = None
        self.activity: engine.Activity | None = None
        self.first_day = date.today()
        self.setAccessibleName("Progress")
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._refresh_if_stale)
        self._build()
        ctx.hooks.progress_changed.connect(self._progress_changed)
        ctx.hooks.settings_changed.connect(self._setting_changed)
        self.destroyed.connect(lambda *_: self._disconnect(ctx))
        self.refresh()

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, MARGIN // 2 + 4, MARGIN, MARGIN // 2)
        outer.setSpacing(SPACING)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(label("Progress", "h1"))
        top.addStretch(1)
        # The summary gets a row of its own: beside the buttons it wrapped onto five
        # lines at the minimum window size.
        self.summary = label("", "muted", wrap=True)
        self.range_group = QButtonGroup(self)
        self.range_group.setExclusive(True)
        self.range_buttons: dict[int | None, QPushButton] = {}
        for i, (text, days) in enumerate(RANGES):
            b = button(text, tip=f"Show the last {text.lower()}" if days else
                       "Show the whole history")
            b.setCheckable(True)
            b.setChecked(days == self.days)
            # Checked buttons are bold: leave room so the text never clips.
            b.setMinimumWidth(int(b.fontMetrics().horizontalAdvance(text) * 1.15) + 34)
            self.range_group.addButton(b, i)
            self.range_buttons[days] = b
            top.addWidget(b, 0, Qt.AlignmentFlag.AlignBottom)
        self.range_group.idClicked.connect(lambda i: self.set_range(RANGES[i][1]))
        top.addSpacing(12)
        self.save_button = button("Save as PNG…", tip="Save all charts as one image")
        self.save_button.clicked.connect(self._save_dialog)
        top.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.drill_button = button("Drill weakest topics", primary=True)
        self.drill_button.clicked.connect(self._drill)
        top.addWidget(self.drill_button, 0, Qt.AlignmentFlag.AlignBottom)
        outer.addLayout(top)
        outer.addWidget(self.summary)

        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.column = QWidget()
        self.column.setObjectName("scrollBody")
        col = QVBoxLayout(self.column)
        col.setContentsMargins(0, 0, 4, 0)
        col.setSpacing(SPACING + 4)
        self.welcome = label("", "banner-info", wrap=True)
        col.addWidget(self.welcome)
        self.now_chart = Chart(
            self.mpl, "Weak topics now",
            "Chance of answering a random question of each topic right now, lowest first; "
            "whiskers show the 90% range. In red: your five lowest (ties included), the "
            "topics “Drill weakest topics” practises.", 300)
        self.time_chart = Chart(
            self.mpl, "Mastery over time",
            "The same estimate at the end of each day. Your five weakest topics are "
            "highlighted; tick others to compare.", 330)
        self.heat_chart = Chart(
            self.mpl, "Topics × weeks",
            "Mastery at the end of each week; blank where a topic was not started yet.", 300)
        self.activity_chart = Chart(self.mpl, "Activity", "Answers per day.", 220)
        self.readiness_chart = Chart(
            self.mpl, "Readiness at the interview",
            "Set an interview date in Settings to see how ready you will be.", 150)
        self.readiness_chart.setAccessibleName("Readiness at the interview")
        self.plan: Any = None
        self.plan_error = ""
        col.addWidget(self.readiness_chart)
        for chart in (self.now_chart, self.time_chart, self.heat_chart, self.activity_chart):
            col.addWidget(chart)
        self.toggles = QWidget()
        # Its width never widens the page (that would clip every card on the right);
        # _reflow_toggles picks as many columns as fit instead.
        self.toggles.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.toggle_grid = QGridLayout(self.toggles)
        self.toggle_grid.setContentsMargins(0, 4, 0, 0)
        self.toggle_grid.setHorizontalSpacing(16)
        self.toggle_grid.setVerticalSpacing(2)
        self.time_chart.extra.addWidget(self.toggles)
        self.topic_boxes: dict[str, QCheckBox] = {}
        self._toggle_columns = 0
        col.addStretch(1)
        self.scroller.setWidget(self.column)
        outer.addWidget(self.scroller, 1)

    # -- state -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the statistics and redraw every chart."""
        self._refresh_timer.stop()
        self.stale = self.needs_retheme = False
        self.mastery = by_shown_mastery(engine.topic_mastery(self.ctx))
        self._load_plan()
        self._load_range()
        self._draw_all()

    def _load_plan(self) -> None:
        from desktop_quiz.core.study import planner

        self.plan, self.plan_error = None, ""
        try:
            self.plan = planner.plan_for(self.ctx.bank, self.ctx.progress, self.ctx.settings)
        except planner.PlanError as exc:
            self.plan_error = str(exc)

    def set_range(self, days: int | None) -> None:
        """Show the last ``days`` days (None: everything)."""
        self.days = days
        button = self.range_buttons.get(days)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        self._load_range()
        look = self._look()
        self._draw_time(look)
        self._draw_heat(look)
        self._draw_activity(look)

    def _load_range(self) -> None:
        self.history = engine.mastery_over_time(self.ctx, self.days)
        self.activity = engine.activity(self.ctx, self.days)
        first = self.ctx.progress.db.execute("SELECT min(answered_at) FROM answers").fetchone()[0]
        self.first_day = (parse_time(first).astimezone().date() if first
                          else self.activity.days[-1])

    def _refresh_if_stale(self) -> None:
        if self.stale:
            self.refresh()

    def _progress_changed(self, *_args: object) -> None:
        self.stale = True
        if self.isVisible():
            self._refresh_timer.start(0)  # coalesce bursts of changes into one redraw

    def _setting_changed(self, name: str = "") -> None:
        if name == "theme":
            self._theme_changed()
        elif name in PLAN_OPTIONS:
            self._progress_changed()

    def _theme_changed(self) -> None:
        self.needs_retheme = True
        if self.isVisible():
            QTimer.singleShot(0, self._retheme_if_needed)

    def _retheme_if_needed(self) -> None:
        if self.needs_retheme and self.isVisible():
            self.retheme()

    def _disconnect(self, ctx: AppContext) -> None:
        ctx.hooks.progress_changed.disconnect(self._progress_changed)
        ctx.hooks.settings_changed.disconnect(self._setting_changed)

    def showEvent(self, event: Any) -> None:
        if self.stale:
            self.refresh()
        elif self.needs_retheme:
            self.retheme()
        super().showEvent(event)

    def changeEvent(self, event: Any) -> None:
        if event.type() == QEvent.Type.PaletteChange and self.ctx.settings["theme"] == "system":
            self._theme_changed()
        super().changeEvent(event)

    def retheme(self) -> None:
        """Redraw with the current theme's colours (no reload)."""
        self.needs_retheme = False
        self._draw_all()

    @property
    def weakest(self) -> list[mastery.TopicMastery]:
        """The five lowest bars (more when the fifth is tied): red in "Weak topics now",
        drilled by "Drill weakest topics"."""
        return mastery.lowest_shown(self.mastery, HIGHLIGHTED)

    def _drill(self) -> None:
        topics = [m.topic for m in self.weakest]
        if topics:
            self.drillRequested.emit(topics)

    # -- saving ------------------------------------------------------------------------
    def save_png(self, path: Path) -> bool:
        """All charts, as shown, in one PNG."""
        for chart in (self.readiness_chart, self.now_chart, self.time_chart, self.heat_chart,
                      self.activity_chart):
            chart.draw_now()
        ratio = self.devicePixelRatioF()
        image = QPixmap(self.column.size() * ratio)
        image.setDevicePixelRatio(ratio)
        image.fill(QColor(self._look().window))  # the column itself is transparent
        self.column.render(image)
        return bool(image.save(str(path), "PNG"))

    def _save_dialog(self) -> None:
        name = f"desktop-quiz-progress-{date.today().isoformat()}.png"
        path, _ = QFileDialog.getSaveFileName(self, "Save progress charts",
                                              str(Path.home() / name), "PNG image (*.png)")
        if path and not self.save_png(Path(path)):
            QMessageBox.warning(self, "Save as PNG", f"Could not write {path}.")

    # -- drawing -----------------------------------------------------------------------
    def _look(self) -> ChartLook:
        setting = self.ctx.settings["theme"]
        if setting == "system":
            dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        else:
            dark = setting == "dark"
        t = theme.DARK if dark else theme.LIGHT
        return ChartLook(dark=dark, window=t.window, bg=t.base, fg=t.text, muted=t.muted,
                         grid=t.border, accent=t.accent, weak=t.bad,
                         highlight=HIGHLIGHT_DARK if dark else HIGHLIGHT_LIGHT,
                         other=OTHER_DARK if dark else OTHER_LIGHT,
                         cmap="cividis")  # colour-blind safe (no red–green scale)

    def _title(self, slug: str) -> str:
        topic = self.ctx.bank.topic(slug)
        return topic.title if topic else slug

    def _draw_all(self) -> None:
        look = self._look()
        answered = any(m.attempts for m in self.mastery)
        self.drill_button.setEnabled(answered)
        self.drill_button.setToolTip(
            "Start a weak-first drill of: " + ", ".join(self._title(m.topic) for m in self.weakest)
            if answered else "Answer a few questions first")
        self._summary()
        self._draw_readiness(look)
        self._draw_now(look)
        self._draw_time(look)
        self._draw_heat(look)
        self._draw_activity(look)

    def _summary(self) -> None:
        total = self.ctx.progress.answer_count()
        streak = self.activity.streak_days if self.activity else 0
        due = sum(m.due for m in self.mastery)
        if not total:
            self.summary.setText("No answers yet.")
            self.welcome.setText(
                "Your progress appears here as you practise: which topics are weakest right "
                "now, how your mastery grows day by day, and how regularly you study. Start "
                "with a quick drill on Home; after a few answers the weakest topics are one "
                "click away from a focused drill.")
            self.welcome.show()
            return
        self.welcome.hide()
        self.summary.setText(
            f"{total:,} answers · streak {streak} day{'s' if streak != 1 else ''} · "
            f"{due} due today · mastery is the chance of answering a question right now")

    def _draw_readiness(self, look: ChartLook) -> None:
        from desktop_quiz.core.study import planner

        chart, plan = self.readiness_chart, self.plan
        if plan is None:
            chart.caption.setText(
                f"No plan: {self.plan_error}." if self.plan_error else
                "How ready you will be on the interview day, per topic, if you follow the "
                "study plan and if you stop now.")
            chart.empty(look, "Set an interview date in Settings (or on Home) to see your "
                              "readiness\nper topic on the day, with the plan and without it.")
            return
        assert isinstance(plan, planner.Plan)
        verdict = plan.verdict.words(plan.minutes_per_day) if plan.verdict else ""
        chart.caption.setText(
            f"{verdict} Bars: expected mastery on {plan.interview_date:%d %b %Y} if you follow "
            f"the plan ({plan.minutes_per_day} min a day), with the 90% range; diamonds: if "
            "you stop now. Weakest first.")
        titles = {t.slug: t.title for t in self.ctx.bank.topics()}
        draw_readiness(chart, look, list(plan.forecast), titles, planner.READY_TARGET)

    def _draw_now(self, look: ChartLook) -> None:
        chart = self.now_chart
        rows = self.mastery
        if not any(m.attempts for m in rows):
            chart.empty(look, "No answers yet. After your first drill every topic gets a bar "
                              "here:\nhow likely you are to answer its questions right now.")
            return
        chart.set_height(44 + 23 * len(rows))
        # Whole titles when they fit beside the bars even in the smallest window (the
        # chart is ~650 px wide there and gives labels at most 45%); else cut.
        names = [self._title(m.topic) for m in rows]
        if label_width(chart, names) > FULL_TITLES_PX:
            names = [short_title(n) for n in names]
        ax = chart.axes(look, (label_width(chart, names), 108, 30, 8))
        weak = {m.topic for m in self.weakest}
        y = list(range(len(rows)))
        started = [m.attempts > 0 for m in rows]
        values = [m.mastery * 100 if s else 0 for m, s in zip(rows, started, strict=True)]
        colours = [look.weak if m.topic in weak else look.accent for m in rows]
        ax.barh(y, values, height=0.62, color=colours, alpha=0.9, zorder=2)
        idx = [i for i, s in enumerate(started) if s]
        below = [(rows[i].mastery - rows[i].low) * 100 for i in idx]
        above = [(rows[i].high - rows[i].mastery) * 100 for i in idx]
        ax.errorbar([values[i] for i in idx], idx, xerr=[below, above], fmt="none",
                    ecolor=look.fg, elinewidth=1.1, capsize=3, zorder=3)
        for i, m in enumerate(rows):
            text = f"{m.seen}/{m.total} seen" if m.attempts else "not started"
            ax.text(1.015, i, text, va="center", ha="left", fontsize=8.5, color=look.muted,
                    transform=ax.get_yaxis_transform(), clip_on=False)
        chart.row_labels(look, names, ax)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.set_xticks(range(0, 101, 20))
        ax.xaxis.set_major_formatter(self.mpl.PercentFormatter())
        ax.xaxis.tick_top()
        ax.grid(axis="x", color=look.grid, linewidth=0.6, zorder=0)
        for spine in ("right", "bottom", "left"):
            ax.spines[spine].set_visible(False)
        chart.canvas.draw_idle()

    def _ensure_toggles(self, topics: tuple[str, ...], look: ChartLook) -> None:
        if set(self.topic_boxes) == set(topics):
            return
        for box in self.topic_boxes.values():
            box.deleteLater()
        self.topic_boxes = {}
        for slug in topics:
            box = QCheckBox(short_title(self._title(slug)).replace("&", "&&"))  # no mnemonic
            box.setToolTip(self._title(slug))
            box.toggled.connect(lambda on, s=slug: self._toggle_topic(s, on))
            self.topic_boxes[slug] = box
        self._toggle_columns = 0
        self._reflow_toggles()

    def _reflow_toggles(self) -> None:
        """Lay the topic check boxes out in as many columns as the page width allows."""
        boxes = list(self.topic_boxes.values())
        if not boxes:
            return
        # The card's inner width: the viewport less the column's and the card's margins.
        width = self.scroller.viewport().width()
        for w in (self.column, self.time_chart):
            layout = w.layout()
            if layout is not None:
                m = layout.contentsMargins()
                width -= m.left() + m.right()
        widest = max(b.sizeHint().width() for b in boxes)
        spacing = self.toggle_grid.horizontalSpacing()
        columns = max(1, min(4, (width + spacing) // (widest + spacing)))
        if columns == self._toggle_columns:
            return
        self._toggle_columns = columns
        for box in boxes:
            self.toggle_grid.removeWidget(box)
        for i, box in enumerate(boxes):
            self.toggle_grid.addWidget(box, i // columns, i % columns)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._reflow_toggles()

    def _toggle_topic(self, slug: str, on: bool) -> None:
        if self._syncing:
            return
        shown = self._shown()
        (shown.add if on else shown.discard)(slug)
        self.shown_topics = shown
        self._draw_time(self._look())

    _syncing = False

    def _shown(self) -> set[str]:
        if self.shown_topics is not None:
            return set(self.shown_topics)
        return {m.topic for m in self.weakest}

    def _draw_time(self, look: ChartLook) -> None:
        chart, h = self.time_chart, self.history
        if h is None or not h.attempts.any():
            self.toggles.hide()
            chart.empty(look, "Your mastery per topic, day by day, appears here once you "
                              "have answered a few questions.")
            return
        self.toggles.show()
        order = [m.topic for m in self.mastery if m.topic in h.topics]
        self._ensure_toggles(tuple(order), look)
        shown = self._shown()
        weak = [m.topic for m in self.weakest][:HIGHLIGHTED]
        self._syncing = True
        for slug, box in self.topic_boxes.items():
            box.setChecked(slug in shown)
            box.setEnabled(bool(h.attempts[h.row(slug)].any()))
        self._syncing = False
        chart.set_height(chart.height_px)
        names = [short_title(self._title(t)) for t in shown]
        ax = chart.axes(look, (48, label_width(chart, names) + 34, 12, 40))
        lo = first_shown_day(h.attempts.any(axis=0))
        x = self.mpl.np.array(h.days[lo:], dtype="datetime64[D]")
        others = iter(look.other * 3)
        drawn = 0
        for slug in weak + [t for t in order if t not in weak]:
            if slug not in shown:
                continue
            row = h.row(slug)
            values = self.mpl.np.where(h.attempts[row] > 0, h.mastery[row] * 100,
                                       math.nan)[lo:]
            points = int(self.mpl.np.isfinite(values).sum())
            if not points:
                continue
            highlight = slug in weak
            colour = look.highlight[weak.index(slug)] if highlight else next(others)
            ax.plot(x, values, color=colour, linewidth=2.4 if highlight else 1.3,
                    alpha=1.0 if highlight else 0.85, label=short_title(self._title(slug)),
                    marker="o" if points <= 3 else None, markersize=5,
                    zorder=3 if highlight else 2)
            drawn += 1
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(self.mpl.PercentFormatter())
        ax.grid(color=look.grid, linewidth=0.6)
        locator = self.mpl.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(self.mpl.ConciseDateFormatter(locator))
        half_day = self.mpl.np.timedelta64(12, "h")  # room for the markers at the ends
        ax.set_xlim(x[0] - half_day, x[-1] + half_day)
        for spine in ("right", "top"):
            ax.spines[spine].set_visible(False)
        if drawn:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9,
                      labelcolor=look.fg, handlelength=1.6)
        chart.canvas.draw_idle()

    def _draw_heat(self, look: ChartLook) -> None:
        chart, h = self.heat_chart, self.history
        if h is None or not h.attempts.any():
            chart.empty(look, "Weekly mastery per topic, as a heatmap, once you have some "
                              "history.")
            return
        np = self.mpl.np
        order = [m.topic for m in self.mastery if m.topic in h.topics]
        rows = [h.row(t) for t in order]
        # Weeks before the first answer would be empty columns.
        lo = first_shown_day(h.attempts.any(axis=0), minimum=1)
        ends = [i for i, d in enumerate(h.days)
                if i >= lo and (d.weekday() == 6 or i == len(h.days) - 1)]
        values = np.where(h.attempts[rows][:, ends] > 0, h.mastery[rows][:, ends] * 100, np.nan)
        chart.set_height(70 + 20 * len(order))
        names = [short_title(self._title(t)) for t in order]
        # Right margin: the colour bar (14 px gap, 12 px wide), its ticks and "100%".
        bar_labels = label_width(chart, ["100%"], size=8) + 14 + 12 + 8
        ax = chart.axes(look, (label_width(chart, names), bar_labels, 8, 40), colorbar=True)
        cmap = self.mpl.colormaps[look.cmap].with_extremes(bad=look.bg)
        image = ax.imshow(values, aspect="auto", cmap=cmap, vmin=30, vmax=100,
                          interpolation="nearest")
        chart.row_labels(look, names, ax)
        step = max(1, math.ceil(len(ends) / 12))
        ticks = list(range(0, len(ends), step))
        ax.set_xticks(ticks, [h.days[ends[i]].strftime("%d %b") for i in ticks])
        ax.tick_params(axis="both", length=0)
        ax.set_xlabel("week ending", color=look.muted, fontsize=9)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = chart.figure.colorbar(image, cax=chart.cax)
        bar.ax.yaxis.set_major_formatter(self.mpl.PercentFormatter())
        bar.ax.tick_params(colors=look.muted, labelcolor=look.fg, labelsize=8)
        bar.outline.set_visible(False)
        chart.place()
        chart.canvas.draw_idle()

    def _draw_activity(self, look: ChartLook) -> None:
        chart, act = self.activity_chart, self.activity
        if act is None or not act.answers.any():
            chart.caption.setText("Answers per day.")
            chart.empty(look, "Answers per day and your streak of study days show up here.")
            return
        np = self.mpl.np
        # Days before the very first answer say nothing; quiet days after it do.
        lo = first_shown_day(np.array([d >= self.first_day for d in act.days]))
        x = np.array(act.days[lo:], dtype="datetime64[D]")
        answers = act.answers[lo:]
        streak = np.zeros(len(x), bool)
        if act.streak_days:
            end = len(x) - (0 if answers[-1] else 1)
            streak[max(0, end - act.streak_days):end] = True
        chart.set_height(chart.height_px)
        ax = chart.axes(look, (56, 16, 10, 40))
        colours = np.where(streak, look.accent, look.muted)
        ax.bar(x, answers, width=0.8 if len(x) < 120 else 1.0, color=colours, zorder=2)
        ax.yaxis.set_major_locator(self.mpl.MaxNLocator(nbins=5, integer=True))
        locator = self.mpl.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(self.mpl.ConciseDateFormatter(locator))
        ax.set_xlim(x[0] - np.timedelta64(1, "D"), x[-1] + np.timedelta64(1, "D"))
        ax.grid(axis="y", color=look.grid, linewidth=0.6, zorder=0)
        ax.set_ylabel("answers", color=look.muted, fontsize=9)
        for spine in ("right", "top"):
            ax.spines[spine].set_visible(False)
        active = int((act.answers > 0).sum())
        chart.caption.setText(
            f"{int(act.answers.sum()):,} answers on {active} of {len(act.days)} days"
            + (f" · current streak: {act.streak_days} day{'s' if act.streak_days != 1 else ''}"
               " (highlighted)" if act.streak_days else " · no current streak"))
        chart.canvas.draw_idle()


__all__ = ["ProgressView"]
