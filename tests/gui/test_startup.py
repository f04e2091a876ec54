"""Start-up pieces in-process: the bank loads off the GUI thread; errors are logged."""

from __future__ import annotations

import logging
import sys
import threading

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.gui import app as gui_app
from desktop_quiz.gui.qt import QApplication, Qt


def test_bank_loads_on_a_worker_thread(gui_bank, qtbot, app):
    emitted_on: list[threading.Thread] = []
    loader = gui_app.BankLoader()
    # A direct connection runs in the emitting thread: where the bank was opened.
    loader.loaded.connect(lambda *_: emitted_on.append(threading.current_thread()),
                          Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(loader.loaded, timeout=30_000) as blocker:
        loader.start()
    loader.wait()
    bank, warning = blocker.args
    assert isinstance(bank, Bank) and bank.count() == gui_bank.count()
    assert warning == ""
    assert emitted_on and emitted_on[0] is not threading.main_thread()
    bank.close()


def test_missing_bank_fails_with_what_to_do(qtbot, app, tmp_path, monkeypatch):
    monkeypatch.setenv("DESKTOP_QUIZ_BANK", str(tmp_path / "nope.sqlite"))
    loader = gui_app.BankLoader()
    with qtbot.waitSignal(loader.failed, timeout=30_000) as blocker:
        loader.start()
    loader.wait()
    title, message = blocker.args
    assert title == "The question bank cannot be opened"
    assert "is missing" in message and "Reinstall the app" in message


def test_unexpected_errors_are_logged_and_reported_without_traceback(
        app, tmp_path, capsys, monkeypatch):
    log_path = gui_app.setup_logging(tmp_path)
    assert log_path == tmp_path / gui_app.LOG_FILE
    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    gui_app.install_excepthook(False, lambda: log_path)
    try:
        raise OSError(13, "Permission denied", "/some/file")
    except OSError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "desktop-quiz: error: A file could not be read or written (/some/file)" in err
    assert "Traceback" not in err
    assert exits == [1]
    for h in logging.getLogger("desktop_quiz").handlers:
        h.flush()
    assert "Traceback" in log_path.read_text()  # the details go to the log only
