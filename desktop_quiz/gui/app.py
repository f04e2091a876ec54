"""Start the app: QApplication, single-instance lock, data checks, bank, main window.

Start-up order (each step can fail with a clear dialog, never a traceback):

1. the data folder must be writable; one writer per data folder (the app and the
   CLI share `core.progress.lock`);
2. ``backup.check_and_recover`` repairs a damaged progress database from a backup;
3. the bank opens on a worker thread (in a source checkout it is rebuilt first
   when ``questions/`` changed), with a busy screen if that takes a moment;
4. the main window opens; on quit the progress database is backed up (daily).

``smoke_count`` runs the smoke test instead of waiting for a person: errors go to
stderr and the exit status is non-zero.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from desktop_quiz import APP_DISPLAY_NAME, APP_NAME, ORG_NAME
from desktop_quiz.core import paths

if TYPE_CHECKING:
    from desktop_quiz.core.progress.lock import DataLock
from desktop_quiz.core.bank.reader import Bank, BankError
from desktop_quiz.core.progress.storage import StorageError
from desktop_quiz.gui.qt import (
    QApplication,
    QGuiApplication,
    QIcon,
    QLabel,
    QObject,
    QProgressBar,
    QSize,
    Qt,
    QThread,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

log = logging.getLogger("desktop_quiz")
LOG_FILE = "desktop-quiz.log"
BUSY_DELAY_MS = 150  # show the busy screen only when loading is noticeably slow
ICON_NAME = "desktop-quiz.svg"


EXIT_WHEN_READY_ENV = "DESKTOP_QUIZ_EXIT_WHEN_READY"


class StartupError(Exception):
    """Start-up cannot continue; ``title`` and ``message`` say what to do."""

    def __init__(self, title: str, message: str, *, error: bool = True):
        super().__init__(message)
        self.title = title
        self.message = message
        self.error = error  # False: information (e.g. already running), not a failure


# -- application object -----------------------------------------------------------
def icon_path() -> Path | None:
    """The app icon: frozen bundle, installed package, or source checkout."""
    candidates = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources" / "icons" / ICON_NAME)
    candidates += [
        paths.PACKAGE_DIR / "resources" / "icons" / ICON_NAME,
        paths.PACKAGE_DIR.parent / "resources" / "icons" / ICON_NAME,
    ]
    return next((p for p in candidates if p.is_file()), None)


def app_icon() -> QIcon:
    found = icon_path()
    return QIcon(str(found)) if found else QIcon()


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication, with names, icon and the Fusion style (reused if it exists)."""
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    QApplication.setApplicationDisplayName(APP_DISPLAY_NAME)
    QGuiApplication.setDesktopFileName(APP_NAME)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or [APP_NAME])
    app.setWindowIcon(app_icon())
    return app


# -- errors ------------------------------------------------------------------------
class LogFileHandler(logging.Handler):
    """A rotating log file, set up on the first record.

    ``logging.handlers`` pulls in socket, pickle and queue (~8 ms); most runs log
    nothing, so start-up does not pay for it.
    """

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            from logging.handlers import RotatingFileHandler

            self._file = RotatingFileHandler(self.path, maxBytes=1_000_000, backupCount=2,
                                             delay=True, encoding="utf-8")
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def setup_logging(data_dir: Path | None) -> Path | None:
    """Log to ``desktop-quiz.log`` in the data folder (created on first message)."""
    if data_dir is None:
        return None
    path = data_dir / LOG_FILE
    for h in list(log.handlers):
        if isinstance(h, LogFileHandler):
            log.removeHandler(h)
            h.close()
    handler = LogFileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def friendly(exc: BaseException) -> str:
    """What to tell a person about an error (no traceback)."""
    if isinstance(exc, (BankError, StorageError, StartupError)):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"A file could not be read or written{where}: {exc.strerror or exc}."
    return f"{type(exc).__name__}: {exc}"


