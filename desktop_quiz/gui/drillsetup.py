"""Drill setup: topics, kind, difficulty, count, order, tag; live match count.

The last setup is stored in the ``last_drill`` setting when a drill starts.
"""

from __future__ import annotations

from typing import Any

from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.model import DIFFICULTIES, KINDS
from desktop_quiz.core.study.session import ORDER_LABELS, ORDERS, DrillSpec
from desktop_quiz.gui.compose import difficulty_name
from desktop_quiz.gui.qt import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QRadioButton,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.widgets import MARGIN, SPACING, TopicPicker, button, card, hbox, label

ANY_TAG = ""


class DrillSetupPage(QWidget):
    start_requested = Signal(object)  # DrillSpec

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Drill setup")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, MARGIN // 2 + 4, MARGIN, MARGIN)
        outer.setSpacing(SPACING)
        outer.addWidget(label("Custom drill", "h1"))
        outer.addWidget(label("Pick topics and the kind of practice you want. The number of "
                              "matching questions updates as you go.", "muted", wrap=True))

        body = QHBoxLayout()
        body.setSpacing(MARGIN)
        outer.addLayout(body, 1)

        # Left: topics.
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(label("Topics", "h2"))
        self.topics = TopicPicker(ctx.bank)
        self.topics.setMinimumWidth(280)  # the options beside it keep their full width
        left.addWidget(self.topics, 1)
        self.all_button = button("Select &all", accessible="Select all topics")
        self.none_button = button("Clea&r", accessible="Clear topic selection")
        left.addLayout(hbox(self.all_button, self.none_button, None))
        body.addLayout(left, 3)

        # Right: options.
        options = card()
        form = QFormLayout(options)
        form.setContentsMargins(20, 18, 20, 18)
        form.setVerticalSpacing(14)
        form.setHorizontalSpacing(16)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        # Two rows of two: four kinds in one row are cut at the minimum window size.
        kind_row = QGridLayout()
        kind_row.setHorizontalSpacing(16)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for i, (key, text) in enumerate((("both", "&All"), ("mcq", "Multiple &choice"),
                                         ("recall", "Free reca&ll"), ("code", "C&oding"))):
            rb = QRadioButton(text)
            rb.setAccessibleName(f"Kind: {text.replace('&', '')}")
            self.kind_group.addButton(rb)
            self.kind_buttons[key] = rb
            kind_row.addWidget(rb, i // 2, i % 2)
        kind_row.setColumnStretch(2, 1)
        self.kind_buttons["both"].setChecked(True)
        form.addRow(label("Kind"), kind_row)

        diff_row = QHBoxLayout()
        self.difficulty_boxes: dict[int, QCheckBox] = {}
        for level in DIFFICULTIES:
            cb = QCheckBox(difficulty_name(level))
            cb.setChecked(True)
            cb.setAccessibleName(f"Difficulty {difficulty_name(level)}")
            self.difficulty_boxes[level] = cb
            diff_row.addWidget(cb)
        diff_row.addStretch(1)
        form.addRow(label("Difficulty"), diff_row)

        self.count = QSpinBox()
        self.count.setRange(1, 200)
        self.count.setValue(int(ctx.settings["drill_size"]))
        self.count.setAccessibleName("Number of questions")
        self.count.setSuffix(" questions")
        form.addRow(label("Count"), self.count)

        self.order = QComboBox()
        self.order.setAccessibleName("Order")
        for key in ORDERS:
            self.order.addItem(ORDER_LABELS[key], key)
        form.addRow(label("Order"), self.order)

        self.tag = QComboBox()
        self.tag.setAccessibleName("Tag filter")
        self._fill_tags()
        self.tag.setMaxVisibleItems(20)
        form.addRow(label("Tag"), self.tag)

        right = QVBoxLayout()
        right.setSpacing(SPACING)
        right.addWidget(options)
        self.match = label("", "h2", wrap=True)
        self.match.setAccessibleName("Matching questions")
        right.addWidget(self.match)
        self.match_detail = label("", "muted", wrap=True)
        right.addWidget(self.match_detail)
        right.addStretch(1)
        self.start_button = button("&Start drill", primary=True)
        self.start_button.setMinimumHeight(38)
        right.addWidget(self.start_button)
        body.addLayout(right, 2)

        self.topics.selection_changed.connect(self.refresh_count)
        self.kind_group.buttonToggled.connect(lambda *_: self.refresh_count())
        for cb in self.difficulty_boxes.values():
            cb.toggled.connect(lambda _on: self.refresh_count())
        self.count.valueChanged.connect(lambda _v: self.refresh_count())
        self.tag.currentIndexChanged.connect(lambda _i: self.refresh_count())
        self.all_button.clicked.connect(lambda: self.topics.select_all(True))
        self.none_button.clicked.connect(lambda: self.topics.select_all(False))
        self.start_button.clicked.connect(self.start)
        self.restore(ctx.settings["last_drill"])

    # -- state -------------------------------------------------------------------------
    def kinds(self) -> tuple[str, ...]:
        for key, rb in self.kind_buttons.items():
            if rb.isChecked():
                return () if key == "both" else (key,)
        return ()

    def difficulties(self) -> tuple[int, ...]:
        picked = tuple(d for d, cb in self.difficulty_boxes.items() if cb.isChecked())
        return () if len(picked) == len(DIFFICULTIES) else picked

    def current_filter(self, with_topics: bool = True) -> Filter:
        tag = str(self.tag.currentData() or "")
        return Filter(
            topics=tuple(self.topics.selected()) if with_topics else (),
            kinds=self.kinds(),
            difficulties=self.difficulties(),
            tags=(tag,) if tag else (),
        )

    def spec(self) -> DrillSpec:
        return DrillSpec(filter=self.current_filter(), count=self.count.value(),
                         order=str(self.order.currentData()), mode="drill")

    def _fill_tags(self) -> None:
        chosen = self.tag.currentData()
        self.tag.blockSignals(True)
        self.tag.clear()
        self.tag.addItem("Any tag", ANY_TAG)
        for tag, n in self.ctx.bank.tags():
            self.tag.addItem(f"{tag}  ({n})", tag)
        self.tag.setCurrentIndex(max(0, self.tag.findData(chosen)))
        self.tag.blockSignals(False)

    def bank_changed(self) -> None:
        """The learner's own questions changed: new topics, tags and counts."""
        self.topics.set_bank(self.ctx.bank)
        self._fill_tags()
        self.refresh_count()

    def refresh_count(self) -> None:
        no_difficulty = not any(cb.isChecked() for cb in self.difficulty_boxes.values())
        base = self.current_filter(with_topics=False)
        if no_difficulty:
            counts: dict[str, int] = {}
        else:
            counts = {slug: self.ctx.bank.count(Filter(topics=(slug,), kinds=base.kinds,
                                                        difficulties=base.difficulties,
                                                        tags=base.tags))
                      for slug in self.ctx.bank.counts_by_topic()}
        self.topics.set_counts(counts)
        selected = self.topics.selected()
        n = 0 if no_difficulty or not selected else self.ctx.bank.count(self.current_filter())
        if no_difficulty:
            self.match.setText("Pick at least one difficulty")
            self.match_detail.setText("")
        elif not selected:
            self.match.setText("Pick at least one topic")
            self.match_detail.setText("Check a group to take all its topics.")
        else:
            use = min(n, self.count.value())
            noun = "question matches" if n == 1 else "questions match"
            self.match.setText(f"{n} {noun}")
            order = ORDER_LABELS[str(self.order.currentData())].lower()
            self.match_detail.setText(f"The drill will use {use} of them, {order}." if n
                                      else "Widen the filters to include some questions.")
        self.start_button.setEnabled(n > 0)
        self.start_button.setText(f"&Start drill ({min(n, self.count.value())})" if n
                                  else "&Start drill")

    def state(self) -> dict[str, Any]:
        kind = next(k for k, rb in self.kind_buttons.items() if rb.isChecked())
        return {
            "topics": self.topics.selected(),
            "kind": kind,
            "difficulties": [d for d, cb in self.difficulty_boxes.items() if cb.isChecked()],
            "count": self.count.value(),
            "order": str(self.order.currentData()),
            "tag": str(self.tag.currentData() or ""),
        }

    def restore(self, saved: dict[str, Any]) -> None:
        """Apply a remembered setup; unknown or stale values fall back quietly."""
        kind = saved.get("kind", "both")
        self.kind_buttons.get(kind if kind in ("both", *KINDS) else "both",
                              self.kind_buttons["both"]).setChecked(True)
        diffs = saved.get("difficulties")
        if isinstance(diffs, list) and diffs:
            for d, cb in self.difficulty_boxes.items():
                cb.setChecked(d in diffs)
        count = saved.get("count")
        if isinstance(count, int):
            self.count.setValue(count)
        order = saved.get("order")
        if order in ORDERS:
            self.order.setCurrentIndex(ORDERS.index(order))
        tag_index = self.tag.findData(saved.get("tag", ANY_TAG))
        self.tag.setCurrentIndex(max(0, tag_index))
        topics = saved.get("topics")
        if isinstance(topics, list):
            self.topics.set_selected(t for t in topics if isinstance(t, str))
        else:
            self.topics.select_all(True)
        self.refresh_count()

    def preset(self, topics: list[str] | None = None, kind: str | None = None) -> None:
        """Prepare the page for a topic the learner picked elsewhere (Home, Progress)."""
        if kind in self.kind_buttons:
            self.kind_buttons[kind].setChecked(True)
        if topics is not None:
            self.topics.set_selected(topics)
        self.refresh_count()

    def start(self) -> None:
        spec = self.spec()
        if not self.start_button.isEnabled():
            return
        self.ctx.set_setting("last_drill", self.state())
        self.start_requested.emit(spec)

    def focus_content(self) -> None:
        self.topics.setFocus()
