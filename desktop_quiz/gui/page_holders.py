"""Page containers of the main window: the drill area (setup → questions → summary) and the
Progress holder that builds the chart view (matplotlib) only when first shown.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.study.session import DrillSpec, Session, assemble
from desktop_quiz.gui.dialogs import notify
from desktop_quiz.gui.drillsetup import DrillSetupPage
from desktop_quiz.gui.qt import (
    QProgressBar,
    QStackedWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.richtext import RichEnv
from desktop_quiz.gui.session import SessionPage
from desktop_quiz.gui.summary import SummaryPage
from desktop_quiz.gui.widgets import MARGIN, label


class DrillArea(QStackedWidget):
    """Drill setup → question view → summary.

    The question view is built at once (the Question menu lists its actions); the
    setup and summary pages on first use, like the main window's other pages.
    """

    go_home = Signal()  # the summary's "Home" button

    def __init__(self, ctx: AppContext, env: RichEnv, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.env = env
        self._setup: DrillSetupPage | None = None
        self._summary: SummaryPage | None = None
        self.session_page = SessionPage(ctx, env)
        for w in (QWidget(), self.session_page, QWidget()):  # placeholders until built
            self.addWidget(w)
        self.session_page.finished.connect(lambda s: self._show_summary(s, abandoned=False))
        self.session_page.abandoned.connect(self._abandoned)

    @property
    def setup(self) -> DrillSetupPage:
        if self._setup is None:
            self._setup = DrillSetupPage(self.ctx)
            self._setup.start_requested.connect(self.start)
            self._replace(0, self._setup)
        return self._setup

    @property
    def summary(self) -> SummaryPage:
        if self._summary is None:
            self._summary = SummaryPage(self.ctx, self.env)
            self._summary.retry_missed.connect(lambda ids: self.start_ids(ids))
            self._summary.new_drill.connect(self.show_setup)
            self._summary.go_home.connect(self.go_home.emit)
            self._replace(2, self._summary)
        return self._summary

    def built_setup(self) -> DrillSetupPage | None:
        return self._setup

    def _replace(self, index: int, page: QWidget) -> None:
        placeholder = self.widget(index)
        current = self.currentWidget() is placeholder
        self.insertWidget(index, page)
        if placeholder is not None:
            self.removeWidget(placeholder)
            placeholder.deleteLater()
        if current:
            self.setCurrentWidget(page)

    @property
    def active(self) -> bool:
        return self.session_page.active and self.session_page.state != "idle"

    def show_setup(self) -> None:
        self.setup.refresh_count()
        self.setCurrentWidget(self.setup)
        self.setup.focus_content()

    def start(self, spec: DrillSpec) -> bool:
        ids = assemble(self.ctx.bank, spec, self.ctx.progress)
        if not ids:
            notify(self, "No questions", "No questions match this drill. Widen the filters.")
            return False
        session = Session(self.ctx.bank, self.ctx.progress, ids, mode=spec.mode, spec=spec)
        self.setCurrentWidget(self.session_page)
        self.session_page.start(session)
        return True

    def start_ids(self, ids: list[str], order: str = "random", mode: str = "drill") -> bool:
        spec = DrillSpec(filter=Filter(ids=tuple(ids)), count=len(ids), order=order, mode=mode)
        return self.start(spec)

    def start_ordered(self, ids: list[str], mode: str = "drill") -> None:
        """A drill over exactly these questions, in this order."""
        spec = DrillSpec(filter=Filter(ids=tuple(ids)), count=len(ids), mode=mode)
        session = Session(self.ctx.bank, self.ctx.progress, list(ids), mode=mode, spec=spec)
        self.setCurrentWidget(self.session_page)
        self.session_page.start(session)

    def _show_summary(self, session: Session, abandoned: bool) -> None:
        self.summary.show_session(session, abandoned=abandoned)
        self.setCurrentWidget(self.summary)

    def _abandoned(self, session: Session) -> None:
        if any(o.status == "answered" for o in session.outcomes):
            self._show_summary(session, abandoned=True)
        else:
            self.show_setup()

    def focus_content(self) -> None:
        page = self.currentWidget()
        if page is self.session_page:
            self.session_page.focus_content()
        elif page is self._summary and self._summary is not None:
            self._summary.retry_button.setFocus()
        else:
            self.setup.focus_content()


class ProgressHolder(QWidget):
    """Slot for the progress view, imported on first show (it loads matplotlib).

    The first show paints a placeholder at once and builds the view right after,
    so the page answers the click even on a busy machine (~1.6 s to build there).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._view: QWidget | None = None
        self._dirty = False
        self.setAccessibleName("Progress")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.on_drill_topics: Callable[[list[str]], None] | None = None
        self.placeholder: QWidget | None = None

    @property
    def view(self) -> QWidget | None:
        """The progress view; asked for while its placeholder shows, it is built now."""
        if self._view is None and self.placeholder is not None:
            self.ensure_view()
        return self._view

    def _show_placeholder(self) -> None:
        box = QWidget(self)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(MARGIN, MARGIN // 2 + 4, MARGIN, MARGIN)
        lay.addWidget(label("Progress", "h1"))
        lay.addWidget(label("Loading your charts…", "muted"))
        bar = QProgressBar()
        bar.setRange(0, 0)  # busy
        bar.setProperty("role", "busy")
        bar.setTextVisible(False)
        bar.setAccessibleName("Loading charts")
        lay.addWidget(bar)
        lay.addStretch(1)
        self.layout_.addWidget(box)
        box.show()
        self.placeholder = box
        QTimer.singleShot(0, self._build_later)

    def _build_later(self) -> None:
        if self._view is None and self.isVisible():
            self.ensure_view()

    def ensure_view(self) -> QWidget:
        if self._view is None:
            from desktop_quiz.gui.progress_view import ProgressView

            view = ProgressView(self.ctx, self)
            # "Drill weakest topics": a list of slugs to drill, weakest questions first.
            signal = getattr(view, "drillRequested", None)
            if signal is not None and self.on_drill_topics is not None:
                signal.connect(self.on_drill_topics)
            if self.placeholder is not None:
                self.placeholder.hide()
                self.placeholder.deleteLater()
                self.placeholder = None
            self.layout_.addWidget(view)
            view.show()
            self._view = view
            self._dirty = False
        return self._view

    def progress_changed(self) -> None:
        if self._view is None:
            return
        if self.isVisible():
            self._view.refresh()  # type: ignore[attr-defined]
        else:
            self._dirty = True

    def showEvent(self, event: object) -> None:
        first = self._view is None
        if first:
            if self.placeholder is None:
                self._show_placeholder()
            else:
                QTimer.singleShot(0, self._build_later)
        elif self._dirty and self.view is not None:
            self.view.refresh()  # type: ignore[attr-defined]
            self._dirty = False
        super().showEvent(event)  # type: ignore[arg-type]