def install_excepthook(interactive: bool, log_file: Callable[[], Path | None]) -> None:
    """Unexpected errors: logged, then a dialog (or stderr + exit 1 when unattended)."""
    state = {"showing": False}

    def hook(etype: type[BaseException], value: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(etype, KeyboardInterrupt):
            QApplication.exit(130)
            return
        log.error("unexpected error", exc_info=(etype, value, tb))
        where = log_file()
        if not interactive:
            print(f"desktop-quiz: error: {friendly(value)}", file=sys.stderr, flush=True)
            if os.environ.get("DESKTOP_QUIZ_DEBUG"):
                traceback.print_exception(etype, value, tb)
            QApplication.exit(1)
            return
        if state["showing"]:
            return
        state["showing"] = True
        try:
            from desktop_quiz.gui.dialogs import blocking_message

            details = (f"The details were written to {where}." if where else "")
            blocking_message(
                "Something went wrong",
                f"{APP_DISPLAY_NAME} hit an unexpected problem: {friendly(value)}",
                "Every answer you gave before this was saved. You can keep working; if this "
                f"happens again, restart the app. {details}".strip())
        finally:
            state["showing"] = False

    sys.excepthook = hook


# -- start-up steps ------------------------------------------------------------------
def check_data_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise StartupError(
            "The data folder cannot be used",
            f"{APP_DISPLAY_NAME} keeps your progress in {data_dir}, but that folder cannot be "
            f"written ({exc.strerror or exc}). Check its permissions and free space, or start "
            "the app with --data-dir pointing to a folder you can write.") from None


def acquire_lock(data_dir: Path) -> DataLock:
    """The data folder's single-writer lock, shared with the CLI's writing commands."""
    from desktop_quiz.core.progress.lock import DataLock, LockedError

    try:
        return DataLock(data_dir, "the desktop-quiz app").acquire()
    except LockedError as exc:
        pid = exc.holder.get("pid")
        what = str(exc.holder.get("what") or APP_DISPLAY_NAME)
        who = f" ({what}, process {pid})" if pid else ""
        raise StartupError(
            f"{APP_DISPLAY_NAME} is already running",
            f"{APP_DISPLAY_NAME} is already open with this data folder{who}. Switch to that "
            f"window, or close it and start again.\n\nData folder: {data_dir}\n\nTo run a "
            "second copy on purpose, start it with --data-dir pointing to a different "
            "folder.", error=False) from None


def recover(data_dir: Path) -> str | None:
    from desktop_quiz.core.progress import backup

    try:
        return backup.check_and_recover(data_dir)
    except backup.RecoveryError as exc:
        raise StartupError("Your progress could not be repaired", str(exc)) from None


class BankLoader(QThread):
    """Opens (and in a source checkout, first rebuilds) the bank off the GUI thread."""

    status = Signal(str)
    loaded = Signal(object, str)  # Bank, warning ("" when none)
    failed = Signal(str, str)  # title, message

    def run(self) -> None:
        from desktop_quiz.core.bank.reader import open_default_bank
        from desktop_quiz.core.bank.source import SourceError

        try:
            bank = open_default_bank(progress=self.status.emit)
        except SourceError as exc:
            fallback = paths.packaged_bank()
            first = "\n".join(str(p) for p in exc.problems[:5])
            more = f"\n… and {len(exc.problems) - 5} more" if len(exc.problems) > 5 else ""
            if fallback.is_file():
                try:
                    bank = Bank(fallback)
                except BankError:
                    pass
                else:
                    self.loaded.emit(bank, (
                        "questions/ has problems, so the previously built bank is used. "
                        f"Fix these and restart:\n{first}{more}"))
                    return
            self.failed.emit("The question bank cannot be built",
                             f"questions/ has problems; fix them and restart (or run "
                             f"'desktop-quiz bank check'):\n{first}{more}")
        except BankError as exc:
            self.failed.emit("The question bank cannot be opened", str(exc))
        except OSError as exc:
            self.failed.emit("The question bank cannot be opened",
                             f"{friendly(exc)} Reinstall the app, or rebuild the bank with "
                             "'desktop-quiz bank build' in a source checkout.")
        else:
            self.loaded.emit(bank, "")


class BusyScreen(QWidget):
    """Shown while the bank loads, if that takes longer than a blink."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_DISPLAY_NAME)
        self.setAccessibleName("Loading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 32, 40, 32)
        layout.setSpacing(14)
        icon = QLabel()
        icon.setPixmap(QApplication.windowIcon().pixmap(QSize(64, 64), self.devicePixelRatioF()))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(icon)
        title = QLabel(APP_DISPLAY_NAME)
        title.setProperty("role", "h1")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        self.message = QLabel("Loading the question bank…")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        bar = QProgressBar()
        bar.setRange(0, 0)  # busy
        bar.setProperty("role", "busy")
        bar.setAccessibleName("Loading")
        layout.addWidget(bar)
        self.resize(460, 260)


class Startup(QObject):
    """Drives start-up on the event loop; owns what must be released on quit."""

    def __init__(self, app: QApplication, *, interactive: bool, smoke_count: int | None,
                 delay_ms: int, smoke_mine: bool = False):
        super().__init__()
        self.app = app
        self.interactive = interactive
        self.smoke_count = smoke_count
        self.delay_ms = delay_ms
        self.smoke_mine = smoke_mine  # the smoke drill takes the learner's own questions
        self.data_dir = paths.default_data_dir()
        self.lock: DataLock | None = None
        self.ctx: Any = None
        self.window: Any = None
        self.busy: BusyScreen | None = None
        self.loader: BankLoader | None = None
        self.messages: list[tuple[str, str]] = []
        self.driver: Any = None

    def fail(self, title: str, message: str, *, error: bool = True) -> None:
        log.error("%s: %s", title, message)
        if self.interactive:
            from desktop_quiz.gui.dialogs import blocking_message

            if self.busy is not None:
                self.busy.hide()
            blocking_message(title, message, error=error)
        else:
            print(f"desktop-quiz: {title}. {message}", file=sys.stderr, flush=True)
        self.app.exit(1)

    def begin(self) -> None:
        try:
            check_data_dir(self.data_dir)
            setup_logging(self.data_dir)
            self.lock = acquire_lock(self.data_dir)
            note = recover(self.data_dir)
        except StartupError as exc:
            self.fail(exc.title, exc.message, error=exc.error)
            return
        if note:
            self.messages.append(("Your progress was restored", note))
        from desktop_quiz.core.config import Settings
        from desktop_quiz.gui import theme

        settings = Settings(self.data_dir)
        for problem in settings.problems:
            self.messages.append(("Some settings were reset", problem))
        theme.apply(self.app, str(settings["theme"]))
        self.busy = BusyScreen()
        QTimer.singleShot(BUSY_DELAY_MS, self._show_busy)
        self.loader = BankLoader()
        self.loader.status.connect(self._status)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(self.fail)
        self.loader.start()

    def _show_busy(self) -> None:
        if self.busy is not None and self.window is None:
            self.busy.show()

    def _status(self, text: str) -> None:
        if self.busy is not None:
            self.busy.message.setText(text)
            self._show_busy()

    def _loaded(self, bank: Bank, warning: str) -> None:
        from desktop_quiz.core.context import AppContext
        from desktop_quiz.gui.mainwindow import MainWindow

        if warning:
            self.messages.append(("Using the previous question bank", warning))
        try:
            self.ctx = AppContext.open(self.data_dir, bank)
        except StorageError as exc:
            bank.close()
            self.fail("Your progress cannot be opened",
                      f"{exc}\n\nRestore a backup with 'desktop-quiz data restore', or move "
                      f"progress.sqlite out of {self.data_dir} to start fresh.")
            return
        pending = len(self.ctx.progress.pending())
        if pending:
            saved = self.ctx.progress.retry_pending()
            left = len(self.ctx.progress.pending())
            self.messages.append((
                "Answers saved late",
                f"{pending} answer(s) could not be saved last time and were kept; "
                + (f"{saved} new one(s) are now saved." if not left else
                   f"they still cannot be saved and are kept in "
                   f"{self.ctx.progress.pending_path}.")))
        self.window = MainWindow(self.ctx, remember_geometry=self.smoke_count is None)
        self.window.show()  # before closing the busy screen, or the app would quit
        if self.busy is not None:
            self.busy.close()
            self.busy = None
        for title, text in self.messages:
            if self.interactive:
                from desktop_quiz.gui.dialogs import notify

                notify(self.window, title, text)
            else:
                print(f"desktop-quiz: note: {title}: {text}", file=sys.stderr, flush=True)
        if os.environ.get(EXIT_WHEN_READY_ENV):  # `desktop-quiz bench` times start-up
            QTimer.singleShot(0, self._ready_exit)
        if self.smoke_count is not None:
            from desktop_quiz.gui.smoke import SmokeDriver

            ids = None
            if self.smoke_mine:
                from desktop_quiz.core.bank.userbank import is_own

                ids = [i for i in self.ctx.bank.all_ids() if is_own(i)]
            self.driver = SmokeDriver(self.window, self.smoke_count, self.delay_ms, ids)
            self.driver.done.connect(self.app.exit)
            QTimer.singleShot(0, self.driver.start)

    def _ready_exit(self) -> None:
        self.app.processEvents()  # the first paint of the populated Home screen
        print("ready", flush=True)
        self.app.exit(0)

    def shutdown(self) -> None:
        """On quit: close the databases, back up, release the lock."""
        if self.loader is not None:
            self.loader.wait(30_000)
        if self.ctx is not None:
            try:
                self.ctx.close()
            except Exception:  # closing must not stop the backup
                log.exception("closing the databases")
            try:
                from desktop_quiz.core.progress import backup

                made = backup.auto_backup(self.data_dir)
                if made is not None:
                    log.info("backed up to %s", made)
            except Exception:
                log.exception("automatic backup failed")
        if self.lock is not None:
            self.lock.release()


def _need_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                    or os.environ.get("WAYLAND_DISPLAY"))


def missing_display() -> str | None:
    """Why no window can be shown here (Linux without a reachable display), or None.

    Qt's xcb plugin aborts the process (status 134) when it finds no display, so
    this is checked before the application is created.
    """
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return None
    display = os.environ.get("DISPLAY", "")
    if os.environ.get("WAYLAND_DISPLAY"):
        return None
    if not display:
        return ("no display found (DISPLAY and WAYLAND_DISPLAY are not set). Start it "
                "from a desktop session, or use the command-line tools "
                "(desktop-quiz --help)")
    local = re.match(r"^(?:unix)?:(\d+)", display)
    if local and not Path(f"/tmp/.X11-unix/X{local.group(1)}").exists():
        return (f"the display {display} is not running (no X server socket). Start it from "
                "a desktop session, or set DISPLAY to a running one")
    return None


def run(smoke_count: int | None = None, delay_ms: int = 0, smoke_mine: bool = False) -> int:
    """Launch the GUI (or the smoke test); returns the exit status."""
    interactive = smoke_count is None
    if not interactive and _need_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a smoke test needs no screen
    if interactive and (why := missing_display()):
        print(f"desktop-quiz: cannot open a window: {why}", file=sys.stderr)
        return 1
    app = make_app(sys.argv[:1])
    startup = Startup(app, interactive=interactive, smoke_count=smoke_count,
                      delay_ms=max(0, delay_ms), smoke_mine=smoke_mine)
    install_excepthook(interactive, lambda: startup.data_dir / LOG_FILE)
    QTimer.singleShot(0, startup.begin)
    try:
        code = app.exec()
    finally:
        startup.shutdown()
    return int(code)
