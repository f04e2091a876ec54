"""Where the learner reaches their own questions: File menu actions, the drill's
Edit action and Browse's Edit button open :class:`QuestionEditor` (issue 16)."""

from __future__ import annotations

from typing import Any

from desktop_quiz.core.bank import userbank
from desktop_quiz.core.context import AppContext
from desktop_quiz.gui.qt import QDialog, QMessageBox, QWidget
from desktop_quiz.gui.question_editor import QuestionEditor
from desktop_quiz.gui.richtext import RichEnv

NEW_KEYS = "Ctrl+N"  # a new drill is Ctrl+Shift+D


def add_actions(window: Any, menu: Any) -> None:
    """File menu: New question, Edit question, Export to Anki (then a separator)."""
    window._add(menu, "New &question…", NEW_KEYS, lambda: new_question(window))
    window._add(menu, "&Edit question…", "", lambda: edit_current(window))
    window._add(menu, "Export to &Anki…", "", lambda: export_anki(window))
    menu.addSeparator()


def open_editor(ctx: AppContext, env: RichEnv, qid: str | None,
                parent: QWidget | None) -> bool:
    """Show the editor modally; True when a question was saved or deleted."""
    ed = QuestionEditor(ctx, env, qid, parent)  # saving points ctx and env at the new bank
    return bool(ed.exec() == QDialog.DialogCode.Accepted.value or ed.result() == 1)


def new_question(window: Any) -> None:
    open_editor(window.ctx, window.rich_env, None, window)


def current_question_id(window: Any) -> str | None:
    """The question the learner looks at: selected in Browse, or the drill's current one."""
    page = window.current_page()
    if page == "browse":
        ids = window.browse.selected_ids()
        return ids[0] if ids else None
    if page == "drill":
        session = window.drill.session_page.session
        if session is not None and session.index < session.total:
            return str(session.ids[session.index])
        if session is not None and session.ids:
            return str(session.ids[-1])
    return None


def edit_current(window: Any) -> None:
    qid = current_question_id(window)
    if qid is None or not userbank.is_own(qid):
        QMessageBox.information(
            window, "Edit question",
            "Only your own questions can be edited. Select one in Browse (tick "
            "“Mine only”) or answer one in a drill, then choose File ▸ Edit question.")
        return
    open_editor(window.ctx, window.rich_env, qid, window)


def export_anki(window: Any) -> None:
    from desktop_quiz.gui.anki_export import AnkiExportDialog

    AnkiExportDialog(window.ctx, window).exec()
