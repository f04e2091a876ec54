"""The Settings card of the study plan: interview date, minutes a day, days off, focus."""

from __future__ import annotations

from datetime import date
from typing import Any

from desktop_quiz.core.config import OPTIONS, WEEKDAYS
from desktop_quiz.core.context import AppContext
from desktop_quiz.gui.dialogs import notify
from desktop_quiz.gui.qt import (
    QCheckBox,
    QDate,
    QDateEdit,
    QFormLayout,
    QSpinBox,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from desktop_quiz.gui.widgets import TopicPicker, button, card, hbox, label

DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_DAYS_AHEAD = 730


class PlanSettingsCard(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        outer.addWidget(label("Study plan", "h2"))
        frame = card()
        form = QFormLayout(frame)
        form.setContentsMargins(20, 18, 20, 18)
        form.setVerticalSpacing(10)
        form.setHorizontalSpacing(18)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        self.has_date = QCheckBox("I have an interview date")
        self.has_date.setAccessibleName("I have an interview date")
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setAccessibleName(OPTIONS["interview_date"].label)
        self.date.setMinimumWidth(160)
        self.clear_button = button("Clear", tip="Remove the interview date and the plan")
        date_box = QWidget()
        dl = QVBoxLayout(date_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(3)
        dl.addLayout(hbox(self.has_date, self.date, self.clear_button, None))
        dl.addWidget(label(OPTIONS["interview_date"].description, "muted", wrap=True))
        form.addRow(self._name("interview_date", self.date), date_box)

        self.minutes = QSpinBox()
        opt = OPTIONS["plan_minutes"]
        self.minutes.setRange(int(opt.minimum or 10), int(opt.maximum or 480))
        self.minutes.setSingleStep(int(opt.step or 5))
        self.minutes.setSuffix(" min")
        self.minutes.setKeyboardTracking(False)
        self.minutes.setMinimumWidth(160)
        self.minutes.setAccessibleName(opt.label)
        form.addRow(self._name("plan_minutes", self.minutes),
                    self._with_help(self.minutes, opt.description))

        self.day_boxes: list[QCheckBox] = []
        days = QWidget()
        days_row = hbox(spacing=8)
        for text in DAY_LABELS:
            box = QCheckBox(text)
            box.setAccessibleName(f"Day off: {text}")
            box.toggled.connect(lambda _on: self._apply_days_off())
            self.day_boxes.append(box)
            days_row.addWidget(box)
        days_row.addStretch(1)
        dv = QVBoxLayout(days)
        dv.setContentsMargins(0, 0, 0, 0)
        dv.setSpacing(3)
        dv.addLayout(days_row)
        dv.addWidget(label(OPTIONS["days_off"].description, "muted", wrap=True))
        form.addRow(self._name("days_off", self.day_boxes[0]), days)

        self.focus = TopicPicker(ctx.bank)
        self.focus.setAccessibleName(OPTIONS["focus_topics"].label)
        self.focus.setMinimumHeight(200)
        self.focus.set_counts(ctx.bank.counts_by_topic())
        self.focus.selection_changed.connect(self._apply_focus)
        form.addRow(self._name("focus_topics", self.focus),
                    self._with_help(self.focus, OPTIONS["focus_topics"].description))
        outer.addWidget(frame)

        self._minutes_timer = QTimer(self)
        self._minutes_timer.setSingleShot(True)
        self._minutes_timer.setInterval(400)
        self._minutes_timer.timeout.connect(self._apply_minutes)
        self.minutes.valueChanged.connect(lambda _v: self._minutes_timer.start())
        self.minutes.editingFinished.connect(self._apply_minutes)
        self.has_date.toggled.connect(self._date_toggled)
        self.date.dateChanged.connect(lambda _d: self._apply_date())
        self.clear_button.clicked.connect(lambda: self.has_date.setChecked(False))
        self.sync()

    @staticmethod
    def _name(option: str, buddy: QWidget) -> Any:
        name = label(OPTIONS[option].label, wrap=True)
        name.setBuddy(buddy)
        name.setMinimumWidth(180)
        return name

    @staticmethod
    def _with_help(editor: QWidget, text: str) -> QWidget:
        holder = QWidget()
        lay = QVBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addWidget(editor)
        lay.addWidget(label(text, "muted", wrap=True))
        return holder

    # -- model → widgets -----------------------------------------------------------------
    def sync(self, _name: str = "") -> None:
        s = self.ctx.settings
        widgets: list[Any] = [self.has_date, self.date, self.minutes, self.focus,
                              *self.day_boxes]
        for w in widgets:
            w.blockSignals(True)
        try:
            today = date.today()
            self.date.setMinimumDate(QDate(today.year, today.month, today.day))
            text = str(s["interview_date"])
            self.has_date.setChecked(bool(text))
            when = date.fromisoformat(text) if text else today.replace(day=1)
            if not text:
                from datetime import timedelta

                when = today + timedelta(days=28)
            self.date.setDate(QDate(when.year, when.month, when.day))
            self.date.setEnabled(bool(text))
            self.clear_button.setEnabled(bool(text))
            self.minutes.setValue(int(s["plan_minutes"]))
            off = set(s["days_off"])
            for key, box in zip(WEEKDAYS, self.day_boxes, strict=True):
                box.setChecked(key in off)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.focus.blockSignals(True)
        self.focus.set_selected(s["focus_topics"])
        self.focus.blockSignals(False)

    # -- widgets → model -----------------------------------------------------------------
    def _set(self, name: str, value: object) -> None:
        if self.ctx.settings[name] == value:
            return
        try:
            self.ctx.set_setting(name, value)
        except (ValueError, OSError) as exc:
            notify(self, "Setting not saved", f"{exc}", error=True)
            self.sync()

    def _date_toggled(self, on: bool) -> None:
        self.date.setEnabled(on)
        self.clear_button.setEnabled(on)
        if on:
            self._apply_date()
            self.date.setFocus()
        else:
            self._set("interview_date", "")

    def _apply_date(self) -> None:
        if not self.has_date.isChecked():
            return
        d = self.date.date()
        self._set("interview_date", date(d.year(), d.month(), d.day()).isoformat())

    def _apply_minutes(self) -> None:
        self._minutes_timer.stop()
        self._set("plan_minutes", int(self.minutes.value()))

    def _apply_days_off(self) -> None:
        off = [key for key, box in zip(WEEKDAYS, self.day_boxes, strict=True) if box.isChecked()]
        self._set("days_off", off)

    def _apply_focus(self) -> None:
        self._set("focus_topics", self.focus.selected())

    def focus_date(self) -> None:
        (self.date if self.has_date.isChecked() else self.has_date).setFocus()
