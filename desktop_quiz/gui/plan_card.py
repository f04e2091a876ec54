"""Home's "Today's plan" card: today's blocks of the study plan, how far through the day
the learner is, and one click (or Ctrl+T) to start the next block.

The plan is computed after Home is first painted (a zero-delay timer), in pure Python
(:mod:`desktop_quiz.core.study.planner` loads neither numpy nor fsrs), and again after
every session and every change of the plan's settings.
"""

from __future__ import annotations

from desktop_quiz.core.context import AppContext
from desktop_quiz.gui.qt import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.widgets import button, card, clear_layout, label, shortcut_text

START_KEY = "Ctrl+T"
FIRST_DELAY_MS = 120  # start-up: Home paints first, then the plan (~0.1 s) fills the card


class PlanCard(QWidget):
    """The card and its empty state (no interview date: an offer to set one)."""

    start_block = Signal(object)  # planner.Block
    set_date = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.plan: object | None = None
        self.blocks: list[object] = []
        self.error = ""
        self._elided: list[QLabel] = []
        self._computed = False
        self.setAccessibleName("Today's plan")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        head = QHBoxLayout()
        head.addWidget(label("Today's plan", "h2"), 1)
        self.days_left = label("", "muted")
        head.addWidget(self.days_left)
        outer.addLayout(head)
        self.frame = card()
        lay = QVBoxLayout(self.frame)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(6)
        self.summary = label("", "muted", wrap=True)
        lay.addWidget(self.summary)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.bar.setAccessibleName("Progress through today's plan")
        lay.addWidget(self.bar)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(2)
        lay.addLayout(self.rows)
        self.start_button = button("&Start next block", primary=True,
                                   tip=f"Start the next block of today's plan "
                                       f"({shortcut_text(START_KEY)})")
        self.start_button.clicked.connect(self.start_next)
        self.date_button = button("Set an interview &date…",
                                  tip="Set the interview date in Settings to get a daily plan")
        self.date_button.clicked.connect(self.set_date.emit)
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(self.date_button)
        row.addStretch(1)
        lay.addLayout(row)
        outer.addWidget(self.frame)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.compute)
        self._show_empty()

    # -- state -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-plan soon (after the current paint), coalescing bursts of changes."""
        if not self.ctx.settings["interview_date"]:
            self._timer.stop()
            self.plan = None
            self._show_empty()
            return
        # The first plan waits until Home has been painted; later ones follow at once.
        self._timer.start(FIRST_DELAY_MS if self.plan is None and not self._computed else 0)

    def compute(self) -> None:
        from desktop_quiz.core.study import planner

        self._timer.stop()
        self._computed = True
        self.error = ""
        try:
            self.plan = planner.plan_for(self.ctx.bank, self.ctx.progress, self.ctx.settings,
                                         with_verdict=False)
        except planner.PlanError as exc:
            self.plan, self.error = None, str(exc)
        if self.plan is None:
            self._show_empty()
        else:
            self._show_plan()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def _show_empty(self) -> None:
        clear_layout(self.rows)
        self.blocks = []
        self.bar.hide()
        self.start_button.hide()
        self.date_button.show()
        self.days_left.setText("")
        if self.error:
            self.summary.setText(f"No plan: {self.error}. Choose a new interview date.")
            self.date_button.setText("Change the interview &date…")
        else:
            self.summary.setText("Preparing for an interview? Set its date and your daily "
                                 "minutes: each day gets a plan of reviews, weak topics and "
                                 "mock interviews, and Progress forecasts your readiness.")
            self.date_button.setText("Set an interview &date…")

    def _show_plan(self) -> None:
        from desktop_quiz.core.study import planner

        plan = self.plan
        assert isinstance(plan, planner.Plan)
        clear_layout(self.rows)
        self._elided = []
        self.date_button.hide()
        left = (plan.interview_date - (plan.today.day if plan.today else plan.interview_date)
                ).days
        self.days_left.setText("interview today" if left <= 0 else
                               f"{left} day{'s' if left != 1 else ''} to go")
        today = plan.today
        self.blocks = list(planner.day_blocks(today)) if today else []
        titles = {t.slug: t.title for t in self.ctx.bank.topics()}
        done = plan.done_today
        planned = sum(b.minutes for b in self.blocks)  # type: ignore[attr-defined]
        total = done + planned
        self.bar.setRange(0, max(1, round(total)))
        self.bar.setValue(min(round(done), max(1, round(total))))
        self.bar.show()
        if today is None:
            self.summary.setText("The interview is today. Good luck!")
        elif today.off:
            self.summary.setText("A day off in your plan. Rest, or drill anything you like.")
        elif not self.blocks:
            self.summary.setText(f"Today's plan is done: {round(done)} minutes studied. "
                                 "Tomorrow's plan is ready when you are.")
        else:
            self.summary.setText(f"{round(done)} of {round(total)} minutes done today · "
                                 f"{len(self.blocks)} block{'s' if len(self.blocks) != 1 else ''}"
                                 " left")
        for n, block in enumerate(self.blocks):
            assert isinstance(block, planner.Block)
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            name = QLabel(("▶ " if n == 0 else "") + block.title(titles))
            name.setTextFormat(Qt.TextFormat.PlainText)
            indent = name.fontMetrics().horizontalAdvance("▶ ")
            if n:
                name.setIndent(indent)  # lined up with the first block's title
            name.setWordWrap(True)
            if n == 0:
                font = name.font()
                font.setBold(True)
                name.setFont(font)
            what = "questions" if block.count != 1 else "question"
            texts = QVBoxLayout()
            texts.setSpacing(0)
            texts.addWidget(name)
            detail = block.detail(titles)
            if detail:
                topics = label(detail, "muted")
                topics.setIndent(indent)
                topics.setToolTip(detail)
                topics.setMinimumWidth(40)
                topics.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
                topics.setProperty("fullText", detail)
                texts.addWidget(topics)
                self._elided.append(topics)
            row.addLayout(texts, 1)
            row.addWidget(label(f"{block.count} {what} · {round(block.minutes)} min", "muted"),
                          0, Qt.AlignmentFlag.AlignTop)
            holder = QWidget()
            holder.setLayout(row)
            holder.setAccessibleName(f"{block.title(titles)}: {block.count} {what}, "
                                     f"{round(block.minutes)} minutes")
            self.rows.addWidget(holder)
        self.start_button.setVisible(bool(self.blocks))
        self.start_button.setEnabled(bool(self.blocks))
        QTimer.singleShot(0, self._elide)

    def _elide(self) -> None:
        """Topic lists on one line each, cut with "…" (the tooltip has them all)."""
        for topics in self._elided:
            try:
                text = str(topics.property("fullText"))
                width = max(40, topics.width())
                topics.setText(topics.fontMetrics().elidedText(
                    text, Qt.TextElideMode.ElideRight, width))
            except RuntimeError:  # deleted by a newer refresh
                continue

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._elide()

    def start_next(self) -> None:
        """Start the first block of today's plan (re-planned after every session)."""
        if self.pending:
            self.compute()
        if self.blocks:
            self.start_block.emit(self.blocks[0])
