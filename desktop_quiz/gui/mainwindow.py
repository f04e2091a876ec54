# long: the window wires every page, menu and shortcut, and restores its geometry.
"""The main window: sidebar navigation, pages, menus, remembered geometry."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from desktop_quiz import APP_DISPLAY_NAME, ORG_NAME, __version__
from desktop_quiz.core.bank.reader import Filter
from desktop_quiz.core.config import PLAN_OPTIONS
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.study.session import DrillSpec
from desktop_quiz.gui import own_questions, theme
from desktop_quiz.gui.dialogs import notify
from desktop_quiz.gui.home import HomePage
from desktop_quiz.gui.page_holders import DrillArea, ProgressHolder
from desktop_quiz.gui.qt import (
    QAction,
    QApplication,
    QFrame,
    QGuiApplication,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSettings,
    QSize,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
)
from desktop_quiz.gui.richtext import RichEnv
from desktop_quiz.gui.widgets import label, shortcut_text

if TYPE_CHECKING:
    from desktop_quiz.core.study.planner import Block
    from desktop_quiz.gui.browse import BrowsePage
    from desktop_quiz.gui.mock import MockArea
    from desktop_quiz.gui.settings import SettingsPage

PAGES = ("home", "drill", "mock", "browse", "progress", "settings")
# Built on first use (first navigation, or a menu that needs them): start-up
# builds only Home, the drill area (its Question menu) and the progress slot.
LAZY_PAGES = ("mock", "browse", "settings")
PAGE_TITLES = {"home": "Home", "drill": "Drill", "mock": "Mock interview", "browse": "Browse",
               "progress": "Progress", "settings": "Settings"}
MIN_SIZE = QSize(960, 600)
DEFAULT_SIZE = QSize(1240, 800)


def window_settings() -> QSettings:
    """Where window geometry lives (QSettings, not the data folder)."""
    return QSettings(ORG_NAME, "desktop-quiz")


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, *, remember_geometry: bool = True):
        super().__init__()
        self.ctx = ctx
        self.remember_geometry = remember_geometry
        self.setWindowTitle(APP_DISPLAY_NAME)
        self.setMinimumSize(MIN_SIZE)
        self.rich_env = RichEnv(ctx.bank, int(ctx.settings["font_size"]), self)
        self.rich_env.theme = theme.current()
        self._home_dirty = False

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        sidebar = QWidget()
        sidebar.setObjectName("sidebar")
        sidebar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        sidebar.setFixedWidth(208)
        sl = QVBoxLayout(sidebar)
        sl.setContentsMargins(0, 18, 0, 14)
        sl.setSpacing(10)
        title_row = QHBoxLayout()
        title_row.setContentsMargins(18, 0, 12, 6)
        icon_label = QLabel()
        icon = QApplication.windowIcon()
        if not icon.isNull():
            icon_label.setPixmap(icon.pixmap(QSize(28, 28), self.devicePixelRatioF()))
        title_row.addWidget(icon_label)
        app_title = QLabel(APP_DISPLAY_NAME)
        app_title.setObjectName("appTitle")
        title_row.addWidget(app_title, 1)
        sl.addLayout(title_row)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Navigation")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for i, key in enumerate(PAGES, start=1):
            item = QListWidgetItem(PAGE_TITLES[key])
            item.setToolTip(f"{PAGE_TITLES[key]} ({shortcut_text(f'Ctrl+{i}')})")
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, 38))  # fixed rows: styled padding must not shift clicks
            self.nav.addItem(item)
        sl.addWidget(self.nav, 1)
        version = label(f"version {__version__}", "muted")
        version.setContentsMargins(20, 0, 0, 0)
        sl.addWidget(version)
        row.addWidget(sidebar)

        self.stack = QStackedWidget()
        self.home = HomePage(ctx)
        self.drill = DrillArea(ctx, self.rich_env)
        self.progress = ProgressHolder(ctx)
        self._pages: dict[str, QWidget] = {
            "home": self.home, "drill": self.drill, "progress": self.progress}
        for key in PAGES:
            page = self._pages.get(key) or QWidget()  # placeholder until built
            if key == "home":
                # Home scrolls rather than squeezing its cards when the window is short
                # (the minimum, 960×600, with a study plan shown).
                home_scroll = QScrollArea()
                home_scroll.setWidgetResizable(True)
                home_scroll.setFrameShape(QFrame.Shape.NoFrame)
                home_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
                home_scroll.setWidget(page)
                page = home_scroll
            self.stack.addWidget(page)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._wire()
        self._build_menus()
        self.nav.setCurrentRow(0)
        self._restore_geometry()

    # -- pages built on first use ------------------------------------------------------
    @property
    def mock(self) -> MockArea:
        return cast("MockArea", self._page("mock"))

    @property
    def browse(self) -> BrowsePage:
        return cast("BrowsePage", self._page("browse"))

    @property
    def settings(self) -> SettingsPage:
        return cast("SettingsPage", self._page("settings"))

    @property
    def pages(self) -> dict[str, QWidget]:
        """Every page (builds the ones not built yet)."""
        return {key: self._page(key) for key in PAGES}

    def built(self, key: str) -> bool:
        return key in self._pages

    def _page(self, key: str) -> QWidget:
        page = self._pages.get(key)
        if page is not None:
            return page
        # Imported here too: their modules load with the page, not at start-up.
        if key == "mock":
            from desktop_quiz.gui.mock import MockArea

            page = MockArea(self.ctx, self.rich_env, self.stack)
            page.report.go_home.connect(lambda: self.show_page("home"))
        elif key == "browse":
            from desktop_quiz.gui.browse import BrowsePage

            page = BrowsePage(self.ctx, self.rich_env, self.stack)
            page.drill_requested.connect(lambda ids: self.start_ids(ids))
        elif key == "settings":
            from desktop_quiz.gui.settings import SettingsPage

            page = SettingsPage(self.ctx, self.rich_env, busy=self.busy, parent=self.stack)
        else:
            raise KeyError(key)
        self._pages[key] = page
        index = PAGES.index(key)
        placeholder = self.stack.widget(index)
        self.stack.insertWidget(index, page)
        if placeholder is not None:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        return page

    # -- wiring --------------------------------------------------------------------
    def _wire(self) -> None:
        self.nav.currentRowChanged.connect(self._nav_changed)
        h = self.home
        h.review_due.connect(self.review_due)
        h.quick_drill.connect(self.quick_drill)
        h.custom_drill.connect(self.custom_drill)
        h.mock_interview.connect(self.mock_interview)
        h.topic_drill.connect(self.drill_topic)
        h.topic_setup.connect(self.setup_topic)
        h.plan_block.connect(self.start_plan_block)
        h.set_interview.connect(self.set_interview_date)
        self.drill.go_home.connect(lambda: self.show_page("home"))
        self.drill.session_page.moved.connect(self._update_nav)
        self.drill.session_page.edit_requested.connect(
            lambda qid: own_questions.open_editor(self.ctx, self.rich_env, qid, self))
        self.drill.currentChanged.connect(lambda _i: self._update_nav())
        self.drill.session_page.finished.connect(lambda _s: self._update_nav())
        self.drill.session_page.abandoned.connect(lambda _s: self._update_nav())
        self.progress.on_drill_topics = self.drill_topics
        self.ctx.hooks.progress_changed.connect(self._progress_changed)
        self.ctx.hooks.settings_changed.connect(self._settings_changed)
        self.ctx.hooks.bank_changed.connect(self._bank_changed)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_scheme_changed)

    def _unwire(self) -> None:
        self.ctx.hooks.progress_changed.disconnect(self._progress_changed)
        self.ctx.hooks.settings_changed.disconnect(self._settings_changed)
        self.ctx.hooks.bank_changed.disconnect(self._bank_changed)
        with contextlib.suppress(RuntimeError, TypeError):
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(
                self._system_scheme_changed)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._add(file_menu, "&New drill…", "Ctrl+Shift+D", self.custom_drill)
        self._add(file_menu, "&Quick drill", "Ctrl+Shift+N", self.quick_drill)
        self._add(file_menu, "&Review due", "Ctrl+Shift+R", self.review_due)
        self._add(file_menu, "&Mock interview…", "Ctrl+M", self.mock_interview)
        self._add(file_menu, "Start &today's plan", "Ctrl+T", self.start_next_plan_block)
        file_menu.addSeparator()
        own_questions.add_actions(self, file_menu)  # own questions, Export to Anki
        self._add(file_menu, "&Open data folder", "", lambda: self.settings.open_data_folder())
        self._add(file_menu, "&Back up now", "", lambda: self.settings.backup_now())
        file_menu.addSeparator()
        quit_action = self._add(file_menu, "&Quit", "Ctrl+Q", self.close)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        go = bar.addMenu("&Go")
        for i, key in enumerate(PAGES, start=1):
            keys = [f"Ctrl+{i}"] + (["Ctrl+,"] if key == "settings" else [])
            self._add(go, PAGE_TITLES[key], keys, self._page_opener(key))
        go.addSeparator()
        self._add(go, "&Find question…", "Ctrl+F", self.find_question)

        self.question_menu = bar.addMenu("&Question")
        for a in self.drill.session_page.menu_actions():
            if a is None:
                self.question_menu.addSeparator()
            else:
                self.question_menu.addAction(a)
        self.question_menu.addSeparator()
        hint = QAction("Choose an answer: 1–6 · Rate a recall answer: 1–4", self)
        hint.setEnabled(False)
        self.question_menu.addAction(hint)

        help_menu = bar.addMenu("&Help")
        self._add(help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        about = self._add(help_menu, f"&About {APP_DISPLAY_NAME}", "", self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)

    def _add(self, menu: QMenu, text: str, keys: str | list[str],
             slot: Callable[[], object]) -> QAction:
        a = QAction(text, self)
        seqs = [keys] if isinstance(keys, str) and keys else (keys or [])
        if seqs:
            a.setShortcuts([QKeySequence(k) for k in seqs])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.triggered.connect(lambda _c=False: slot())
        menu.addAction(a)
        self.addAction(a)  # shortcuts work even with the menu bar hidden
        return a

    # -- navigation ------------------------------------------------------------------
    def _page_opener(self, key: str) -> Callable[[], None]:
        return lambda: self.show_page(key)

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(PAGES.index(key))
        page = self._page(key)
        focus = getattr(page, "focus_content", None)
        if callable(focus):
            focus()

    def current_page(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        key = PAGES[row]
        self._page(key)  # before showing it: the placeholder never shows
        self.stack.setCurrentIndex(row)
        if key == "home" and self._home_dirty:
            self._home_dirty = False
            self.home.refresh()
        if key == "drill" and self.drill.currentWidget() is self.drill.setup:
            self.drill.setup.refresh_count()
        if key == "mock" and self.mock.currentWidget() is self.mock.setup:
            self.mock.setup.reset()
        self.question_menu.setEnabled(key == "drill" and self.drill.currentWidget()
                                      is self.drill.session_page)
        self.setWindowTitle(f"{PAGE_TITLES[key]} — {APP_DISPLAY_NAME}")

    def _update_nav(self) -> None:
        item = self.nav.item(PAGES.index("drill"))
        page = self.drill.session_page
        s = page.session
        if self.drill.active and s is not None:
            item.setText(f"Drill  ·  {s.position_text()}")
        else:
            item.setText(PAGE_TITLES["drill"])
        self.question_menu.setEnabled(self.current_page() == "drill"
                                      and self.drill.currentWidget() is page)

    def busy(self) -> bool:
        return self.drill.active or self._mock_active()

    def _mock_active(self) -> bool:
        return self.built("mock") and self.mock.active

    # -- starting things --------------------------------------------------------------
    def _when_free(self, then: Callable[[], None]) -> None:
        """Run ``then`` now, or after the learner agrees to end the running drill."""
        if self.drill.active:
            self.show_page("drill")
            self.drill.session_page.request_end(then=then)
        elif self._mock_active():
            self.show_page("mock")
            notify(self, "Mock interview running",
                   "Finish or end the mock interview (Esc) before starting something else.")
        else:
            then()

    def start_spec(self, spec: DrillSpec) -> None:
        def go() -> None:
            self.show_page("drill")
            self.drill.start(spec)
            self._update_nav()

        self._when_free(go)

    def start_ids(self, ids: list[str], order: str = "random", mode: str = "drill") -> None:
        spec = DrillSpec(filter=Filter(ids=tuple(ids)), count=len(ids), order=order, mode=mode)
        self.start_spec(spec)

    def quick_drill(self) -> None:
        self.start_spec(DrillSpec(count=int(self.ctx.settings["drill_size"]), order="due-first"))

    def review_due(self) -> None:
        due = self.ctx.progress.due_ids()
        if not due:
            notify(self, "Nothing due", "No questions are due for review right now.")
            return
        count = min(len(due), int(self.ctx.settings["drill_size"]))
        self.start_spec(DrillSpec(filter=Filter(ids=tuple(due)), count=count,
                                  order="due-first", mode="review"))

    def drill_topic(self, slug: str) -> None:
        self.drill_topics([slug])

    def drill_topics(self, slugs: list[str]) -> None:
        """A drill of these topics, weakest questions first (Home, Progress)."""
        self.start_spec(DrillSpec(filter=Filter(topics=tuple(slugs)),
                                  count=int(self.ctx.settings["drill_size"]),
                                  order="weak-first"))

    def custom_drill(self) -> None:
        def go() -> None:
            self.show_page("drill")
            self.drill.show_setup()

        if self.drill.active:
            self.show_page("drill")
        else:
            go()

    def setup_topic(self, slug: str) -> None:
        def go() -> None:
            self.drill.setup.preset(topics=[slug])
            self.show_page("drill")
            self.drill.show_setup()

        self._when_free(go)

    def mock_interview(self) -> None:
        if not self._mock_active() and not self.drill.active:
            self.mock.show_setup()
        self.show_page("mock")

    def start_next_plan_block(self) -> None:
        """Ctrl+T: the next block of today's plan (without a plan: Home, which offers one)."""
        card = self.home.plan_card
        card.start_next() if card.pending or card.blocks else self.show_page("home")

    def start_plan_block(self, block: Block) -> None:
        """Start one block of today's plan with the drill (or mock) machinery."""
        if block.kind == "mock":
            def mock() -> None:
                self.show_page("mock")
                self.mock.start(DrillSpec(Filter(kinds=("recall",)), block.count, "random",
                                          "mock"), int(self.ctx.settings["mock_seconds"]))

            self._when_free(mock)
        elif block.kind == "review":
            due = self.ctx.progress.due_ids()
            if not due:
                notify(self, "Nothing due", "No questions are due for review right now.")
                return
            self.start_spec(DrillSpec(Filter(ids=tuple(due)), block.count, "due-first", "review"))
        else:
            self.start_spec(DrillSpec(Filter(topics=block.topics), block.count, block.order))

    def set_interview_date(self) -> None:
        self.show_page("settings")
        self.settings.focus_plan()

    def find_question(self) -> None:
        self.show_page("browse")
        self.browse.focus_content()

    # -- hooks -----------------------------------------------------------------------
    def _progress_changed(self) -> None:
        if self.current_page() == "home":
            self.home.refresh()
        else:
            self._home_dirty = True
        if self.built("browse"):
            self.browse.mark_dirty()
        self.progress.progress_changed()

    def _bank_changed(self) -> None:
        """Own questions were saved, deleted or imported: pages list new topics and tags."""
        self.rich_env.bank = self.ctx.bank
        self.home.bank_changed()
        setup = self.drill.built_setup()
        if setup is not None:
            setup.bank_changed()
        if self.built("mock"):
            self.mock.setup.bank_changed()
        if self.built("browse"):
            self.browse.bank_changed()

    def _settings_changed(self, name: str) -> None:
        if self.built("settings"):
            self.settings.sync(name)
        if name == "theme":
            self.apply_theme()
        elif name == "font_size":
            self.rich_env.update(font_size=int(self.ctx.settings["font_size"]))
        elif name in PLAN_OPTIONS:
            self.home.plan_card.refresh()  # the Progress view redraws its forecast itself
        elif name in ("drill_size", "mock_size", "mock_seconds"):
            self.home.refresh()
            setup = self.drill.built_setup()  # one built later reads the setting itself
            if name == "drill_size" and setup is not None and self.drill.currentWidget() \
                    is not setup:
                setup.count.setValue(int(self.ctx.settings["drill_size"]))

    def apply_theme(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            t = theme.apply(app, str(self.ctx.settings["theme"]))
            self.rich_env.update(th=t)

    def _system_scheme_changed(self, *_args: object) -> None:
        if self.ctx.settings["theme"] == "system":
            self.apply_theme()

    # -- help ------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        rows = [
            ("Ctrl+1 … Ctrl+6", "Home, Drill, Mock interview, Browse, Progress, Settings"),
            ("Ctrl+Shift+D / Ctrl+Shift+N", "New drill / quick drill"),
            ("Ctrl+N", "New question of your own (File ▸ New question…)"),
            ("Ctrl+Shift+R", "Review due questions"),
            ("Ctrl+M", "Mock interview"),
            ("Ctrl+T", "Start the next block of today's plan"),
            ("Ctrl+F", "Find a question (Browse)"),
            ("1 – 6", "Choose an answer (multiple choice)"),
            ("Enter", "Submit / continue"),
            ("Ctrl+Enter", "Check a free-recall answer; next question in a mock interview"),
            ("1 – 4", "Rate a recall answer: Again, Hard, Good, Easy"),
            ("Ctrl+R", "I don't know (reveal the answer)"),
            ("Ctrl+H", "Show the hint"),
            ("Ctrl+Shift+S", "Skip the question"),
            ("Ctrl+D", "Flag the question for later"),
            ("Ctrl+E", "Edit the question shown, when it is one of yours"),
            ("Esc", "End the drill or mock interview (asks first)"),
        ]
        text = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;&nbsp;</td><td>{v}</td></tr>"
                       for k, v in rows)
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table cellpadding='3'>{text}</table>")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_about(self) -> None:
        notify(self, f"About {APP_DISPLAY_NAME}",
               f"{APP_DISPLAY_NAME} {__version__}",
               informative="Offline drills for machine-learning interviews: multiple choice, "
                           "free recall, spaced repetition (FSRS) and mock interviews.\n\n"
                           f"Data folder: {self.ctx.data_dir}")

    # -- geometry --------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        settings = window_settings() if self.remember_geometry else None
        geometry = settings.value("window/geometry") if settings else None
        if geometry is not None and self.restoreGeometry(geometry):
            return
        screen = QGuiApplication.primaryScreen()
        size = DEFAULT_SIZE
        if screen is not None:
            avail = screen.availableGeometry()
            size = QSize(min(size.width(), avail.width()), min(size.height(), avail.height()))
        self.resize(size)

    def save_geometry(self) -> None:
        if self.remember_geometry:
            s = window_settings()
            s.setValue("window/geometry", self.saveGeometry())
            s.sync()

    def closeEvent(self, event: object) -> None:
        self.save_geometry()
        if self.built("mock"):
            self.mock.run.stop()
        self._unwire()
        super().closeEvent(event)  # type: ignore[arg-type]
