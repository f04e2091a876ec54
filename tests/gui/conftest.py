"""GUI fixtures: the real bank (built once from questions/), a real temp data folder,
real widgets on the offscreen platform, and helpers that act like a user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.context import AppContext
from desktop_quiz.gui import theme
from desktop_quiz.gui.app import make_app
from desktop_quiz.gui.mainwindow import MainWindow
from desktop_quiz.gui.qt import (
    QAbstractButton,
    QApplication,
    QMessageBox,
    QPoint,
    QSettings,
    Qt,
    QWidget,
)


@pytest.fixture(scope="session", autouse=True)
def _isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Window geometry goes to a temp folder, never the user's config."""
    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


@pytest.fixture
def gui_bank(bank_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bank]:
    """The real bank built once per run from questions/ (also for subprocesses)."""
    monkeypatch.setenv("DESKTOP_QUIZ_BANK", str(bank_path))
    bank = Bank(bank_path)
    yield bank
    bank.close()


@pytest.fixture
def ctx(gui_bank: Bank, data_dir: Path) -> Iterator[AppContext]:
    context = AppContext.open(data_dir, gui_bank)
    yield context
    context.progress.close()


@pytest.fixture
def app(qapp: QApplication) -> QApplication:
    made = make_app()
    assert made is qapp
    theme.apply(qapp, "light")
    return qapp


@pytest.fixture
def window(app: QApplication, ctx: AppContext, qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(ctx, remember_geometry=False)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


# -- acting like a user -------------------------------------------------------------
def click(qtbot, widget: QWidget) -> None:  # type: ignore[no-untyped-def]
    assert widget.isVisible(), f"{widget.accessibleName() or widget} is not visible"
    assert widget.isEnabled(), f"{widget.accessibleName() or widget} is disabled"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton,
                     pos=QPoint(widget.width() // 2, widget.height() // 2))


def key(qtbot, widget: QWidget, k: Qt.Key,  # type: ignore[no-untyped-def]
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press a key where the focus is (shortcuts need the focus inside the page)."""
    target = QApplication.focusWidget() or widget
    qtbot.keyClick(target, k, modifiers)


def open_message_box(qtbot) -> QMessageBox:  # type: ignore[no-untyped-def]
    found: list[QMessageBox] = []

    def visible() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible)
    return found[-1]


def press_button(qtbot, box: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    buttons = [b for b in box.findChildren(QAbstractButton) if b.text().replace("&", "") == text]
    assert buttons, f"no button {text!r} in {[b.text() for b in box.findChildren(QAbstractButton)]}"
    click(qtbot, buttons[0])


def first_id(bank: Bank, predicate) -> str:  # type: ignore[no-untyped-def]
    for qid in bank.all_ids():
        if predicate(bank.question(qid)):
            return qid
    raise AssertionError("no question in the bank fits this test")
