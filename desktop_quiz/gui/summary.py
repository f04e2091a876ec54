"""The end of a drill: score, per-topic breakdown, missed questions."""

from __future__ import annotations

from desktop_quiz.core.context import AppContext
from desktop_quiz.core.study.session import Session
from desktop_quiz.gui import theme
from desktop_quiz.gui.compose import BAD_MARK, fmt_duration, question_html, snippet
from desktop_quiz.gui.dialogs import ReaderDialog
from desktop_quiz.gui.qt import (
    QAbstractItemView,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.richtext import RichEnv
from desktop_quiz.gui.widgets import button, card, hbox, label, scroll_column


class SummaryPage(QWidget):
    """Score, per-topic table, missed list; "drill the missed ones again"."""

    retry_missed = Signal(list)  # question ids
    new_drill = Signal()
    go_home = Signal()

    def __init__(self, ctx: AppContext, env: RichEnv, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.env = env
        self.session: Session | None = None
        self.missed: list[str] = []
        self.setAccessibleName("Drill summary")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        area, col = scroll_column()
        outer.addWidget(area)

        self.title = label("Drill complete", "h1")
        col.addWidget(self.title)
        score_card = card()
        sc = QVBoxLayout(score_card)
        sc.setContentsMargins(20, 16, 20, 16)
        self.score = label("", "big")
        self.score.setAccessibleName("Score")
        self.detail = label("", "muted", wrap=True)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Score bar")
        sc.addWidget(self.score)
        sc.addWidget(self.bar)
        sc.addWidget(self.detail)
        col.addWidget(score_card)

        self.retry_button = button("Drill the &missed ones again", primary=True)
        self.new_button = button("&New drill…")
        self.home_button = button("Back to &home")
        col.addLayout(hbox(self.retry_button, self.new_button, self.home_button, None))

        col.addWidget(label("By topic", "h2"))
        self.topics = QTreeWidget()
        self.topics.setRootIsDecorated(False)
        self.topics.setColumnCount(3)
        self.topics.setHeaderLabels(["Topic", "Correct", "Score"])
        self.topics.setAccessibleName("Results by topic")
        self.topics.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.topics.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        header = self.topics.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        col.addWidget(self.topics)

        self.missed_heading = label("Missed questions", "h2")
        col.addWidget(self.missed_heading)
        self.missed_hint = label("Double-click or press Enter to re-read one with its answer.",
                                 "muted")
        col.addWidget(self.missed_hint)
        self.missed_list = QListWidget()
        self.missed_list.setAccessibleName("Missed questions")
        self.missed_list.setObjectName("missed")
        self.missed_list.setWordWrap(True)
        self.missed_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.missed_list.itemActivated.connect(self._open)
        col.addWidget(self.missed_list)
        self.none_missed = label("Nothing missed — well done.", "muted")
        col.addWidget(self.none_missed)
        col.addStretch(1)

        self.retry_button.clicked.connect(lambda: self.retry_missed.emit(list(self.missed)))
        self.new_button.clicked.connect(self.new_drill.emit)
        self.home_button.clicked.connect(self.go_home.emit)

    def show_session(self, session: Session, abandoned: bool = False) -> None:
        self.session = session
        s = session.summary()
        self.missed = list(s.missed)
        self.title.setText("Drill ended early" if abandoned else "Drill complete")
        pct = round(100 * s.score)
        self.score.setText(f"{s.correct} / {s.answered} correct  ({pct}%)" if s.answered
                           else "No questions answered")
        self.bar.setRange(0, max(1, s.answered))
        self.bar.setValue(s.correct)
        parts = [f"{s.answered} answered"]
        if s.skipped:
            parts.append(f"{s.skipped} skipped")
        if s.total > s.answered + s.skipped:
            parts.append(f"{s.total - s.answered - s.skipped} not reached")
        parts.append(f"time {fmt_duration(s.duration_ms)}")
        if s.answered:
            parts.append(f"about {fmt_duration(s.duration_ms // s.answered)} per question")
        self.detail.setText(" · ".join(parts))

        self.topics.clear()
        for slug, (right, n) in sorted(s.by_topic.items(), key=lambda kv: kv[1][0] / kv[1][1]):
            topic = self.ctx.bank.topic(slug)
            item = QTreeWidgetItem([topic.title if topic else slug, f"{right} / {n}",
                                    f"{round(100 * right / n)}%"])
            for c in (1, 2):
                item.setTextAlignment(c, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            self.topics.addTopLevelItem(item)
        rows = max(1, self.topics.topLevelItemCount())
        row_h = self.topics.sizeHintForRow(0) if self.topics.topLevelItemCount() else 24
        self.topics.setFixedHeight(self.topics.header().sizeHint().height()
                                   + rows * max(row_h, 20) + 8)

        self.missed_list.clear()
        for qid in self.missed:
            q = self.ctx.bank.question(qid)
            topic = self.ctx.bank.topic(q.topic)
            entry = QListWidgetItem(f"{BAD_MARK}  {snippet(q.prompt, 160)}   "
                                    f"— {topic.title if topic else q.topic}")
            entry.setData(Qt.ItemDataRole.UserRole, qid)
            self.missed_list.addItem(entry)
        has = bool(self.missed)
        self.missed_list.setVisible(has)
        self.missed_hint.setVisible(has)
        self.none_missed.setVisible(not has and s.answered > 0)
        row = 2 * self.missed_list.fontMetrics().lineSpacing() + 16  # two wrapped lines
        self.missed_list.setFixedHeight(min(8 * row, 16 + row * len(self.missed)))
        self.retry_button.setEnabled(has)
        self.retry_button.setText(f"Drill the &missed ones again ({len(self.missed)})" if has
                                  else "Nothing missed to drill again")
        (self.retry_button if has else self.new_button).setFocus()

    def _open(self, item: QListWidgetItem) -> None:
        qid = str(item.data(Qt.ItemDataRole.UserRole))
        q = self.ctx.bank.question(qid)
        topic = self.ctx.bank.topic(q.topic)
        outcome = next((o for o in (self.session.outcomes if self.session else [])
                        if o.question_id == qid), None)
        chosen = None
        response = None
        recall = None
        if outcome is not None:
            if outcome.mcq is not None:
                chosen = frozenset(c.index for c in outcome.mcq.choices if c.chosen)
            if q.kind in ("recall", "code"):
                response = outcome.response  # the typed answer, or the submitted code
                recall = outcome.recall
        html = question_html(q, topic.title if topic else q.topic, theme.current(),
                             flagged=qid in self.ctx.progress.flagged_ids(), response=response,
                             chosen=chosen, recall=recall)
        dialog = ReaderDialog(self, self.env, snippet(q.prompt, 80), html)
        dialog.open()
