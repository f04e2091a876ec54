"""Placeholder for the Progress screen; replaced by the charts view."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_quiz.core.context import AppContext


class ProgressView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Progress charts are coming."))

    def refresh(self) -> None:
        pass
