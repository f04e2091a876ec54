"""Settings, generated from the declarative schema in desktop_quiz.core.config.

Every option in :data:`~desktop_quiz.core.config.SCHEMA` that a person edits gets a
widget chosen by its type; changes go through ``ctx.set_setting`` (validated,
saved, announced with the ``settings_changed`` hook). Below: the data folder and
backups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop_quiz.core.config import PLAN_OPTIONS, SCHEMA, Option
from desktop_quiz.core.context import AppContext
from desktop_quiz.gui.dialogs import ask, notify
from desktop_quiz.gui.qt import (
    QCheckBox,
    QComboBox,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSpinBox,
    Qt,
    QTimer,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.richtext import RichEnv, RichView
from desktop_quiz.gui.widgets import SPACING, button, card, hbox, label, scroll_column

CHOICE_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
SUFFIXES = {"mock_seconds": " s", "font_size": " pt", "drill_size": " questions",
            "mock_size": " questions"}
APPLY_DELAY_MS = 400  # spin boxes: apply once the value settles, not on every step
HIDDEN = {"last_drill", *PLAN_OPTIONS}  # internal state; the plan has its own card


def editable(option: Option) -> bool:
    return option.name not in HIDDEN and isinstance(option.default, (bool, int, float, str))


class SettingsPage(QWidget):
    restored = Signal()  # the progress database was replaced from a backup

    def __init__(self, ctx: AppContext, env: RichEnv, busy: Callable[[], bool] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.busy = busy or (lambda: False)
        self.setAccessibleName("Settings")
        self.editors: dict[str, QWidget] = {}
        self._pending: dict[str, QTimer] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        area, col = scroll_column(820)
        outer.addWidget(area)
        col.addWidget(label("Settings", "h1"))

        prefs = card()
        form = QFormLayout(prefs)
        form.setContentsMargins(20, 18, 20, 18)
        form.setVerticalSpacing(6)
        form.setHorizontalSpacing(18)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for option in SCHEMA:
            if not editable(option):
                continue
            editor = self._editor(option)
            editor.setAccessibleName(option.label)
            editor.setAccessibleDescription(option.description)
            editor.setToolTip(option.description)
            self.editors[option.name] = editor
            name_label = label(option.label, wrap=True)
            name_label.setBuddy(editor)
            name_label.setMinimumWidth(180)
            holder = QWidget()
            hv = QVBoxLayout(holder)
            hv.setContentsMargins(0, 0, 0, 10)
            hv.setSpacing(3)
            hv.addLayout(hbox(editor, None))
            hv.addWidget(label(option.description, "muted", wrap=True))
            form.addRow(name_label, holder)
        col.addWidget(prefs)

        from desktop_quiz.gui.plan_settings import PlanSettingsCard

        self.plan = PlanSettingsCard(ctx)
        col.addWidget(self.plan)

        col.addWidget(label("Reading text preview", "h2"))
        self.preview = RichView(env, auto_height=True)
        self.preview.setAccessibleName("Reading text preview")
        self.preview.set_bank_html(self._preview_html())
        preview_card = card()
        pl = QVBoxLayout(preview_card)
        pl.setContentsMargins(16, 10, 16, 10)
        pl.addWidget(self.preview)
        col.addWidget(preview_card)

        col.addWidget(label("Your data", "h2"))
        data = card()
        dl = QVBoxLayout(data)
        dl.setContentsMargins(20, 16, 20, 16)
        dl.setSpacing(SPACING)
        dl.addWidget(label("Progress, backups and settings are kept in this folder. "
                           "Updating or removing the app never touches it.", "muted",
                           wrap=True))
        self.data_path = QLabel(str(ctx.data_dir))
        self.data_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.data_path.setAccessibleName("Data folder")
        self.data_path.setWordWrap(True)
        dl.addWidget(self.data_path)
        self.open_button = button("&Open data folder")
        self.backup_button = button("&Back up now")
        self.restore_button = button("Restore from bac&kup…")
        dl.addLayout(hbox(self.open_button, self.backup_button, self.restore_button, None))
        self.backup_status = label("", "muted", wrap=True)
        dl.addWidget(self.backup_status)
        col.addWidget(data)
        col.addStretch(1)

        self.open_button.clicked.connect(self.open_data_folder)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.choose_backup)
        self._update_backup_status()

    # -- generated editors ---------------------------------------------------------------
    def _editor(self, option: Option) -> QWidget:
        value = self.ctx.settings[option.name]
        name = option.name
        if isinstance(option.default, bool):
            box = QCheckBox(option.label)
            box.setChecked(bool(value))
            box.toggled.connect(lambda on: self._apply(name, bool(on)))
            return box
        if isinstance(option.default, str):
            combo = QComboBox()
            for choice in option.choices:
                combo.addItem(CHOICE_LABELS.get(choice, choice), choice)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.currentIndexChanged.connect(
                lambda _i, c=combo: self._apply(name, c.currentData()))
            combo.setMinimumWidth(200)
            return combo
        spin: QSpinBox | QDoubleSpinBox
        if isinstance(option.default, float):
            spin = QDoubleSpinBox()
            step = option.step or 0.1
            spin.setDecimals(max(0, len(f"{step}".split(".")[-1])))
            spin.setSingleStep(step)
        else:
            spin = QSpinBox()
            spin.setSingleStep(int(option.step or 1))
        if option.minimum is not None:
            spin.setMinimum(option.minimum)  # type: ignore[arg-type]
        if option.maximum is not None:
            spin.setMaximum(option.maximum)  # type: ignore[arg-type]
        spin.setValue(value)
        spin.setSuffix(SUFFIXES.get(name, ""))
        spin.setKeyboardTracking(False)
        spin.setMinimumWidth(160)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(APPLY_DELAY_MS)
        timer.timeout.connect(lambda s=spin: self._apply(name, s.value()))
        self._pending[name] = timer
        spin.valueChanged.connect(lambda _v: timer.start())
        spin.editingFinished.connect(lambda s=spin: self._apply(name, s.value()))
        return spin

    def _apply(self, name: str, value: Any) -> None:
        timer = self._pending.get(name)
        if timer is not None:
            timer.stop()
        if self.ctx.settings[name] == value:
            return
        try:
            self.ctx.set_setting(name, value)
        except (ValueError, OSError) as exc:
            notify(self, "Setting not saved", f"{exc}", error=True)

    def sync(self, name: str) -> None:
        """Keep editors in step when a setting changes elsewhere."""
        if name in PLAN_OPTIONS:
            self.plan.sync(name)
            return
        editor = self.editors.get(name)
        if editor is None:
            return
        value = self.ctx.settings[name]
        editor.blockSignals(True)
        try:
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
                editor.setValue(value)
        finally:
            editor.blockSignals(False)

    def _preview_html(self) -> str:
        for qid in self.ctx.bank.all_ids():
            q = self.ctx.bank.question(qid)
            if "math:" in q.prompt_html and "<code>" in q.prompt_html and len(q.prompt) < 300:
                return q.prompt_html
        for qid in self.ctx.bank.all_ids():
            q = self.ctx.bank.question(qid)
            if "math:" in q.prompt_html and len(q.prompt) < 300:
                return q.prompt_html
        ids = self.ctx.bank.all_ids()
        return self.ctx.bank.question(ids[0]).prompt_html if ids else "<p>No questions.</p>"

    # -- data folder and backups -------------------------------------------------------
    def open_data_folder(self) -> None:
        self.ctx.data_dir.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.data_dir))):
            notify(self, "Cannot open the folder",
                   f"No file manager could open {self.ctx.data_dir}. The path above can be "
                   "selected and copied.")

    def _update_backup_status(self) -> None:
        from desktop_quiz.core.progress import backup

        found = backup.list_backups(self.ctx.data_dir)
        if not found:
            self.backup_status.setText("No backups yet. One is made automatically each day "
                                       "you use the app, when you close it.")
        else:
            info = backup.describe(found[0])
            when = info.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.backup_status.setText(f"{len(found)} backup(s); newest {when}. A backup is "
                                       "made automatically each day you use the app.")
        self.restore_button.setEnabled(bool(found))

    def backup_now(self) -> None:
        from desktop_quiz.core.progress import backup

        try:
            made = backup.backup_now(self.ctx.data_dir)
        except OSError as exc:
            notify(self, "Backup failed", f"Could not write the backup: {exc}", error=True)
            return
        self._update_backup_status()
        if made is None:
            self.backup_status.setText("Nothing to back up yet: answer a question first.")
        else:
            self.backup_status.setText(f"Backed up to {made.name}. "
                                       + self.backup_status.text())

    def choose_backup(self) -> None:
        from desktop_quiz.core.progress import backup

        if self.busy():
            notify(self, "Finish the drill first",
                   "A drill or mock interview is running. End it before restoring a backup.")
            return
        found = backup.list_backups(self.ctx.data_dir)
        dialog = BackupDialog(self, [backup.describe(p) for p in found])
        dialog.chosen.connect(self._confirm_restore)
        dialog.open()

    def _confirm_restore(self, path: object) -> None:
        from pathlib import Path

        chosen = Path(str(path))
        ask(self, "Restore this backup?",
            f"Replace your current progress with the backup {chosen.name}?",
            "Restore", lambda: self.restore(chosen), destructive=True,
            informative="Your current progress is backed up first, so this can be undone.")

    def restore(self, path: Any) -> None:
        from desktop_quiz.core.progress import backup
        from desktop_quiz.core.progress.scheduling import Scheduling
        from desktop_quiz.core.progress.storage import Progress, StorageError

        ctx = self.ctx
        ctx.progress.close()
        error = ""
        safety = None
        try:
            safety = backup.restore(ctx.data_dir, path)
        except (ValueError, OSError, backup.RecoveryError) as exc:
            error = str(exc)
        try:
            ctx.progress = Progress(ctx.data_dir, Scheduling(ctx.settings["desired_retention"]))
        except StorageError as exc:
            error = f"{error} {exc}".strip()
        ctx.hooks.progress_changed.fire()
        self.restored.emit()
        self._update_backup_status()
        if error:
            notify(self, "Restore failed", error, error=True)
        else:
            extra = f" Your previous progress was saved as {safety.name}." if safety else ""
            notify(self, "Backup restored", f"Restored {path.name}.{extra}")

    def focus_plan(self) -> None:
        """Scroll to the study plan's settings and focus the interview date."""
        area = self.findChild(QScrollArea)
        if area is not None:
            area.ensureWidgetVisible(self.plan, 0, 40)
        self.plan.focus_date()

    def focus_content(self) -> None:
        first = next(iter(self.editors.values()), None)
        if first is not None:
            first.setFocus()


class BackupDialog(QDialog):
    """Pick a backup: date and how many answers it holds."""

    chosen = Signal(object)  # Path

    def __init__(self, parent: QWidget, infos: list[Any]):
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.addWidget(label("Choose the backup to restore (newest first):", wrap=True))
        self.list = QListWidget()
        self.list.setAccessibleName("Backups")
        for info in infos:
            when = info.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
            answers = ("unreadable" if info.answers is None
                       else f"{info.answers} answer{'s' if info.answers != 1 else ''}")
            item = QListWidgetItem(f"{when}  —  {answers}")
            item.setData(Qt.ItemDataRole.UserRole, str(info.path))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("Restore…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(self.list.count() > 0)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _i: self._accept())
        layout.addWidget(buttons)
        self.resize(460, 320)

    def _accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.accept()
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
