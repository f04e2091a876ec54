"""Reusable parts of the question view: choice rows, the MCQ panel, the recall editor and panel."""

from __future__ import annotations

import html
from collections.abc import Sequence

from desktop_quiz.core.model import Choice, Question
from desktop_quiz.core.study.grading import McqResult, PointResult, Rating, RecallResult
from desktop_quiz.gui import theme
from desktop_quiz.gui.compose import (
    BAD_MARK,
    OK_MARK,
    point_html,
    snippet,
)
from desktop_quiz.gui.key_points import MAX_POINTS, PointRow, marker, utf16
from desktop_quiz.gui.qt import (
    QButtonGroup,
    QCheckBox,
    QColor,
    QEvent,
    QFrame,
    QHBoxLayout,
    QLabel,
    QObject,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    Qt,
    QTextCharFormat,
    QTextCursor,
    QTextEdit,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.richtext import RichEnv, RichView
from desktop_quiz.gui.widgets import (
    button,
    card,
    label,
    shortcut_text,
)

MAX_CHOICES = 6
ENTER_KEYS = ("Return", "Enter")
ENTER = "Enter"
CHECK_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def digit_keys(n: int) -> list[str]:
    return [str(n), f"Num+{n}"]


# -- multiple choice ----------------------------------------------------------------
class ChoiceRow(QFrame):
    """One large clickable choice: key badge, radio or checkbox, rendered text.

    After answering, the row shows whether it was right (✓/✗ text plus colour)
    and the choice's own explanation.
    """

    def __init__(self, env: RichEnv, index: int, multi: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.index = index
        self.source = index  # the choice's index in the question file (set by load)
        self.setObjectName("choiceRow")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 10, 12, 10)
        row.setSpacing(10)
        key = QLabel(str(index + 1))
        key.setObjectName("choiceKey")
        key.setToolTip(f"Press {index + 1} to choose")
        key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.indicator: QRadioButton | QCheckBox = QCheckBox() if multi else QRadioButton()
        # The panel's button group makes radios exclusive; on their own they could
        # not be unchecked when the row is reused for the next question.
        self.indicator.setAutoExclusive(False)
        self.indicator.installEventFilter(self)
        self.indicator.toggled.connect(self._on_toggled)
        top = QVBoxLayout()
        top.setSpacing(6)
        self.text_view = RichView(env, self, auto_height=True, selectable=False)
        self.text_view.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.verdict = label("", wrap=True)
        self.verdict.hide()
        self.explanation = RichView(env, self, auto_height=True)
        self.explanation.hide()
        top.addWidget(self.text_view)
        top.addWidget(self.verdict)
        top.addWidget(self.explanation)
        for w in (key, self.indicator):
            row.addWidget(w, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(top, 1)
        self._locked = False

    def load(self, choice: Choice, source: int) -> None:
        """Show ``choice`` (index ``source`` in the file), unanswered; rows are reused."""
        self.source = source
        self._locked = False
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.indicator.setEnabled(True)
        self.indicator.setChecked(False)
        self.indicator.setAccessibleName(f"Choice {self.index + 1}: {snippet(choice.text, 200)}")
        self.text_view.set_bank_html(choice.text_html or choice.text)
        self.verdict.hide()
        self.explanation.hide()
        self.explanation.set_bank_html(choice.explanation_html or choice.explanation)
        if self.property("state") or self.property("selected") or self.property("focused"):
            for name in ("state", "selected", "focused"):
                self.setProperty(name, None)
            theme.repolish(self)

    def mouseReleaseEvent(self, event: object) -> None:
        if self._locked or not self.isEnabled():
            return
        self.activate()
        self.indicator.setFocus(Qt.FocusReason.MouseFocusReason)

    def activate(self) -> None:
        """What clicking the row or pressing its number does."""
        if self._locked:
            return
        if isinstance(self.indicator, QCheckBox):
            self.indicator.toggle()
        else:
            self.indicator.setChecked(True)

    def _on_toggled(self, on: bool) -> None:
        self.setProperty("selected", on)
        theme.repolish(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.indicator and event.type() in (QEvent.Type.FocusIn,
                                                           QEvent.Type.FocusOut):
            self.setProperty("focused", event.type() == QEvent.Type.FocusIn)
            theme.repolish(self)
        return super().eventFilter(watched, event)

    def show_result(self, chosen: bool, correct: bool) -> None:
        self._locked = True
        self.setCursor(Qt.CursorShape.ArrowCursor)
        self.indicator.setEnabled(False)
        if correct:
            text = f"{OK_MARK} Correct answer" + (" — you chose it" if chosen else
                                                   " — you missed it")
            role, state = "ok", "correct"
        elif chosen:
            text, role, state = f"{BAD_MARK} Wrong — you chose this", "bad", "wrong"
        else:
            text, role, state = f"{BAD_MARK} Wrong", "muted", ""
        self.verdict.setText(text)
        self.verdict.setProperty("role", role)
        self.verdict.show()
        self.explanation.show()
        self.setProperty("state", state)
        self.setProperty("focused", False)
        theme.repolish(self.verdict)
        theme.repolish(self)


class McqPanel(QWidget):
    """The choices of an MCQ; after submitting, the feedback and the full answer."""

    selection_changed = Signal()

    def __init__(self, env: RichEnv, q: Question, parent: QWidget | None = None,
                 order: Sequence[int] | None = None):
        super().__init__(parent)
        self.env = env
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.instruction = label("", "muted")
        self.banner = label("", wrap=True)
        self.banner.hide()
        layout.addWidget(self.banner)
        layout.addWidget(self.instruction)
        self.group = QButtonGroup(self)
        self.rows: list[ChoiceRow] = []
        # Rows are built once per (position, single/multi) and reused: building them
        # was most of the time it took to show a question.
        self._built: dict[bool, list[ChoiceRow]] = {False: [], True: []}
        self.row_box = QVBoxLayout()
        self.row_box.setContentsMargins(0, 0, 0, 0)
        self.row_box.setSpacing(8)
        layout.addLayout(self.row_box)
        layout.addSpacing(6)
        self.answer_heading = label("Answer", "h2")
        self.answer_heading.hide()
        self.answer = RichView(env, self, auto_height=True)
        self.answer.setAccessibleName("Answer")
        self.answer.hide()
        layout.addWidget(self.answer_heading)
        layout.addWidget(self.answer)
        self.load(q, order)

    def load(self, q: Question, order: Sequence[int] | None = None) -> None:
        """Show question ``q``, unanswered, its choices in ``order`` (source indices)."""
        self.question = q
        order = list(order) if order is not None else list(range(len(q.choices)))
        if sorted(order) != list(range(len(q.choices))):
            raise ValueError(f"{q.id}: choice order {order} is not a permutation")
        n = len(q.choices)
        self.instruction.setText(
            f"Select all that apply (more than one is correct) — keys 1–{n} toggle, "
            "Enter submits" if q.multi else f"Choose one answer (keys 1–{n}), then press Enter")
        self.instruction.show()
        self.banner.hide()
        for r in self.rows:
            self.group.removeButton(r.indicator)
        built = self._built[q.multi]
        while len(built) < n:
            r = ChoiceRow(self.env, len(built), q.multi, self)
            r.indicator.toggled.connect(lambda _on: self.selection_changed.emit())
            built.append(r)
            self.row_box.addWidget(r)
        self.rows = built[:n]
        for r, source in zip(self.rows, order, strict=True):
            r.load(q.choices[source], source)
        self.group.setExclusive(not q.multi)
        for i, r in enumerate(self.rows):
            self.group.addButton(r.indicator, i)
        shown = set(map(id, self.rows))
        for r in self._built[True] + self._built[False]:
            r.setVisible(id(r) in shown)
        self.answer_heading.hide()
        self.answer.hide()
        self.answer.set_bank_html(q.answer_html)

    @property
    def choice_buttons(self) -> list[QRadioButton | QCheckBox]:
        return [r.indicator for r in self.rows]

    def chosen(self) -> list[int]:
        """Source indices of the ticked choices, ascending."""
        return sorted(r.source for r in self.rows if r.indicator.isChecked())

    def row_for(self, source: int) -> ChoiceRow:
        """The row showing choice ``source`` of the question file."""
        return next(r for r in self.rows if r.source == source)

    def press(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.rows[index].activate()
            self.rows[index].indicator.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_first(self) -> None:
        if self.rows:
            checked = [r for r in self.rows if r.indicator.isChecked()]
            (checked or self.rows)[0].indicator.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_feedback(self, result: McqResult) -> None:
        # Showing a dozen widgets one by one inside a visible page re-laid the page out
        # for each; hidden, they are shown at no cost and the page is laid out once.
        self.hide()
        for r in self.rows:
            c = result.choices[r.source]
            r.show_result(c.chosen, c.correct)
        right = [pos + 1 for pos, r in enumerate(self.rows)
                 if r.source in self.question.correct_indices]
        if result.correct:
            set_role(self.banner, "banner-ok", f"{OK_MARK} Correct! Each choice is explained "
                                               "below, then the full answer.")
        else:
            which = ", ".join(map(str, right))
            noun = "answers are" if len(right) > 1 else "answer is"
            set_role(self.banner, "banner-bad",
                     f"{BAD_MARK} Not quite — the correct {noun} {which}. Each choice is "
                     "explained below.")
        self.instruction.hide()
        self.banner.show()
        self.answer_heading.show()
        self.answer.show()
        self.show()


# -- free recall --------------------------------------------------------------------
class RecallEditor(QPlainTextEdit):
    """The answer editor; Tab moves focus on instead of typing a tab."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setAccessibleName("Your answer")
        self.setPlaceholderText(
            f"Type your answer as you would say it in an interview…  "
            f"({shortcut_text('Ctrl+Return')} checks it)")
        self.setMinimumHeight(150)

    def fit_to_text(self, max_lines: int = 8) -> None:
        """Once answered, take only the room the text needs (up to ``max_lines``)."""
        lines = max(1, min(max_lines, int(self.document().size().height())))
        margins = self.contentsMargins()
        height = (lines * self.fontMetrics().lineSpacing() + 2 * self.document().documentMargin()
                  + margins.top() + margins.bottom() + 4)
        self.setMinimumHeight(0)
        self.setFixedHeight(int(height))


class RecallPanel(QWidget):
    """Editor and optional hint; after checking: key points ✓/✗ and the model answer.

    Each covered point quotes the words of the answer that made it, highlighted in
    "Your answer". The learner can flip any point (click, Space, or Alt+1–7); the
    suggested rating follows (:attr:`suggestion_changed`). The rating buttons live in
    the page's footer, so they stay in view however long the model answer is.
    """

    suggestion_changed = Signal(int)

    def __init__(self, env: RichEnv, q: Question, parent: QWidget | None = None):
        super().__init__(parent)
        self.question = q
        self.env = env
        self.result: RecallResult | None = None
        self.gave_up = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.banner = label("", wrap=True)
        self.banner.hide()
        layout.addWidget(self.banner)
        layout.addWidget(label("Your answer", "h2"))
        self.editor = RecallEditor(self)
        self.editor.setFont(env.font())
        layout.addWidget(self.editor)
        self.hint_button = button(f"Show &hint ({shortcut_text('Ctrl+H')})",
                                  accessible="Show hint")
        self.hint_button.setVisible(bool(q.hint_html))
        self.hint_button.clicked.connect(self.show_hint)
        hint_row = QHBoxLayout()
        hint_row.addWidget(self.hint_button)
        hint_row.addStretch(1)
        layout.addLayout(hint_row)
        self.hint_box = card(self)
        hb = QVBoxLayout(self.hint_box)
        hb.setContentsMargins(14, 8, 14, 8)
        hb.setSpacing(2)
        hb.addWidget(label("Hint", "muted"))
        self.hint_view = RichView(env, self.hint_box, auto_height=True)
        self.hint_view.setAccessibleName("Hint")
        self.hint_view.set_bank_html(q.hint_html)
        hb.addWidget(self.hint_view)
        self.hint_box.hide()
        layout.addWidget(self.hint_box)
        # Feedback, hidden until checked.
        self.feedback = QWidget(self)
        fb = QVBoxLayout(self.feedback)
        fb.setContentsMargins(0, 4, 0, 0)
        fb.setSpacing(6)
        fb.addWidget(label("Key points", "h2"))
        n = len(q.key_points)
        self.flip_help = label(
            f"Did the checker get a point wrong? Click it (or press Alt+1–{min(n, MAX_POINTS)})"
            " to mark it covered or missed; the suggested rating follows.", "muted", wrap=True)
        fb.addWidget(self.flip_help)
        self.point_labels: list[PointRow] = []
        for i, point in enumerate(q.key_points):
            row = PointRow(i, env.label_html(point_html(point)))
            row.setFont(env.font())
            row.clicked.connect(lambda i=i: self.flip(i))
            self.point_labels.append(row)
            fb.addWidget(row)
        fb.addSpacing(6)
        fb.addWidget(label("Model answer", "h2"))
        self.answer = RichView(env, self.feedback, auto_height=True)
        self.answer.setAccessibleName("Model answer")
        self.answer.set_bank_html(q.answer_html)
        fb.addWidget(self.answer)
        self.feedback.hide()
        layout.addWidget(self.feedback)

    def show_hint(self) -> None:
        if self.question.hint_html:
            self.hint_box.show()
            self.hint_button.hide()

    def show_feedback(self, result: RecallResult, gave_up: bool) -> int:
        """Show what was covered; returns the rating to preselect."""
        self.editor.setReadOnly(True)
        if gave_up and not self.editor.toPlainText().strip():
            self.editor.setPlainText("(I don't know)")
        self.hint_button.hide()
        self.editor.fit_to_text()
        self.result, self.gave_up = result, gave_up
        for row in self.point_labels:
            row.set_active(not gave_up)
        self.flip_help.setVisible(not gave_up)
        suggested = self._render()
        self.banner.show()
        self.feedback.show()
        return suggested

    @property
    def suggested(self) -> int:
        if self.result is None or self.gave_up:
            return int(Rating.AGAIN)
        return int(self.result.suggested)

    def flip(self, index: int) -> None:
        """Switch point ``index`` between covered and missed; the suggestion follows."""
        if self.result is None or self.gave_up or not 0 <= index < len(self.result.points):
            return
        self.result = self.result.flip(index)
        self.suggestion_changed.emit(self._render())

    def _render(self) -> int:
        result = self.result
        assert result is not None
        t = theme.current()
        for lab, p, point in zip(self.point_labels, result.points, self.question.key_points,
                                 strict=True):
            lab.setText(self._point_html(p, t, self.env.label_html(point_html(point))))
            word = "covered" if p.hit else "missed"
            lab.setAccessibleName(f"{word}{' (marked by you)' if p.flipped else ''}: {p.text}")
        self._highlight(t)
        n, hits = len(result.points), result.hits
        suggested = self.suggested
        name = Rating(suggested).label
        if self.gave_up:
            set_role(self.banner, "banner-info",
                     f"Answer revealed — recorded as {name}. Read the model answer, then press "
                     f"Enter to continue (or 1–4 to rate it differently).")
        else:
            good = suggested >= Rating.GOOD
            why = "".join(f" {r}" for r in result.reasons)
            set_role(self.banner, "banner-ok" if good else "banner-bad",
                     f"{OK_MARK if good else BAD_MARK} You covered {hits} of {n} key points. "
                     f"Suggested rating: {name} — Enter accepts it, 1–4 picks another.{why}")
        return suggested

    def _point_html(self, p: PointResult, t: theme.Theme, text_html: str) -> str:
        mark, colour, word = (OK_MARK, t.ok, "covered") if p.hit else (BAD_MARK, t.bad, "missed")
        yours = " (marked by you)" if p.flipped else ""
        out = (f'<span style="color:{colour}; font-weight:bold">{mark} {word}{yours}:</span>'
               f" {text_html}")
        if p.hit and p.evidence and not p.flipped:
            out += (f'<br><span style="color:{t.muted}">you wrote: </span><span style="'
                    f'background:{marker(t).name()}; color:{t.text}">'
                    f"{html.escape(snippet(p.evidence, 160))}</span>")
        elif not p.hit and p.vetoed and not p.flipped:
            why = p.reason or f"your answer says the opposite (“{p.vetoed}”)"
            out += f'<br><span style="color:{t.muted}">{html.escape(why)}</span>'
        return out

    def _highlight(self, t: theme.Theme) -> None:
        """Mark, in "Your answer", the words that made each covered point."""
        result = self.result
        text = self.editor.toPlainText()
        selections = []
        if result is not None and not self.gave_up:
            fmt = QTextCharFormat()
            fmt.setBackground(marker(t))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(t.ok))
            for p in result.points:
                if not p.hit or p.flipped:
                    continue
                for start, end in p.spans:
                    if end > len(text):
                        continue
                    sel = QTextEdit.ExtraSelection()
                    cursor = QTextCursor(self.editor.document())
                    cursor.setPosition(utf16(text, start))
                    cursor.setPosition(utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
                    sel.cursor = cursor
                    sel.format = fmt
                    selections.append(sel)
        self.editor.setExtraSelections(selections)

    def highlighted(self) -> list[str]:
        """The answer text under each highlight (for tests and accessibility)."""
        return [sel.cursor.selectedText() for sel in self.editor.extraSelections()]


def set_role(w: QLabel, role: str, text: str) -> None:
    """Restyle a label (its stylesheet role) and relayout it for the new size."""
    w.setProperty("role", role)
    w.setText(text)
    theme.repolish(w)
    w.updateGeometry()


# -- the page -------------------------------------------------------------------------
