"""Settings generated from the schema, persisted; theme switch; backups."""

from __future__ import annotations

import json

from desktop_quiz.core.config import SCHEMA, Settings
from desktop_quiz.gui.qt import QApplication, QComboBox, QDialog, QListWidget, QPalette, QSpinBox
from desktop_quiz.gui.settings import editable
from desktop_quiz.gui.theme import DARK, LIGHT
from tests.gui.conftest import click, first_id, open_message_box, press_button


def test_every_schema_option_has_a_labelled_editor(window):
    window.show_page("settings")
    page = window.settings
    wanted = [o for o in SCHEMA if editable(o)]
    assert [page.editors[o.name].accessibleName() for o in wanted] == [o.label for o in wanted]
    assert "last_drill" not in page.editors
    assert page.data_path.text() == str(window.ctx.data_dir)


def test_spin_box_changes_are_saved(window, qtbot, ctx):
    window.show_page("settings")
    spin = window.settings.editors["drill_size"]
    assert isinstance(spin, QSpinBox)
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "7")
    qtbot.keyClick(spin, "\r")
    qtbot.waitUntil(lambda: Settings(ctx.data_dir)["drill_size"] == 7)
    assert json.loads((ctx.data_dir / "settings.json").read_text())["drill_size"] == 7
    assert window.home.quick_label.text().startswith("7 questions")


def test_font_size_scales_reading_text_and_math(window, qtbot, ctx):
    window.show_page("settings")
    spin = window.settings.editors["font_size"]
    before = window.settings.preview.document().size().height()
    spin.setValue(22)
    qtbot.waitUntil(lambda: Settings(ctx.data_dir)["font_size"] == 22)
    assert window.rich_env.font_size == 22
    assert window.settings.preview.document().defaultFont().pointSizeF() == 22
    assert window.settings.preview.document().size().height() > 1.5 * before


def test_theme_switch_to_dark_and_back(window, qtbot, ctx, app):
    window.show_page("settings")
    combo = window.settings.editors["theme"]
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("dark"))
    assert Settings(ctx.data_dir)["theme"] == "dark"
    window_colour = app.palette().color(QPalette.ColorRole.Window).name()
    assert window_colour == DARK.window
    assert app.palette().color(QPalette.ColorRole.Text).name() == DARK.text
    assert window.rich_env.theme.dark
    combo.setCurrentIndex(combo.findData("light"))
    assert app.palette().color(QPalette.ColorRole.Window).name() == LIGHT.window


def test_backup_and_restore(window, qtbot, ctx):
    qid = first_id(ctx.bank, lambda q: q.kind == "mcq")
    window.show_page("drill")
    window.drill.start_ordered([qid, qid])
    page = window.drill.session_page
    click(qtbot, page.panel.rows[0])
    click(qtbot, page.primary_button)
    window.show_page("settings")
    settings = window.settings
    assert not settings.restore_button.isEnabled()
    assert window.busy()  # a drill is running
    click(qtbot, settings.backup_button)
    assert settings.backup_status.text().startswith("Backed up to progress-")
    assert settings.restore_button.isEnabled()
    window.show_page("drill")
    click(qtbot, page.primary_button)  # continue
    click(qtbot, page.panel.rows[0])
    click(qtbot, page.primary_button)
    click(qtbot, page.primary_button)  # finish
    assert ctx.progress.answer_count() == 2
    window.show_page("settings")
    click(qtbot, settings.restore_button)
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, QDialog) and w.isVisible() and w.windowTitle() ==
               "Restore from backup"]
    assert len(dialogs) == 1
    backups = dialogs[0].findChild(QListWidget)
    assert backups.count() == 1 and "1 answer" in backups.item(0).text()
    press_button(qtbot, dialogs[0], "Restore…")
    box = open_message_box(qtbot)
    press_button(qtbot, box, "Restore")
    qtbot.waitUntil(lambda: ctx.progress.answer_count() == 1)
    done = open_message_box(qtbot)
    assert done.windowTitle() == "Backup restored"
    done.close()
