"""Browse: full-text search plus filters, a list, and an instant rendered preview."""

from __future__ import annotations

from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.model import DIFFICULTIES, KINDS
from desktop_quiz.gui import theme
from desktop_quiz.gui.compose import FLAG_MARK, KIND_LABELS, difficulty_name, question_html, snippet
from desktop_quiz.gui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QStandardItemModel,
    Qt,
    QTimer,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.richtext import RichEnv, RichView
from desktop_quiz.gui.widgets import MARGIN, SPACING, button, label, shortcut_text

SEARCH_DELAY_MS = 120
SHORT_KINDS = {"mcq": "MCQ", "recall": "Recall", "code": "Code"}


class BrowsePage(QWidget):
    drill_requested = Signal(list)  # question ids

    def __init__(self, ctx: AppContext, env: RichEnv, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.env = env
        self.setAccessibleName("Browse")
        self._dirty = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, MARGIN // 2 + 4, MARGIN, MARGIN)
        outer.setSpacing(SPACING)
        outer.addWidget(label("Browse questions", "h1"))

        self.search = QLineEdit()
        self.search.setPlaceholderText(
            f"Search questions and answers ({shortcut_text('Ctrl+F')}) — e.g. "
            "regularization, attention, p-value")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search")
        outer.addWidget(self.search)

        filters = QHBoxLayout()
        filters.setSpacing(8)
        self.topic = QComboBox()
        self.topic.setAccessibleName("Topic filter")
        self.topic.setMaxVisibleItems(24)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind filter")
        self.kind.addItem("Any kind", "")
        for k in KINDS:
            self.kind.addItem(KIND_LABELS[k], k)
        self.difficulty = QComboBox()
        self.difficulty.setAccessibleName("Difficulty filter")
        self.difficulty.addItem("Any difficulty", 0)
        for d in DIFFICULTIES:
            self.difficulty.addItem(difficulty_name(d), d)
        self.tag = QComboBox()
        self.tag.setAccessibleName("Tag filter")
        self._fill_menus()
        self.tag.setMaxVisibleItems(20)
        self.flagged = QCheckBox(f"{FLAG_MARK} &Flagged only")
        self.flagged.setAccessibleName("Flagged only")
        for w in (self.topic, self.kind, self.difficulty, self.tag):
            filters.addWidget(w, 1)
        filters.addWidget(self.flagged)
        self.mine = QCheckBox("&Mine only")  # the learner's own questions (issue 16)
        self.mine.setAccessibleName("Mine only")
        filters.addWidget(self.mine)
        outer.addLayout(filters)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.count_label = label("", "muted")
        self.count_label.setAccessibleName("Result count")
        ll.addWidget(self.count_label)
        self.results = QTreeWidget()
        self.results.setColumnCount(4)
        self.results.setHeaderLabels(["Question", "Topic", "Kind", "Level"])
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setAlternatingRowColors(True)
        self.results.setAccessibleName("Questions")
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.results.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 118)  # topic titles are cut here (full in the tooltip)
        for c in (2, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        ll.addWidget(self.results, 1)
        self.empty = label("", "muted", wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(12, 24, 12, 12)
        self.empty.hide()
        # Takes the list's place and its stretch: the count and buttons stay put.
        ll.addWidget(self.empty, 1)
        row = QHBoxLayout()
        self.drill_button = button("&Drill these", primary=True)
        self.flag_button = button(f"{FLAG_MARK} Flag", accessible="Flag selected question")
        self.flag_button.setCheckable(True)
        row.addWidget(self.drill_button)
        row.addWidget(self.flag_button)
        self.edit_button = button("&Edit…", accessible="Edit your question")
        self.edit_button.setVisible(False)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        ll.addLayout(row)
        split.addWidget(left)

        self.preview = RichView(env)
        self.preview.setAccessibleName("Preview")
        split.addWidget(self.preview)
        split.setStretchFactor(0, 6)
        split.setStretchFactor(1, 5)
        split.setSizes([640, 520])
        outer.addWidget(split, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._search_now)
        for combo in (self.topic, self.kind, self.difficulty, self.tag):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.flagged.toggled.connect(lambda _on: self.refresh())
        self.mine.toggled.connect(lambda _on: self.refresh())
        self.edit_button.clicked.connect(self.edit_selected)
        self.results.itemSelectionChanged.connect(self._selection_changed)
        self.results.itemActivated.connect(lambda *_: self.preview.setFocus())
        self.drill_button.clicked.connect(self._drill)
        self.flag_button.toggled.connect(self._flag_toggled)

    def _fill_menus(self) -> None:
        """Topic and tag menus from the bank (again after own questions changed)."""
        topic, tag = self.topic.currentData(), self.tag.currentData()
        for combo in (self.topic, self.tag):
            combo.blockSignals(True)
            combo.clear()
        self.topic.addItem("All topics", "")
        for group, topics in self.ctx.bank.groups():
            self.topic.addItem(group, None)
            model = self.topic.model()
            if isinstance(model, QStandardItemModel):  # group headings are not choices
                heading = model.item(self.topic.count() - 1)
                heading.setEnabled(False)
                font = heading.font()
                font.setBold(True)
                heading.setFont(font)
            for t in topics:
                self.topic.addItem(f"   {t.title}", t.slug)
        self.tag.addItem("Any tag", "")
        for name, n in self.ctx.bank.tags():
            self.tag.addItem(f"{name} ({n})", name)
        self.topic.setCurrentIndex(max(0, self.topic.findData(topic or "")))
        self.tag.setCurrentIndex(max(0, self.tag.findData(tag or "")))
        for combo in (self.topic, self.tag):
            combo.blockSignals(False)

    def bank_changed(self) -> None:
        self._fill_menus()
        self.refresh()

    # -- data -------------------------------------------------------------------------
    def current_filter(self) -> Filter:
        topic = self.topic.currentData()
        kind = self.kind.currentData()
        diff = int(self.difficulty.currentData() or 0)
        tag = self.tag.currentData()
        ids = tuple(sorted(self.ctx.progress.flagged_ids())) if self.flagged.isChecked() else None
        if self.mine.isChecked():
            from desktop_quiz.core.bank.userbank import is_own

            own = [i for i in self.ctx.bank.all_ids() if is_own(i)]
            ids = tuple(i for i in own if ids is None or i in ids)
        return Filter(topics=(topic,) if topic else (), kinds=(kind,) if kind else (),
                      difficulties=(diff,) if diff else (), tags=(tag,) if tag else (),
                      text=self.search.text(), ids=ids)

    def _search_now(self) -> None:
        self._timer.stop()
        self.refresh()
        if self.results.topLevelItemCount():
            self.results.setFocus()

    def refresh(self) -> None:
        self._timer.stop()
        self._dirty = False
        selected = set(self.selected_ids())
        ids = self.ctx.bank.query(self.current_filter())
        flagged = self.ctx.progress.flagged_ids()
        self.results.setUpdatesEnabled(False)
        self.results.clear()
        titles = {t.slug: t.title for t in self.ctx.bank.topics()}
        items = []
        for row in self.ctx.bank.summaries(ids):
            mark = f"{FLAG_MARK} " if row["id"] in flagged else ""
            item = QTreeWidgetItem([mark + snippet(row["prompt"], 140),
                                    titles.get(row["topic"], row["topic"]),
                                    SHORT_KINDS.get(row["kind"], row["kind"]),
                                    difficulty_name(row["difficulty"])])
            item.setToolTip(1, titles.get(row["topic"], row["topic"]))
            item.setData(0, Qt.ItemDataRole.UserRole, row["id"])
            item.setToolTip(0, snippet(row["prompt"], 400))
            items.append(item)
        self.results.addTopLevelItems(items)
        self.results.setUpdatesEnabled(True)
        n = len(items)
        self.count_label.setText(f"{n} question{'s' if n != 1 else ''}")
        self.empty.setVisible(n == 0)
        self.results.setVisible(n > 0)
        if n == 0:
            self.empty.setText("No questions match. Try fewer words or clear a filter."
                               if self.search.text().strip() or self._any_filter()
                               else "The bank is empty.")
        keep = [it for it in items if it.data(0, Qt.ItemDataRole.UserRole) in selected]
        if keep:
            for it in keep:
                it.setSelected(True)
            self.results.setCurrentItem(keep[0])
        elif items:
            self.results.setCurrentItem(items[0])
        self._selection_changed()

    def edit_selected(self) -> None:
        """Open the editor on the selected question when it is one of the learner's."""
        from desktop_quiz.core.bank.userbank import is_own
        from desktop_quiz.gui.own_questions import open_editor

        ids = [i for i in self.selected_ids() if is_own(i)]
        if ids and open_editor(self.ctx, self.env, ids[0], self):
            self.refresh()

    def _any_filter(self) -> bool:
        f = self.current_filter()
        return bool(f.topics or f.kinds or f.difficulties or f.tags or f.ids is not None)

    def selected_ids(self) -> list[str]:
        return [str(i.data(0, Qt.ItemDataRole.UserRole)) for i in self.results.selectedItems()]

    def listed_ids(self) -> list[str]:
        items = (self.results.topLevelItem(i) for i in range(self.results.topLevelItemCount()))
        return [str(it.data(0, Qt.ItemDataRole.UserRole)) for it in items if it is not None]

    def _selection_changed(self) -> None:
        sel = self.selected_ids()
        listed = self.listed_ids()
        if len(sel) > 1:
            self.drill_button.setText(f"&Drill the {len(sel)} selected")
        else:
            self.drill_button.setText(f"&Drill all {len(listed)} listed" if listed
                                      else "&Drill these")
        self.drill_button.setEnabled(bool(listed))
        current = self.results.currentItem()
        qid = str(current.data(0, Qt.ItemDataRole.UserRole)) if current and (
            current.isSelected() or not sel) else (sel[0] if sel else "")
        self.flag_button.setEnabled(bool(qid))
        self.edit_button.setVisible(qid.startswith("my-"))  # userbank.PREFIX
        if not qid:
            self.preview.set_bank_html(
                "<p>Select a question to preview it with its answer.</p>" if listed else "")
            return
        self._show(qid)

    def _show(self, qid: str) -> None:
        q = self.ctx.bank.question(qid)
        topic = self.ctx.bank.topic(q.topic)
        flagged = qid in self.ctx.progress.flagged_ids()
        self.flag_button.blockSignals(True)
        self.flag_button.setChecked(flagged)
        self.flag_button.setText(f"{FLAG_MARK} Flagged" if flagged else f"{FLAG_MARK} Flag")
        self.flag_button.blockSignals(False)
        self.preview.set_bank_html(question_html(q, topic.title if topic else q.topic,
                                                 theme.current(), flagged=flagged))
        self.preview.verticalScrollBar().setValue(0)

    def shown_id(self) -> str:
        current = self.results.currentItem()
        return str(current.data(0, Qt.ItemDataRole.UserRole)) if current else ""

    def _flag_toggled(self, on: bool) -> None:
        qid = self.shown_id()
        if not qid:
            return
        self.ctx.progress.set_flag(qid, on)
        self.ctx.hooks.progress_changed.fire()
        current = self.results.currentItem()
        if current is not None:
            text = current.text(0).removeprefix(f"{FLAG_MARK} ")
            current.setText(0, f"{FLAG_MARK} {text}" if on else text)
        self._show(qid)

    def _drill(self) -> None:
        sel = self.selected_ids()
        ids = sel if len(sel) > 1 else self.listed_ids()
        if ids:
            self.drill_requested.emit(ids)

    # -- page protocol ---------------------------------------------------------------
    def mark_dirty(self) -> None:
        self._dirty = True

    def showEvent(self, event: object) -> None:
        if self._dirty:
            self.refresh()
        super().showEvent(event)  # type: ignore[arg-type]

    def focus_content(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
