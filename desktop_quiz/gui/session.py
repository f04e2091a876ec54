# long: one page whose three answer flows (MCQ, recall, code) share footer, keys and state.
"""The question view of a drill: one question at a time, MCQ or free recall.

It only shows a :class:`~desktop_quiz.core.study.session.Session` and forwards what the
learner does to it; the session records each answer before feedback is shown.

Keys (shown in the Question menu and on the buttons):
1–6 pick a choice · Enter submits / continues · Ctrl+Enter checks a recall answer
or runs a coding exercise's tests · Ctrl+Shift+Enter submits the code ·
1–4 rate it (Again/Hard/Good/Easy) · Alt+1–7 flip a key point the checker got wrong ·
Ctrl+R "I don't know" · Ctrl+H hint ·
Ctrl+Shift+S skip · Ctrl+D flag · Esc ends the drill (after asking).
"""

from __future__ import annotations

from collections.abc import Callable

from desktop_quiz.core.bank.userbank import is_own
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.study.grading import Rating, RecallResult
from desktop_quiz.core.study.session import Session
from desktop_quiz.gui.compose import (
    FLAG_MARK,
    KIND_LABELS,
    difficulty_name,
)
from desktop_quiz.gui.dialogs import ask
from desktop_quiz.gui.exercise_panel import SUBMIT_KEYS, ExercisePanel
from desktop_quiz.gui.key_points import FLIP_KEYS
from desktop_quiz.gui.qt import (
    QAction,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QPoint,
    QProgressBar,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_quiz.gui.question_panels import (
    CHECK_KEYS,
    ENTER,
    ENTER_KEYS,
    MAX_CHOICES,
    McqPanel,
    RecallPanel,
    digit_keys,
)
from desktop_quiz.gui.richtext import RichEnv, RichView
from desktop_quiz.gui.widgets import (
    MARGIN,
    SPACING,
    button,
    label,
    make_action,
    scroll_column,
    shortcut_text,
)


class SessionPage(QWidget):
    """Runs one drill session. Emits :attr:`finished` or :attr:`abandoned` at the end."""

    finished = Signal(object)  # the Session
    abandoned = Signal(object)  # the Session
    answered = Signal(str)  # question id, after the answer is recorded
    moved = Signal()  # another question is shown, or one was answered or skipped
    edit_requested = Signal(str)  # the id of the learner's own question shown

    def __init__(self, ctx: AppContext, env: RichEnv, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.env = env
        self.session: Session | None = None
        self.state = "idle"  # idle | asking | answered
        self.panel: McqPanel | RecallPanel | ExercisePanel | None = None
        self._mcq: McqPanel | None = None  # kept and reloaded for every MCQ
        self.setAccessibleName("Question")

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        # Header: position, topic, difficulty, kind, flag.
        header = QWidget()
        hl = QVBoxLayout(header)
        hl.setContentsMargins(MARGIN, MARGIN // 2 + 4, MARGIN, 8)
        hl.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(8)
        self.position = label("", "h2")
        self.position.setAccessibleName("Position in drill")
        self.topic_chip = label("", "chip")
        self.difficulty_chip = label("", "chip")
        self.kind_chip = label("", "chip")
        self.flag_button = button(f"{FLAG_MARK} Flag", tip=f"Flag this question for later "
                                  f"({shortcut_text('Ctrl+D')}); Browse can list flagged ones",
                                  accessible="Flag for later")
        self.flag_button.setCheckable(True)
        self.flag_button.toggled.connect(self._flag_toggled)
        for w in (self.position, self.topic_chip, self.difficulty_chip, self.kind_chip):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.flag_button)
        hl.addLayout(top)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Drill progress")
        hl.addWidget(self.bar)
        outer.addWidget(header)

        # Body: prompt and the kind-specific panel, in one scroll area.
        self.scroll_area, self.body = scroll_column()
        self.scroll_area.setAccessibleName("Question content")
        self.prompt = RichView(env, auto_height=True)
        self.prompt.setAccessibleName("Question prompt")
        self.body.addWidget(self.prompt)
        self.panel_holder = QVBoxLayout()
        self.panel_holder.setContentsMargins(0, 0, 0, 0)
        self.body.addLayout(self.panel_holder)
        self.body.addStretch(1)
        outer.addWidget(self.scroll_area, 1)

        # Footer: secondary actions left, the primary one right.
        footer = QFrame()
        footer.setObjectName("footer")
        fl = QHBoxLayout(footer)
        fl.setContentsMargins(MARGIN, 10, MARGIN, 14)
        fl.setSpacing(SPACING)
        self.end_button = button(f"End drill ({shortcut_text('Esc')})", accessible="End drill")
        self.skip_button = button(f"&Skip ({shortcut_text('Ctrl+Shift+S')})",
                                  accessible="Skip question")
        self.dont_know_button = button(f"I don't know ({shortcut_text('Ctrl+R')})",
                                       tip="Reveal the answer; recorded as Again",
                                       accessible="I don't know")
        self.primary_button = button("Submit", primary=True, accessible="Submit answer")
        self.primary_button.setMinimumWidth(180)
        self.status = label("", "muted")
        for b in (self.end_button, self.skip_button, self.dont_know_button):
            fl.addWidget(b)
        fl.addStretch(1)
        fl.addWidget(self.status)
        # Rating a recall answer: shown instead of the primary button once checked.
        self.rating_box = QWidget()
        rl = QHBoxLayout(self.rating_box)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(8)
        rl.addWidget(label("How well did you know it?", "muted"))
        self.rating_group = QButtonGroup(self)
        self.rating_group.setExclusive(True)
        self.rating_buttons: dict[int, QPushButton] = {}
        for r in Rating:
            b = button(f"{int(r)}  {r.label}", accessible=f"Rate {r.label}")
            b.setCheckable(True)
            b.setProperty("rating", str(int(r)))
            b.setMinimumWidth(84)
            b.setToolTip(f"Press {int(r)}: record this answer as {r.label} and continue")
            self.rating_group.addButton(b, int(r))
            self.rating_buttons[int(r)] = b
            b.clicked.connect(lambda _c=False, value=int(r): self.rate(value))
            rl.addWidget(b)
        self.rating_box.hide()
        fl.addWidget(self.rating_box)
        fl.addWidget(self.primary_button)
        outer.addWidget(footer)

        # Actions: shortcuts while focus is in this page; also listed in the menu.
        self.act_primary = make_action(self, "Submit / continue", ENTER_KEYS)
        self.act_check = make_action(self, "Check answer", CHECK_KEYS)
        self.act_submit_code = make_action(self, "Submit code", SUBMIT_KEYS)
        self.act_dont_know = make_action(self, "I don't know", ["Ctrl+R"])
        self.act_hint = make_action(self, "Show hint", ["Ctrl+H"])
        self.act_skip = make_action(self, "Skip question", ["Ctrl+Shift+S"])
        self.act_flag = make_action(self, "Flag for later", ["Ctrl+D"])
        self.act_flag.setCheckable(True)
        self.act_end = make_action(self, "End drill…", ["Esc"])
        self.act_edit = make_action(self, "Edit your question…", ["Ctrl+E"])
        self.act_edit.setToolTip("Open your own question in the editor")
        self.digit_actions: list[QAction] = []
        for n in range(1, MAX_CHOICES + 1):
            a = make_action(self, f"Choose {n}", digit_keys(n))
            a.triggered.connect(lambda _c=False, i=n: self._digit(i))
            self.digit_actions.append(a)
        # Alt+1–7 flip a recall answer's key point between covered and missed.
        self.flip_actions: list[QAction] = []
        for n, key in enumerate(FLIP_KEYS, start=1):
            a = make_action(self, f"Flip key point {n}", [key])
            a.triggered.connect(lambda _c=False, i=n - 1: self.flip_point(i))
            self.flip_actions.append(a)
        self.act_primary.triggered.connect(self.primary)
        self.act_check.triggered.connect(self.check)
        self.act_submit_code.triggered.connect(self.submit_code)
        self.act_dont_know.triggered.connect(self.dont_know)
        self.act_hint.triggered.connect(self.hint)
        self.act_skip.triggered.connect(self.skip)
        self.act_flag.triggered.connect(lambda on: self.flag_button.setChecked(on))
        self.act_end.triggered.connect(lambda: self.request_end())
        self.act_edit.triggered.connect(self._edit)
        self.primary_button.clicked.connect(self.primary)
        self.skip_button.clicked.connect(self.skip)
        self.dont_know_button.clicked.connect(self.dont_know)
        self.end_button.clicked.connect(lambda: self.request_end())
        self._update_actions()

    def menu_actions(self) -> list[QAction | None]:
        """What the main window lists in its Question menu (None = separator)."""
        return [self.act_primary, self.act_check, self.act_submit_code, self.act_dont_know,
                self.act_hint, None, self.act_skip, self.act_flag, self.act_edit, None,
                self.act_end]

    # -- lifecycle -----------------------------------------------------------------
    def start(self, session: Session) -> None:
        self.session = session
        self._show_current()

    @property
    def active(self) -> bool:
        return self.session is not None and not self.session.finished

    def _show_current(self) -> None:
        s = self.session
        assert s is not None
        q = s.question
        topic = self.ctx.bank.topic(q.topic)
        self.position.setText(f"Question {s.position_text()}")
        self.position.setAccessibleName(f"Question {s.number} of {s.total}")
        self._update_bar()
        self.topic_chip.setText(topic.title if topic else q.topic)
        self.difficulty_chip.setText(difficulty_name(q.difficulty))
        self.kind_chip.setText(KIND_LABELS.get(q.kind, q.kind))
        self.flag_button.blockSignals(True)
        self.flag_button.setChecked(q.id in self.ctx.progress.flagged_ids())
        self.flag_button.blockSignals(False)
        self._sync_flag_text()
        self.prompt.set_bank_html(q.prompt_html)
        if isinstance(self.panel, RecallPanel | ExercisePanel):
            old = self.panel
            self.panel_holder.removeWidget(old)
            old.hide()
            old.setParent(None)
            old.deleteLater()
        if q.kind == "mcq":
            if self._mcq is None:
                self._mcq = McqPanel(self.env, q, order=s.choice_order)
                self._mcq.selection_changed.connect(self._update_actions)
            else:
                self._mcq.load(q, s.choice_order)
            self.panel = self._mcq
        else:
            if self._mcq is not None:
                self._mcq.hide()
            if q.kind == "code" and q.exercise is not None:
                from desktop_quiz.core.study.drafts import Drafts

                self.panel = ExercisePanel(self.env, q, Drafts(self.ctx.data_dir))
                self.panel.ran.connect(self._code_ran)
            else:
                self.panel = RecallPanel(self.env, q)
                self.panel.suggestion_changed.connect(self._suggestion_changed)
        if self.panel_holder.indexOf(self.panel) < 0:
            self.panel_holder.addWidget(self.panel)
        self.panel.show()  # added to a visible page: show now, not on the next loop
        self.state = "asking"
        self.moved.emit()
        self.status.setText("")
        self._update_actions()
        self.scroll_area.verticalScrollBar().setValue(0)
        if isinstance(self.panel, McqPanel):
            self.panel.focus_first()
        else:
            self.panel.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_bar(self) -> None:
        """Answered or skipped questions: full once the last one is answered."""
        s = self.session
        if s is None:
            return
        # QProgressBar repaints itself synchronously on every change (~0.7 ms with
        # the stylesheet); paused updates let it paint once, with the rest of the page.
        self.bar.setUpdatesEnabled(False)
        self.bar.setRange(0, max(1, s.total))
        self.bar.setValue(s.done)
        self.bar.setUpdatesEnabled(True)

    def _edit(self) -> None:
        if self.panel is not None and self.act_edit.isEnabled():
            self.edit_requested.emit(self.panel.question.id)

    def _update_actions(self) -> None:
        p = self.panel
        asking = self.state == "asking"
        answered = self.state == "answered"
        mcq = isinstance(p, McqPanel)
        code = isinstance(p, ExercisePanel)
        recall = isinstance(p, RecallPanel)
        rated = recall or code  # the learner confirms a suggested rating
        can_submit = asking and mcq and bool(p.chosen()) if isinstance(p, McqPanel) else False
        self.act_primary.setEnabled(can_submit or answered)
        self.primary_button.setEnabled(can_submit or answered or (asking and (recall or code)))
        if asking and code:
            self.primary_button.setText(f"Submit code ({shortcut_text('Ctrl+Shift+Return')})")
            self.primary_button.setAccessibleName("Submit code")
        elif asking and recall:
            self.primary_button.setText(f"Check answer ({shortcut_text('Ctrl+Return')})")
            self.primary_button.setAccessibleName("Check answer")
        elif asking:
            self.primary_button.setText(f"Submit ({ENTER})")
            self.primary_button.setAccessibleName("Submit answer")
        else:
            last = self.session is not None and self.session.index + 1 >= self.session.total
            word = "Finish" if last else "Continue"
            self.primary_button.setText(f"{word} ({ENTER})")
            self.primary_button.setAccessibleName(word)
        rating_now = answered and rated
        self.rating_box.setVisible(rating_now)
        self.primary_button.setVisible(not rating_now)
        self.skip_button.setVisible(not rating_now)
        self.act_check.setEnabled(asking and (recall or code))
        self.act_submit_code.setEnabled(asking and code)
        self.act_dont_know.setEnabled(asking and recall)
        self.dont_know_button.setVisible(recall and asking)
        self.dont_know_button.setEnabled(asking and recall)
        self.act_hint.setEnabled(asking and (recall or code) and bool(p and p.question.hint_html))
        self.act_skip.setEnabled(asking)
        self.skip_button.setEnabled(asking)
        self.act_flag.setEnabled(self.state != "idle")
        self.flag_button.setEnabled(self.state != "idle")
        self.act_end.setEnabled(self.state != "idle")
        self.act_edit.setEnabled(p is not None and self.state != "idle"
                                 and is_own(p.question.id))
        self.end_button.setEnabled(self.state != "idle")
        points = len(p.question.key_points) if recall and p else 0
        for n, a in enumerate(self.flip_actions, start=1):
            a.setEnabled(recall and answered and n <= points)
        for n, a in enumerate(self.digit_actions, start=1):
            if mcq and asking:
                a.setEnabled(n <= len(p.question.choices) if p else False)
            else:
                a.setEnabled(rated and answered and n <= 4)

    # -- what the learner does -------------------------------------------------------
    def primary(self) -> None:
        p = self.panel
        if self.state == "asking" and isinstance(p, McqPanel):
            self.submit()
        elif self.state == "asking" and isinstance(p, RecallPanel):
            self.check()
        elif self.state == "asking" and isinstance(p, ExercisePanel):
            self.submit_code()
        elif self.state == "answered" and isinstance(p, RecallPanel | ExercisePanel):
            self.rate(self.selected_rating())
        elif self.state == "answered":
            self.advance()

    def submit(self) -> None:
        p = self.panel
        if self.state != "asking" or not isinstance(p, McqPanel) or self.session is None:
            return
        chosen = p.chosen()
        if not chosen:
            self.status.setText("Choose an answer first")
            return
        result = self.session.answer_mcq(chosen)  # recorded before we show anything
        self._recorded()
        p.show_feedback(result)
        self.state = "answered"
        self._update_actions()
        self.primary_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def check(self) -> None:
        p = self.panel
        if self.state == "asking" and isinstance(p, ExercisePanel):
            p.run_tests()
            return
        if self.state != "asking" or not isinstance(p, RecallPanel) or self.session is None:
            return
        if not p.editor.toPlainText().strip():
            # Nothing written: the learner does not know it (never grade the placeholder).
            self.dont_know()
            return
        result = self.session.check_recall(p.editor.toPlainText())
        self._recorded()
        self._show_recall(p, result, gave_up=False)

    # -- coding exercises ----------------------------------------------------------------
    def submit_code(self) -> None:
        """Ctrl+Shift+Enter: submit the code, running the tests first if it changed."""
        p = self.panel
        if self.state != "asking" or not isinstance(p, ExercisePanel) or self.session is None:
            return
        if p.running:
            p.submit_after_run = True
            return
        if not p.result_is_current():
            p.submit_after_run = True
            p.run_tests()
            self.status.setText("Running the tests, then submitting…")
            return
        self._record_code(p)

    def _code_ran(self, _result: object) -> None:
        p = self.panel
        if isinstance(p, ExercisePanel) and p.submit_after_run and self.state == "asking":
            p.submit_after_run = False
            self._record_code(p)

    def _record_code(self, p: ExercisePanel) -> None:
        assert self.session is not None
        suggested = self.session.answer_code(p.code(), p.last_result)  # recorded first
        self._recorded()
        self.state = "answered"
        self.status.setText("")
        p.show_review(suggested)
        self.rating_buttons[suggested].setChecked(True)
        self._update_actions()
        self.rating_buttons[suggested].setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, lambda: self._scroll_to(p.banner))

    def dont_know(self) -> None:
        p = self.panel
        if self.state != "asking" or not isinstance(p, RecallPanel) or self.session is None:
            return
        result = self.session.give_up()
        self._recorded()
        self._show_recall(p, result, gave_up=True)

    def _show_recall(self, p: RecallPanel, result: RecallResult, gave_up: bool) -> None:
        self.state = "answered"
        suggested = p.show_feedback(result, gave_up)
        self.rating_buttons[suggested].setChecked(True)
        self._update_actions()
        self.rating_buttons[suggested].setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, lambda: self._scroll_to(p.banner))

    def flip_point(self, index: int) -> None:
        """The learner says the checker got key point ``index`` wrong."""
        if self.state == "answered" and isinstance(self.panel, RecallPanel):
            self.panel.flip(index)

    def _suggestion_changed(self, rating: int) -> None:
        """A flipped point moved the suggestion: select it (Enter records it)."""
        p = self.panel
        if self.state != "answered" or not isinstance(p, RecallPanel) or self.session is None:
            return
        if p.result is not None:
            self.session.revise_recall(p.result)
        self.rating_buttons[rating].setChecked(True)

    def _scroll_to(self, w: QWidget) -> None:
        """Scroll so ``w`` is near the top (the feedback starts there)."""
        body = self.scroll_area.widget()
        if body is None or not w.isVisible():
            return
        y = w.mapTo(body, QPoint(0, 0)).y()
        self.scroll_area.verticalScrollBar().setValue(max(0, y - 12))

    def selected_rating(self) -> int:
        """The rating button currently selected (the suggestion until the learner picks)."""
        return max(1, self.rating_group.checkedId())

    def hint(self) -> None:
        if isinstance(self.panel, RecallPanel | ExercisePanel):
            self.panel.show_hint()

    def rate(self, rating: int) -> None:
        p = self.panel
        if (self.state != "answered" or not isinstance(p, RecallPanel | ExercisePanel)
                or self.session is None):
            return
        self.rating_buttons[rating].setChecked(True)
        if rating != self.session.outcome.rating:
            self.session.rate(rating)
            self.ctx.hooks.progress_changed.fire()
        self.advance()

    def _digit(self, n: int) -> None:
        if isinstance(self.panel, McqPanel) and self.state == "asking":
            self.panel.press(n - 1)
        elif isinstance(self.panel, RecallPanel | ExercisePanel) and self.state == "answered":
            self.rate(n)

    def skip(self) -> None:
        if self.state != "asking" or self.session is None:
            return
        if self.session.skip():
            self._show_current()
        else:
            self._finish()

    def advance(self) -> None:
        if self.session is None:
            return
        if self.session.next():
            self._show_current()
        else:
            self._finish()

    def _finish(self) -> None:
        self.state = "idle"
        self._update_actions()
        self.finished.emit(self.session)

    def _recorded(self) -> None:
        assert self.session is not None
        if self.session.outcome.unsaved:
            from desktop_quiz.gui.dialogs import notify

            notify(self, "Your answer was not saved yet",
                   f"{self.session.outcome.unsaved[:1].upper()}"
                   f"{self.session.outcome.unsaved[1:]}.", error=True)
        self.ctx.hooks.progress_changed.fire()
        self._update_bar()
        self.moved.emit()
        self.answered.emit(self.session.outcome.question_id)

    def _flag_toggled(self, on: bool) -> None:
        if self.session is None or self.state == "idle":
            return
        self.ctx.progress.set_flag(self.session.question.id, on)
        self.act_flag.setChecked(on)
        self._sync_flag_text()
        self.ctx.hooks.progress_changed.fire()

    def _sync_flag_text(self) -> None:
        on = self.flag_button.isChecked()
        self.flag_button.setText(f"{FLAG_MARK} Flagged" if on else f"{FLAG_MARK} Flag")
        self.act_flag.setChecked(on)

    def request_end(self, then: Callable[[], None] | None = None) -> None:
        """Esc: ask before abandoning; answers already given are kept."""
        if self.session is None or self.state == "idle":
            if then:
                then()
            return
        s = self.session
        done = sum(o.status == "answered" for o in s.outcomes)

        def end() -> None:
            self.state = "idle"
            self._update_actions()
            self.abandoned.emit(s)
            if then:
                then()

        ask(self, "End this drill?",
            f"End this drill now? You answered {done} of {s.total} questions.",
            "End drill", end, no="Keep going",
            informative="Answers you already gave are kept.")

    def focus_content(self) -> None:
        if isinstance(self.panel, McqPanel) and self.state == "asking":
            self.panel.focus_first()
        elif isinstance(self.panel, RecallPanel | ExercisePanel) and self.state == "asking":
            self.panel.editor.setFocus()
        elif isinstance(self.panel, RecallPanel | ExercisePanel) and self.state == "answered":
            self.rating_buttons[self.selected_rating()].setFocus()
        else:
            self.primary_button.setFocus()
