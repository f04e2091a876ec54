"""Home: what to do next. Due reviews, quick/custom drills, mock interview, topics."""

from __future__ import annotations

from typing import Any

from desktop_quiz.core.context import AppContext
from desktop_quiz.gui.compose import fmt_clock
from desktop_quiz.gui.plan_card import PlanCard
from desktop_quiz.gui.qt import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.widgets import MARGIN, SPACING, button, card, clear_layout, label

WEAKEST_COUNT = 5


def weakest_topics(ctx: AppContext, n: int) -> list[tuple[str, str]]:
    """(slug, "mastery 62% · 9/25 seen") for the weakest topics with answers."""
    from desktop_quiz.core.progress import mastery

    rows = mastery.lowest_shown(mastery.topic_mastery_now(ctx), n)  # Progress's red bars
    return [(m.topic, f"{mastery.shown_percent(m)}% · {m.seen}/{m.total} seen") for m in rows]


class HomePage(QWidget):
    review_due = Signal()
    quick_drill = Signal()
    custom_drill = Signal()
    mock_interview = Signal()
    topic_drill = Signal(str)  # slug: drill that topic, weakest first
    topic_setup = Signal(str)  # slug: open drill setup with that topic
    plan_block = Signal(object)  # planner.Block: start this block of today's plan
    set_interview = Signal()  # open Settings at the plan's date

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Home")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, MARGIN // 2 + 4, MARGIN, MARGIN)
        outer.setSpacing(SPACING + 4)
        self.title = label("Ready to practise?", "h1")
        self.subtitle = label("", "muted", wrap=True)
        outer.addWidget(self.title)
        outer.addWidget(self.subtitle)

        actions = QGridLayout()
        actions.setSpacing(SPACING)
        self.due_label, self.review_button = self._action_card(
            actions, 0, "Due today", "Review due", self.review_due.emit, primary=True)
        self.quick_label, self.quick_button = self._action_card(
            actions, 1, "Quick drill", "Start &quick drill", self.quick_drill.emit)
        self.custom_label, self.custom_button = self._action_card(
            actions, 2, "Custom drill", "&Custom drill…", self.custom_drill.emit)
        self.mock_label, self.mock_button = self._action_card(
            actions, 3, "Mock interview", "&Mock interview…", self.mock_interview.emit)
        self.custom_label.setText("Choose topics, kind, difficulty and order.")
        outer.addLayout(actions)

        columns = QHBoxLayout()
        columns.setSpacing(MARGIN)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(label("Topics", "h2"))
        left.addWidget(label("Double-click a topic (or press Enter) to set up a drill on it.",
                             "muted", wrap=True))
        self.topics = QTreeWidget()
        self.topics.setColumnCount(3)
        self.topics.setHeaderLabels(["Topic", "Questions", "Seen"])
        self.topics.setAccessibleName("Topics with question counts")
        self.topics.setUniformRowHeights(True)
        self.topics.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.topics.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, 124)  # "12 / 43" and a short bar: room for topic names
        self.topics.itemActivated.connect(self._topic_activated)
        left.addWidget(self.topics, 1)
        columns.addLayout(left, 3)

        right = QVBoxLayout()
        right.setSpacing(8)
        self.plan_card = PlanCard(ctx)
        self.plan_card.start_block.connect(self.plan_block.emit)
        self.plan_card.set_date.connect(self.set_interview.emit)
        right.addWidget(self.plan_card)
        right.addSpacing(4)
        right.addWidget(label("Weakest topics", "h2"))
        self.weak_card = card()
        self.weak_layout = QVBoxLayout(self.weak_card)
        self.weak_layout.setContentsMargins(16, 12, 16, 12)
        self.weak_layout.setSpacing(8)
        right.addWidget(self.weak_card)
        right.addStretch(1)
        columns.addLayout(right, 1)
        outer.addLayout(columns, 1)
        self._build_topics()
        self.refresh()

    def _action_card(self, grid: QGridLayout, col: int, title: str, action: str,
                     slot: Any, primary: bool = False) -> tuple[QLabel, QPushButton]:
        c = card()
        c.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(c)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.setSpacing(6)
        lay.addWidget(label(title, "h2"))
        text = label("", "muted", wrap=True)
        text.setMinimumHeight(text.fontMetrics().lineSpacing() * 2)
        text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(text, 1)
        b = button(action, primary=primary)
        b.clicked.connect(slot)
        lay.addWidget(b)
        grid.addWidget(c, 0, col)
        grid.setColumnStretch(col, 1)
        return text, b

    def bank_changed(self) -> None:
        """The learner's own questions changed: their topics get rows too."""
        self.topics.clear()
        self._build_topics()
        self.refresh()

    def _build_topics(self) -> None:
        self.topic_items: dict[str, QTreeWidgetItem] = {}
        self.topic_bars: dict[str, QProgressBar] = {}
        for group, topics in self.ctx.bank.groups():
            g = QTreeWidgetItem(self.topics, [group, "", ""])
            font = g.font(0)
            font.setBold(True)
            g.setFont(0, font)
            g.setFlags(Qt.ItemFlag.ItemIsEnabled)
            g.setExpanded(True)
            for t in topics:
                item = QTreeWidgetItem(g, [t.title, "", ""])
                item.setData(0, Qt.ItemDataRole.UserRole, t.slug)
                item.setToolTip(0, f"{t.title}: {t.description}" if t.description else t.title)
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
                self.topic_items[t.slug] = item
                bar = QProgressBar()
                bar.setTextVisible(False)
                bar.setAccessibleName(f"{t.title}: share seen")
                holder = QWidget()
                hl = QHBoxLayout(holder)
                hl.setContentsMargins(6, 0, 6, 0)
                hl.setSpacing(6)
                seen_text = QLabel("")
                seen_text.setMinimumWidth(52)
                hl.addWidget(seen_text)
                hl.addWidget(bar, 1)
                holder.setProperty("seenLabel", seen_text)
                self.topics.setItemWidget(item, 2, holder)
                self.topic_bars[t.slug] = bar

    def refresh(self) -> None:
        bank, progress, settings = self.ctx.bank, self.ctx.progress, self.ctx.settings
        counts = bank.counts_by_topic()
        ids_by_topic: dict[str, set[str]] = {}
        for row in bank.summaries():
            ids_by_topic.setdefault(row["topic"], set()).add(row["id"])
        seen = progress.seen_counts(ids_by_topic)
        total = sum(counts.values())
        seen_total = sum(seen.values())
        answered = progress.answer_count()
        with_questions = sum(1 for n in counts.values() if n)
        self.subtitle.setText(
            f"{total} questions in {with_questions} topics · you have seen {seen_total} "
            f"and given {answered} answers so far.")
        due = len(progress.due_ids())
        self.due_label.setText(f"{due} question{'s' if due != 1 else ''} due for review."
                               if due else "Nothing is due. New reviews appear as you drill.")
        self.review_button.setEnabled(due > 0)
        self.review_button.setText(f"&Review due ({due})" if due else "&Review due")
        size = int(settings["drill_size"])
        self.quick_label.setText(f"{size} questions from every topic, due ones first.")
        self.mock_label.setText(f"{settings['mock_size']} recall questions, "
                                f"{fmt_clock(int(settings['mock_seconds']))} each, "
                                f"feedback at the end.")
        for slug, item in self.topic_items.items():
            n = counts.get(slug, 0)
            s = seen.get(slug, 0)
            item.setText(1, str(n))
            bar = self.topic_bars[slug]
            bar.setRange(0, max(1, n))
            bar.setValue(s)
            holder = self.topics.itemWidget(item, 2)
            seen_label = holder.property("seenLabel") if holder else None
            if isinstance(seen_label, QLabel):
                seen_label.setText(f"{s} / {n}" if n else "—")
            item.setDisabled(n == 0)
            item.setToolTip(1, "No questions yet" if n == 0 else f"{n} questions")
        self._refresh_weakest()  # pure Python (no numpy): part of the first paint
        self.plan_card.refresh()  # computed just after the paint

    def _refresh_weakest(self) -> None:
        clear_layout(self.weak_layout)
        weak = weakest_topics(self.ctx, WEAKEST_COUNT)
        if not weak:
            self.weak_layout.addWidget(label(
                "Answer a few drills and your weakest topics show up here, each one "
                "click away from a focused drill.", "muted", wrap=True))
            return
        for slug, detail in weak:
            topic = self.ctx.bank.topic(slug)
            row = QHBoxLayout()
            texts = QVBoxLayout()
            texts.setSpacing(1)
            texts.addWidget(label(topic.title if topic else slug, wrap=True))
            texts.addWidget(label(f"mastery {detail}", "muted"))
            row.addLayout(texts, 1)
            b = button("Drill", accessible=f"Drill {topic.title if topic else slug}")
            b.setToolTip("Start a drill on this topic, weakest questions first")
            b.clicked.connect(lambda _c=False, s=slug: self.topic_drill.emit(s))
            row.addWidget(b)
            holder = QFrame()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            self.weak_layout.addWidget(holder)
            holder.show()

    def _topic_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        slug = item.data(0, Qt.ItemDataRole.UserRole)
        if slug and not item.isDisabled():
            self.topic_setup.emit(str(slug))

    def focus_content(self) -> None:
        (self.review_button if self.review_button.isEnabled() else self.quick_button).setFocus()
