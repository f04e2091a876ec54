"""File ▸ Export to Anki…: the filters of ``desktop-quiz export anki``, then a file."""

from __future__ import annotations

from pathlib import Path

from desktop_quiz.core.bank.anki import AnkiExportError, ExportReport, export_apkg
from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.core.bank.userbank import is_own
from desktop_quiz.core.context import AppContext
from desktop_quiz.gui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from desktop_quiz.gui.widgets import button, label


class AnkiExportDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Export to Anki")
        self.setAccessibleName("Export to Anki")
        outer = QVBoxLayout(self)
        outer.addWidget(label("One deck per topic under “desktop-quiz”. Exporting again "
                              "updates the notes Anki already has.", "muted", wrap=True))
        form = QFormLayout()
        self.topic = QComboBox()
        self.topic.setAccessibleName("Topic")
        self.topic.addItem("All topics", "")
        for t in ctx.bank.topics():
            self.topic.addItem(t.title, t.slug)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        for text, data in (("Any kind", ""), ("Multiple choice", "mcq"), ("Free recall", "recall")):
            self.kind.addItem(text, data)
        self.mine = QCheckBox("Only my own questions")
        form.addRow("Topic", self.topic)
        form.addRow("Kind", self.kind)
        form.addRow("", self.mine)
        outer.addLayout(form)
        self.count = label("", "muted")
        outer.addWidget(self.count)
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = button("Cancel")
        self.export_button = button("&Export…", primary=True)
        row.addWidget(cancel)
        row.addWidget(self.export_button)
        outer.addLayout(row)
        cancel.clicked.connect(self.reject)
        self.export_button.clicked.connect(self._choose_file)
        for combo in (self.topic, self.kind):
            combo.currentIndexChanged.connect(lambda *_: self._update())
        self.mine.toggled.connect(lambda *_: self._update())
        self._update()

    def ids(self) -> list[str]:
        topic, kind = self.topic.currentData(), self.kind.currentData()
        f = Filter(topics=(topic,) if topic else (), kinds=(kind,) if kind else ())
        return [i for i in self.ctx.bank.query(f) if is_own(i) or not self.mine.isChecked()]

    def _update(self) -> None:
        n = len(self.ids())
        self.count.setText(f"{n} question{'s' if n != 1 else ''} will be exported")
        self.export_button.setEnabled(n > 0)

    def export_to(self, path: Path) -> ExportReport:
        bank = self.ctx.bank
        return export_apkg([bank.question(i) for i in self.ids()], bank.topics(), path)

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export to Anki", "desktop-quiz.apkg",
                                              "Anki package (*.apkg)")
        if not name:
            return
        try:
            report = self.export_to(Path(name))
        except AnkiExportError as exc:
            QMessageBox.warning(self, "Export to Anki", str(exc))
            return
        QMessageBox.information(self, "Export to Anki",
                                f"Exported {report.notes} notes in {report.decks} decks to "
                                f"{report.path}.")
        self.accept()
