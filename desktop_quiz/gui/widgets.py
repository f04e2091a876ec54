"""Small building blocks shared by the screens."""

from __future__ import annotations

from collections.abc import Iterable

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.gui.qt import (
    QAction,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

SPACING = 12
MARGIN = 24
READING_WIDTH = 940  # keeps lines readable on wide and 4K screens


def label(text: str = "", role: str = "", *, wrap: bool = False,
          parent: QWidget | None = None) -> QLabel:
    w = QLabel(text, parent)
    if role:
        w.setProperty("role", role)
    w.setWordWrap(wrap)
    w.setTextFormat(Qt.TextFormat.PlainText)
    return w


def button(text: str, *, primary: bool = False, tip: str = "",
           accessible: str = "") -> QPushButton:
    b = QPushButton(text)
    if primary:
        b.setProperty("primary", True)
    if tip:
        b.setToolTip(tip)
    b.setAccessibleName(accessible or text.replace("&", "").split("\t")[0])
    return b


def card(parent: QWidget | None = None) -> QFrame:
    f = QFrame(parent)
    f.setProperty("role", "card")
    f.setFrameShape(QFrame.Shape.StyledPanel)
    return f


def shortcut_text(seq: str | QKeySequence.StandardKey) -> str:
    return QKeySequence(seq).toString(QKeySequence.SequenceFormat.NativeText)


def make_action(parent: QWidget, text: str, shortcuts: Iterable[str] = (), *,
                local: bool = True, tip: str = "") -> QAction:
    """An action whose shortcut works while focus is inside ``parent`` (or the window)."""
    a = QAction(text, parent)
    keys = [QKeySequence(s) for s in shortcuts]
    if keys:
        a.setShortcuts(keys)
    a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut if local
                         else Qt.ShortcutContext.WindowShortcut)
    if tip:
        a.setToolTip(tip)
    parent.addAction(a)
    return a


def clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        w = item.widget()
        if w is not None:
            w.hide()
            w.setParent(None)
            w.deleteLater()
        else:
            sub = item.layout()
            if sub is not None:
                clear_layout(sub)


def scroll_column(max_width: int = READING_WIDTH) -> tuple[QScrollArea, QVBoxLayout]:
    """A vertical scroll area whose content is a centred column of readable width."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    body = QWidget()
    body.setObjectName("scrollBody")
    outer = QHBoxLayout(body)
    outer.setContentsMargins(MARGIN, MARGIN // 2, MARGIN, MARGIN)
    column = QWidget()
    column.setMaximumWidth(max_width)
    column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    outer.addStretch(0)
    outer.addWidget(column, 1)
    outer.addStretch(0)
    inner = QVBoxLayout(column)
    inner.setContentsMargins(0, 0, 0, 0)
    inner.setSpacing(SPACING)
    area.setWidget(body)
    return area, inner


class TopicPicker(QTreeWidget):
    """Topics grouped as in the taxonomy; check a group or single topics.

    Each topic shows how many questions match the rest of the setup, and topics
    without any are disabled so a learner cannot pick an empty drill.
    """

    selection_changed = Signal()

    def __init__(self, bank: Bank, parent: QWidget | None = None):
        super().__init__(parent)
        self.bank = bank
        self.setHeaderHidden(True)
        self.setColumnCount(2)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setAccessibleName("Topics")
        self.setAccessibleDescription("Check topic groups or single topics to include")
        self._topic_items: dict[str, QTreeWidgetItem] = {}
        self._fill(bank)
        header = self.header()
        header.setStretchLastSection(False)
        from desktop_quiz.gui.qt import QHeaderView

        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.itemChanged.connect(self._changed)

    def _fill(self, bank: Bank) -> None:
        self.bank = bank
        self._topic_items = {}
        for group, topics in bank.groups():
            g = QTreeWidgetItem(self, [group, ""])
            g.setFlags(g.flags() | Qt.ItemFlag.ItemIsUserCheckable
                       | Qt.ItemFlag.ItemIsAutoTristate)
            g.setCheckState(0, Qt.CheckState.Unchecked)
            g.setExpanded(True)
            font = g.font(0)
            font.setBold(True)
            g.setFont(0, font)
            for t in topics:
                item = QTreeWidgetItem(g, [t.title, ""])
                item.setData(0, Qt.ItemDataRole.UserRole, t.slug)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Unchecked)
                item.setToolTip(0, t.description)
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
                self._topic_items[t.slug] = item

    def set_bank(self, bank: Bank) -> None:
        """Show ``bank``'s topics (after own questions changed), keeping the ticks."""
        ticked = set(self.selected())
        self.blockSignals(True)
        try:
            self.clear()
            self._fill(bank)
            for slug, item in self._topic_items.items():
                if slug in ticked:
                    item.setCheckState(0, Qt.CheckState.Checked)
        finally:
            self.blockSignals(False)

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 0:
            self.selection_changed.emit()

    def selected(self) -> list[str]:
        return [slug for slug, item in self._topic_items.items()
                if item.checkState(0) == Qt.CheckState.Checked and not item.isDisabled()]

    def set_selected(self, slugs: Iterable[str]) -> None:
        wanted = set(slugs)
        self.blockSignals(True)
        try:
            for slug, item in self._topic_items.items():
                on = slug in wanted and not item.isDisabled()
                item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        finally:
            self.blockSignals(False)
        self.selection_changed.emit()

    def select_all(self, on: bool = True) -> None:
        self.set_selected(self._topic_items if on else ())

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show per-topic counts; topics with none are disabled (and unchecked)."""
        self.blockSignals(True)
        try:
            for slug, item in self._topic_items.items():
                n = counts.get(slug, 0)
                item.setText(1, str(n))
                item.setDisabled(n == 0)
                tip = "no matching questions" if n == 0 else f"{n} matching questions"
                item.setToolTip(1, tip)
            for g in range(self.topLevelItemCount()):
                group = self.topLevelItem(g)
                if group is None:
                    continue
                kids = [k for i in range(group.childCount()) if (k := group.child(i))]
                group.setDisabled(all(k.isDisabled() for k in kids))
                group.setText(1, str(sum(counts.get(
                    str(k.data(0, Qt.ItemDataRole.UserRole)), 0) for k in kids)))
        finally:
            self.blockSignals(False)

    def topic_item(self, slug: str) -> QTreeWidgetItem:
        return self._topic_items[slug]


class Separator(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.HLine)
        self.setFrameShadow(QFrame.Shadow.Plain)
        self.setStyleSheet("color: palette(mid);")


def hbox(*widgets: QWidget | int | None, spacing: int = SPACING) -> QHBoxLayout:
    """A row; ``None`` adds a stretch, an int adds spacing."""
    row = QHBoxLayout()
    row.setSpacing(spacing)
    for w in widgets:
        if w is None:
            row.addStretch(1)
        elif isinstance(w, int):
            row.addSpacing(w)
        else:
            row.addWidget(w)
    return row
