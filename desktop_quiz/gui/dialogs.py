"""Message boxes and the question reader dialog.

Confirmations are window-modal and non-blocking (``open()``, not ``exec()``):
the event loop keeps running, and tests drive them like a user would.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop_quiz.gui.qt import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    Qt,
    QVBoxLayout,
    QWidget,
)
from desktop_quiz.gui.richtext import RichEnv, RichView


def ask(parent: QWidget, title: str, text: str, yes: str, on_yes: Callable[[], None], *,
        no: str = "Cancel", informative: str = "", destructive: bool = False) -> QMessageBox:
    """Ask a yes/no question; ``on_yes`` runs only when the learner confirms."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    box.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_button if destructive else yes_button)
    box.setEscapeButton(no_button)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def done() -> None:
        if box.clickedButton() is yes_button:
            on_yes()

    box.finished.connect(done)
    box.open()
    return box


def notify(parent: QWidget | None, title: str, text: str, *, informative: str = "",
           error: bool = False) -> QMessageBox:
    """Show a message without blocking."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    box.setIcon(QMessageBox.Icon.Critical if error else QMessageBox.Icon.Information)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setWindowModality(Qt.WindowModality.WindowModal if parent else
                          Qt.WindowModality.ApplicationModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def blocking_message(title: str, text: str, informative: str = "", *,
                     error: bool = True) -> None:
    """A message shown before or after the main window exists (start-up errors)."""
    box = QMessageBox()
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    box.setIcon(QMessageBox.Icon.Critical if error else QMessageBox.Icon.Information)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


class ReaderDialog(QDialog):
    """Read one question with its answer (from the summary or a report)."""

    def __init__(self, parent: QWidget, env: RichEnv, title: str, html: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        self.view = RichView(env, self)
        self.view.setAccessibleName("Question and answer")
        self.view.set_bank_html(html)
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 640)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view.setFocus()  # Esc closes it (QDialog's default)
